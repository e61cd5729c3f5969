/**
 * The opaque identifiers the SerialRegistry knows units and lots by, so that no GTIN, serial, lot or
 * SSCC is ever on chain (docs/supply-chain.md, "What is on chain"):
 *
 * - a **salt** per lot (or per container packed after commissioning), derived by its creator from its
 *   organization's index secret: HMAC-SHA256, so it needs no storage and never leaves the creator;
 * - a **lot id** = SHA-256("carechain:lot:v1" ‖ salt ‖ GTIN ‖ lot): unlinkable to the product without the salt;
 * - a **commitment** per unit = SHA-256("carechain:unit:v1" ‖ salt ‖ unit id): disclosed only to the
 *   trading partners the unit passes through;
 * - a **unit key** = SHA-256(creator ‖ commitment), exactly as the contract computes it
 *   (`sha256(abi.encode(creator, commitment))`), so a key can never be claimed by another creator.
 *
 * A unit id is the unit's GS1 key in one canonical string: `01<GTIN-14>21<serial>` for an item,
 * `00<SSCC>` for a container (AI order and values as in the element string, without separators).
 */
import * as crypto from 'node:crypto';
import { createHash, createHmac } from 'node:crypto';
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { invalid } from '../../shared/errors.ts';

export type UnitKind = 'item' | 'container';

/** The canonical id of an item (GTIN-14 + serial). */
export const itemId = (gtin: string, serial: string): string => `01${gtin}21${serial}`;
/** The canonical id of a logistic unit (SSCC). */
export const containerId = (sscc: string): string => `00${sscc}`;

/** The GS1 key inside a canonical unit id. */
export function parseUnitId(id: string): { kind: 'item'; gtin: string; serial: string } | { kind: 'container'; sscc: string } {
  if (/^01\d{14}21.{1,20}$/.test(id)) return { kind: 'item', gtin: id.slice(2, 16), serial: id.slice(18) };
  if (/^00\d{18}$/.test(id)) return { kind: 'container', sscc: id.slice(2) };
  throw invalid(`"${id}" is not a unit id (01<GTIN-14>21<serial> or 00<SSCC>)`);
}

/** A creator's secret salt for a lot or a container, from its organization's index secret. */
export function saltOf(indexSecret: Buffer, scope: 'lot' | 'container', value: string): Buffer {
  return createHmac('sha256', indexSecret).update(`carechain/supply-salt/v1\u0000${scope}\u0000${value}`).digest();
}

/** A lot's opaque on-chain id. */
export function lotIdOf(salt: Buffer, gtin: string, lot: string): Hex {
  return bytesToHex(createHash('sha256').update('carechain:lot:v1\u0000').update(salt).update(`${gtin}\u0000${lot}`).digest());
}

/** A unit's commitment: its id hidden under the creator's salt. */
export function commitmentOf(salt: Buffer, id: string): Buffer {
  return sha256(Buffer.concat([COMMITMENT_PREFIX, salt, Buffer.from(id, 'utf8')]));
}
const COMMITMENT_PREFIX = Buffer.from('carechain:unit:v1\u0000', 'utf8');

/**
 * The on-chain key of a unit: SHA-256 of the ABI encoding of (creator, commitment), as the contract's
 * `keyOf`. The creator as hex, or as its 32 bytes (decoded once when a million units share it).
 */
export function unitKeyOf(creator: Hex | Uint8Array, commitment: Uint8Array): Buffer {
  const c = typeof creator === 'string' ? hexToBytes(creator) : creator;
  if (c.length !== 32 || commitment.length !== 32) throw invalid('a unit key needs a 32-byte creator id and a 32-byte commitment');
  return sha256(Buffer.concat([c, commitment]));
}

/**
 * SHA-256 of one buffer: node:crypto's one-shot `hash` where this Node has it (20.12 and later),
 * which saves creating a Hash object per call, otherwise `createHash`. Same digest either way.
 */
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;
const sha256 = (data: Uint8Array): Buffer => (oneShot ? oneShot('sha256', data, 'buffer') : createHash('sha256').update(data).digest());

export const hex = (b: Uint8Array): Hex => bytesToHex(b);
export const bytes32 = (h: Hex): Buffer => {
  const b = Buffer.from(hexToBytes(h));
  if (b.length !== 32) throw invalid(`${h} is not 32 bytes`);
  return b;
};
