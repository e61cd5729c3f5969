/**
 * Record exchange between organizations. The requester signs its request (EIP-191 over the SHA-256
 * of the body) with its registered key; the custodian checks the signature against the registry,
 * the freshness and the nonce, then decides with its PDP and answers with ciphertexts whose data keys
 * are re-wrapped to the requester's registered X25519 key, each with its record-log inclusion proof
 * to an anchored root. The requester verifies every proof before using anything.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Hex } from 'viem';
import { scopeSchema } from '../consent/scope.ts';
import { PURPOSES } from '../chain/ids.ts';

export const SIGNATURE_HEADER = 'x-carechain-signature';
/** How old (or how far in the future) a signed request may be. */
export const MAX_SKEW_MS = 5 * 60_000;

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);

export const exchangeRequestSchema = z
  .object({
    requester: hex32,
    practitioner: z.string().regex(/^Practitioner\/[A-Za-z0-9\-.]{1,64}$/).optional(),
    patient: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    purpose: z.enum(PURPOSES),
    scope: scopeSchema,
    timestamp: z.number().int(),
    nonce: z.string().regex(/^[0-9a-f]{32}$/),
    /** Break-glass: purpose ETREAT with a stated reason, by a named practitioner, without a grant. */
    breakGlass: z.object({ reason: z.string().min(10).max(500) }).strict().optional(),
    /** The practitioner's medical licence (VC-JOSE), required for break-glass. */
    credential: z.string().min(20).max(20_000).optional(),
    /** The requester has seen the ledger up to this block: decide on an index at least that recent. */
    minBlock: z.number().int().nonnegative().optional(),
  })
  .strict();
export type ExchangeRequest = z.infer<typeof exchangeRequestSchema>;

export interface ExchangeEntry {
  type: string;
  id: string;
  version: number;
  ciphertext: string; // base64
  wrappedKey: string; // base64, AES-GCM under the key agreed with `epk`
  leafIndex: number;
  leaf: string; // base64 canonical leaf
  proof: Hex[];
  anchor: { index: number; treeSize: number; root: Hex; blockNumber: number };
}

export interface ExchangeResponse {
  custodian: Hex;
  indexedBlock: number;
  grantId: Hex | null;
  epk: string; // base64 ephemeral X25519 public key of the custodian for this response
  entries: ExchangeEntry[];
  /** Versions newer than the custodian's latest anchor: withheld until they can be proven. */
  pendingAnchor: number;
  /** Set when access was granted by break-glass: the ledger flag and until when it holds. */
  breakGlass?: { accessId: Hex; until: number; txHash: Hex };
}

/** How long a break-glass access lasts before it must be stated (and flagged) again. */
export const BREAK_GLASS_SECONDS = 60 * 60;

export function requestDigest(body: string): Uint8Array {
  return createHash('sha256').update('carechain:exchange:v1\n').update(body).digest();
}
