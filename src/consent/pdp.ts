/**
 * The policy decision point for access by other organizations: a matching, started, unexpired,
 * unrevoked grant for the stated purpose and scope, from the node's indexed copy of the ledger (no
 * chain round trip). Pure over the patient's grants, so it is unit-tested beside it; every decision
 * states the block height it used, and a denial names what is missing.
 */
import type { Hex } from 'viem';
import type { PurposeCode } from '../chain/ids.ts';
import type { GrantRow } from '../indexer/projectors/consent.ts';

export interface Decision {
  allow: boolean;
  reason: string;
  grantId?: Hex;
  indexedBlock: number;
}

export interface AccessQuery {
  grantees: Hex[];
  purpose: PurposeCode;
  scopeHash: Hex;
  nowSeconds: number;
  indexedBlock: number;
}

export function decide(grants: readonly GrantRow[], q: AccessQuery): Decision {
  const base = { indexedBlock: q.indexedBlock };
  // Narrow from the most to the least specific condition, so a denial names what is missing.
  const forGrantee = grants.filter((g) => q.grantees.includes(g.grantee));
  if (forGrantee.length === 0) return { ...base, allow: false, reason: 'no grant for this grantee' };
  const forScope = forGrantee.filter((g) => g.scope_hash === q.scopeHash);
  if (forScope.length === 0) return { ...base, allow: false, reason: 'no grant with this scope' };
  const forPurpose = forScope.filter((g) => g.purpose === q.purpose);
  if (forPurpose.length === 0) return { ...base, allow: false, reason: `no grant for purpose ${q.purpose}` };
  const live = forPurpose.filter((g) => g.revoked_block === null || g.revoked_block > q.indexedBlock);
  if (live.length === 0) return { ...base, allow: false, reason: 'the grant was revoked' };
  const match = live.find((g) => g.start <= q.nowSeconds && q.nowSeconds < g.expiry);
  if (!match) return { ...base, allow: false, reason: 'the grant is expired or not yet valid' };
  return { ...base, allow: true, reason: 'grant in force', grantId: match.grant_id };
}
