/**
 * The policy decision point for access by other organizations: a matching, started, unexpired,
 * unrevoked grant for the stated purpose and scope, read from the node's indexed copy of the ledger
 * (no chain round trip). Every decision states the block height it used.
 */
import type { Hex } from 'viem';
import type { Db } from '../db/database.ts';
import type { PurposeCode } from './typed-data.ts';

export interface Decision {
  allow: boolean;
  reason: string;
  grantId?: Hex;
  indexedBlock: number;
}

export interface GrantRow {
  grant_id: Hex;
  patient: Hex;
  grantee: Hex;
  scope_hash: Hex;
  purpose: PurposeCode;
  start: number;
  expiry: number;
  signer: Hex;
  granted_block: number;
  revoked_block: number | null;
}

export function grantsOf(db: Db, patient: Hex): GrantRow[] {
  return db.prepare('SELECT * FROM consent_grants WHERE lower(patient) = lower(?) ORDER BY granted_block').all(patient) as GrantRow[];
}

export function decide(
  db: Db,
  q: { patient: Hex; grantees: Hex[]; purpose: PurposeCode; scopeHash: Hex; nowSeconds: number; indexedBlock: number },
): Decision {
  const base = { indexedBlock: q.indexedBlock };
  // Narrow from the most to the least specific condition, so a denial names what is missing.
  const grants = grantsOf(db, q.patient).filter((g) => q.grantees.includes(g.grantee));
  if (grants.length === 0) return { ...base, allow: false, reason: 'no grant for this grantee' };
  const forScope = grants.filter((g) => g.scope_hash === q.scopeHash);
  if (forScope.length === 0) return { ...base, allow: false, reason: 'no grant with this scope' };
  const forPurpose = forScope.filter((g) => g.purpose === q.purpose);
  if (forPurpose.length === 0) return { ...base, allow: false, reason: `no grant for purpose ${q.purpose}` };
  const live = forPurpose.filter((g) => g.revoked_block === null || g.revoked_block > q.indexedBlock);
  if (live.length === 0) return { ...base, allow: false, reason: 'the grant was revoked' };
  const match = live.find((g) => g.start <= q.nowSeconds && q.nowSeconds < g.expiry);
  if (!match) return { ...base, allow: false, reason: 'the grant is expired or not yet valid' };
  return { ...base, allow: true, reason: 'grant in force', grantId: match.grant_id };
}
