/**
 * Organization-to-organization requests, signed the way the record exchange signs them
 * (src/exchange/protocol.ts and custodian.ts: EIP-191 over a SHA-256 digest, checked against the
 * requester's signing key in the indexed ParticipantRegistry, a five-minute time window and a
 * single-use nonce), factored out here so every feature that talks to another node uses one helper.
 *
 * Beyond the exchange's digest (which covers the body only), this one binds what a replay to another
 * place would change: a protocol tag, the requesting and the addressed organization, the method and
 * the path with its query string. A request signed for one node is refused by every other, and a GET
 * (no body) is signed as well as a POST. The exchange keeps its own digest for now; it can move to this
 * helper without changing its wire format only by adopting these headers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { getAddress, recoverMessageAddress, type Hex } from 'viem';
import type { LocalAccount } from 'viem/accounts';
import { getParticipant, type Participant } from '../indexer/projectors/participants.ts';
import { DomainError, forbidden } from '../shared/errors.ts';
import type { Sql } from '../storage/engine.ts';

export const ORG_HEADER = 'x-carechain-org';
export const TIMESTAMP_HEADER = 'x-carechain-timestamp';
export const NONCE_HEADER = 'x-carechain-nonce';
export const SIGNATURE_HEADER = 'x-carechain-signature';
/** How old (or how far in the future) a signed request may be: as the exchange's. */
export const MAX_SKEW_MS = 5 * 60_000;

export interface OrgRequest {
  /** The protocol, e.g. `supply-verify`: a signature for one protocol is worthless in another. */
  protocol: string;
  /** The organization the request is addressed to. */
  audience: Hex;
  method: string;
  /** The path and query string exactly as sent. */
  path: string;
  /** The body exactly as sent ('' for none). */
  body: string;
}

export interface SignedParts {
  org: Hex;
  timestamp: number;
  nonce: string;
}

/** The digest an organization signs (EIP-191, raw 32 bytes). */
export function orgRequestDigest(r: OrgRequest & SignedParts): Uint8Array {
  const bodyHash = createHash('sha256').update(r.body).digest('hex');
  return createHash('sha256')
    .update(`carechain:${r.protocol}:v1\n${r.org.toLowerCase()}\n${r.audience.toLowerCase()}\n${r.method.toUpperCase()}\n${r.path}\n${r.timestamp}\n${r.nonce}\n${bodyHash}`)
    .digest();
}

/** Signs a request as `org`; returns the headers to send with it. */
export async function signOrgRequest(account: LocalAccount, org: Hex, r: OrgRequest, now = Date.now()): Promise<Record<string, string>> {
  const parts: SignedParts = { org, timestamp: now, nonce: randomBytes(16).toString('hex') };
  const signature = await account.signMessage!({ message: { raw: orgRequestDigest({ ...r, ...parts }) } });
  return { [ORG_HEADER]: org, [TIMESTAMP_HEADER]: String(parts.timestamp), [NONCE_HEADER]: parts.nonce, [SIGNATURE_HEADER]: signature };
}

export interface VerifyDeps {
  sql: Sql;
  /** Records a nonce; false if this organization used it before (a replay). */
  useNonce(org: Hex, nonce: string): Promise<boolean>;
  now?: () => number;
}

const security = (message: string) => new DomainError('unauthenticated', message, { code: 'security' });
const header = (h: Record<string, unknown>, name: string) => {
  const v = h[name];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
};

/**
 * Checks a signed request addressed to this organization: a registered, active organization, its
 * current signing key, a fresh timestamp and an unused nonce. Returns the requesting participant.
 */
export async function verifyOrgRequest(deps: VerifyDeps, r: OrgRequest & { headers: Record<string, unknown> }): Promise<Participant> {
  const org = header(r.headers, ORG_HEADER);
  const timestamp = Number(header(r.headers, TIMESTAMP_HEADER));
  const nonce = header(r.headers, NONCE_HEADER);
  const signature = header(r.headers, SIGNATURE_HEADER);
  if (!/^0x[0-9a-fA-F]{64}$/.test(org) || !Number.isInteger(timestamp) || !/^[0-9a-f]{32}$/.test(nonce) || !/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    throw security(`a signed request needs the headers ${ORG_HEADER}, ${TIMESTAMP_HEADER}, ${NONCE_HEADER} and ${SIGNATURE_HEADER}`);
  }
  const requester = await getParticipant(deps.sql, org as Hex);
  if (!requester || !requester.active) throw forbidden('the requesting organization is not an active participant of the network');
  const digest = orgRequestDigest({ ...r, org: org as Hex, timestamp, nonce });
  const signer = await recoverMessageAddress({ message: { raw: digest }, signature: signature as Hex }).catch(() => undefined);
  if (!signer || getAddress(signer) !== getAddress(requester.signer)) throw security("the request is not signed by the requesting organization's registered key (or was signed for another node, path or body)");
  if (Math.abs((deps.now?.() ?? Date.now()) - timestamp) > MAX_SKEW_MS) throw security('the request is too old or from the future');
  if (!(await deps.useNonce(requester.orgId, nonce))) throw security('replayed request');
  return requester;
}
