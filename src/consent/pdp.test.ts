/** The policy decision point, table-driven: each condition that can deny, and the one way to allow. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Hex } from 'viem';
import type { GrantRow } from '../indexer/projectors/consent.ts';
import { granteeCommitment, newSalt, practitionerGrantee, scopeCommitment } from './commitments.ts';
import { decide, type AccessQuery } from './pdp.ts';
import type { Scope } from './scope.ts';

const hex = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const ORG = hex(1);
const OTHER = hex(2);
const PATIENT = `0x${'ab'.repeat(20)}` as Hex;
const salt = newSalt();
const vitals: Scope = { resourceTypes: ['Observation'] };
const grant = (over: Partial<GrantRow> = {}): GrantRow => ({
  grant_id: hex(100),
  patient: PATIENT,
  grantee: granteeCommitment(salt, ORG),
  scope_hash: scopeCommitment(salt, vitals),
  purpose: 'TREAT',
  start: 1_000,
  expiry: 2_000,
  signer: PATIENT,
  granted_block: 5,
  revoked_block: null,
  ...over,
});
const query: AccessQuery = { patient: PATIENT, requester: ORG, purpose: 'TREAT', scope: vitals, salt, nowSeconds: 1_500, indexedBlock: 10 };

test('decisions', () => {
  const cases: [string, GrantRow | undefined, Partial<AccessQuery>, boolean, RegExp][] = [
    ['a matching grant in force', grant(), {}, true, /grant in force/],
    ['no grant named', undefined, {}, false, /no grant for this grantee/],
    ['no salt disclosed', grant(), { salt: undefined }, false, /no grant for this grantee/],
    ['another patient', grant({ patient: `0x${'cd'.repeat(20)}` }), {}, false, /no grant for this grantee/],
    ['another organization asks', grant(), { requester: OTHER }, false, /no grant for this grantee/],
    ['the wrong salt', grant(), { salt: newSalt() }, false, /no grant for this grantee/],
    ['a grant to one practitioner, asked for by them', grant({ grantee: granteeCommitment(salt, practitionerGrantee(ORG, 'Practitioner/a')) }), { practitioner: 'Practitioner/a' }, true, /grant in force/],
    ['a grant to one practitioner, asked for by another', grant({ grantee: granteeCommitment(salt, practitionerGrantee(ORG, 'Practitioner/a')) }), { practitioner: 'Practitioner/b' }, false, /no grant for this grantee/],
    ['another scope', grant(), { scope: { resourceTypes: ['Condition'] } }, false, /no grant with this scope/],
    ['the same scope in another order', grant({ scope_hash: scopeCommitment(salt, { resourceTypes: ['Observation', 'Condition'] }) }), { scope: { resourceTypes: ['Condition', 'Observation'] } }, true, /grant in force/],
    ['another purpose', grant({ purpose: 'HRESCH' }), {}, false, /no grant for purpose TREAT/],
    ['revoked at the indexed block', grant({ revoked_block: 10 }), {}, false, /revoked/],
    ['revoked in a later block than the one decided on', grant({ revoked_block: 11 }), {}, true, /grant in force/],
    ['not started yet', grant({ start: 1_600 }), {}, false, /expired or not yet valid/],
    ['expired (expiry is exclusive)', grant({ expiry: 1_500 }), {}, false, /expired or not yet valid/],
  ];
  for (const [what, g, q, allow, reason] of cases) {
    const d = decide(g, { ...query, ...q });
    assert.equal(d.allow, allow, what);
    assert.match(d.reason, reason, what);
    assert.equal(d.indexedBlock, q.indexedBlock ?? query.indexedBlock, `${what}: the decision states its block`);
    if (allow) assert.ok(d.grantId, `${what}: names the grant`);
  }
});
