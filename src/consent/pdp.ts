/**
 * The policy decision point for access by other organizations: the grant the request names must
 * be on the ledger for this patient, its salted commitments must open to the requesting organization
 * (or its named practitioner) and to the requested scope, for the stated purpose, started, unexpired
 * and unrevoked at the indexed block. Pure over the grant row, so it is unit-tested beside it; every
 * decision states the block height it used, and a denial names what is missing.
 */
import type { Hex } from 'viem';
import type { PurposeCode } from '../chain/ids.ts';
import type { GrantRow } from '../indexer/projectors/consent.ts';
import { granteeCommitment, practitionerGrantee, scopeCommitment } from './commitments.ts';
import type { Scope } from './scope.ts';

export interface Decision {
  allow: boolean;
  reason: string;
  grantId?: Hex;
  indexedBlock: number;
}

export interface AccessQuery {
  /** The patient's address at this custodian. */
  patient: Hex;
  /** The requesting organization, and the practitioner there it asks for. */
  requester: Hex;
  practitioner?: string;
  purpose: PurposeCode;
  scope: Scope;
  /** The grant's salt, as the patient disclosed it to the grantee. */
  salt?: Hex;
  nowSeconds: number;
  indexedBlock: number;
}

export function decide(grant: GrantRow | undefined, q: AccessQuery): Decision {
  const deny = (reason: string): Decision => ({ allow: false, reason, indexedBlock: q.indexedBlock });
  if (!grant || !q.salt) return deny('no grant for this grantee');
  if (grant.patient.toLowerCase() !== q.patient.toLowerCase()) return deny('no grant for this grantee');
  // Narrow from the most to the least specific condition, so a denial names what is missing.
  const grantees = [q.requester, ...(q.practitioner ? [practitionerGrantee(q.requester, q.practitioner)] : [])];
  if (!grantees.some((g) => granteeCommitment(q.salt!, g) === grant.grantee.toLowerCase())) return deny('no grant for this grantee');
  if (scopeCommitment(q.salt, q.scope) !== grant.scope_hash.toLowerCase()) return deny('no grant with this scope');
  if (grant.purpose !== q.purpose) return deny(`no grant for purpose ${q.purpose}`);
  if (grant.revoked_block !== null && grant.revoked_block <= q.indexedBlock) return deny('the grant was revoked');
  if (!(grant.start <= q.nowSeconds && q.nowSeconds < grant.expiry)) return deny('the grant is expired or not yet valid');
  return { allow: true, reason: 'grant in force', grantId: grant.grant_id, indexedBlock: q.indexedBlock };
}
