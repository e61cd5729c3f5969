/**
 * Organization-to-organization requests (record exchange, consent notices, supply and claims
 * messages): the requester signs (EIP-191, its registered key) the SHA-256 of a purpose tag and the
 * exact body; the body names the requester, the audience (the one organization it is for), a time and
 * a single-use nonce. The receiver checks the signer against its index of the registry, that it is the
 * audience, the 5-minute window and the nonce, before it reads anything else. Owns
 * `org_request_nonces`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { getAddress, recoverMessageAddress, type Hex } from 'viem';
import type { OrgKeys } from '../crypto/org-keys.ts';
import { getParticipant, type Participant } from '../indexer/projectors/participants.ts';
import { DomainError, forbidden } from '../shared/errors.ts';
import type { Migration, Storage } from '../storage/engine.ts';

export const SIGNATURE_HEADER = 'x-carechain-signature';
/** How old (or how far in the future) a signed request may be. */
export const MAX_SKEW_MS = 5 * 60_000;

export const orgRequestMigrations: Migration[] = [
  (tx) => tx.exec('CREATE TABLE org_request_nonces (org_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_ms INTEGER NOT NULL, PRIMARY KEY (org_id, nonce))'),
];

/** The fields every signed request carries. */
export interface Envelope {
  requester: Hex;
  audience: Hex;
  timestamp: number;
  nonce: string;
}

export function requestDigest(purpose: string, body: string): Uint8Array {
  return createHash('sha256').update(`carechain:${purpose}:v1\n`).update(body).digest();
}

/** A fresh envelope from `requester` to `audience`. */
export function envelope(requester: Hex, audience: Hex): Envelope {
  return { requester, audience, timestamp: Date.now(), nonce: randomBytes(16).toString('hex') };
}

/** The exact body and its signature for a request. */
export async function signRequest(keys: OrgKeys, purpose: string, request: Envelope & Record<string, unknown>): Promise<{ body: string; signature: Hex }> {
  const body = JSON.stringify(request);
  return { body, signature: await keys.account.signMessage({ message: { raw: requestDigest(purpose, body) } }) };
}

const security = (message: string) => new DomainError('unauthenticated', message, { code: 'security' });

export class OrgRequestVerifier {
  constructor(
    private readonly storage: Storage,
    private readonly self: Hex,
  ) {}

  /**
   * Checks a signed request (the parsed body, whose JSON.stringify is what was signed) and returns
   * its requester; a DomainError says why not.
   */
  async verify(purpose: string, body: Envelope, signature: string): Promise<Participant> {
    const raw = JSON.stringify(body);
    const requester = await getParticipant(this.storage, body.requester);
    if (!requester || !requester.active) throw forbidden('the requester is not an active participant');
    const signer = /^0x[0-9a-fA-F]{130}$/.test(signature) ? await recoverMessageAddress({ message: { raw: requestDigest(purpose, raw) }, signature: signature as Hex }).catch(() => undefined) : undefined;
    if (!signer || getAddress(signer) !== getAddress(requester.signer)) throw security("the request is not signed by the requester's registered key");
    if (body.audience?.toLowerCase() !== this.self.toLowerCase()) throw security('the request is addressed to another organization');
    if (Math.abs(Date.now() - body.timestamp) > MAX_SKEW_MS) throw security('the request is too old or from the future');
    const fresh = await this.storage.run('INSERT INTO org_request_nonces (org_id, nonce, seen_ms) VALUES (?, ?, ?) ON CONFLICT (org_id, nonce) DO NOTHING', [requester.orgId, body.nonce, Date.now()]);
    if (fresh.changes === 0) throw security('replayed request');
    return requester;
  }
}

/** The zod fields of an envelope, to extend in each request schema. */
export const envelopeFields = {
  requester: /^0x[0-9a-fA-F]{64}$/,
  audience: /^0x[0-9a-fA-F]{64}$/,
  nonce: /^[0-9a-f]{32}$/,
} as const;

