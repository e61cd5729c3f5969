/** The policy decision point, table-driven: each condition that can deny, and the one way to allow. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Hex } from 'viem';
import type { GrantRow } from '../indexer/projectors/consent.ts';
import { decide, type AccessQuery } from './pdp.ts';

const hex = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const ORG = hex(1);
const OTHER = hex(2);
const SCOPE = hex(10);
const grant = (over: Partial<GrantRow> = {}): GrantRow => ({
  grant_id: hex(100),
  patient: `0x${'ab'.repeat(20)}`,
  grantee: ORG,
  scope_hash: SCOPE,
  purpose: 'TREAT',
  start: 1_000,
  expiry: 2_000,
  signer: `0x${'ab'.repeat(20)}`,
  granted_block: 5,
  revoked_block: null,
  ...over,
});
const query: AccessQuery = { grantees: [ORG], purpose: 'TREAT', scopeHash: SCOPE, nowSeconds: 1_500, indexedBlock: 10 };

test('decisions', () => {
  const cases: [string, GrantRow[], Partial<AccessQuery>, boolean, RegExp][] = [
    ['a matching grant in force', [grant()], {}, true, /grant in force/],
    ['no grants at all', [], {}, false, /no grant for this grantee/],
    ['a grant to another organization', [grant({ grantee: OTHER })], {}, false, /no grant for this grantee/],
    ['a practitioner grantee among the asked ones', [grant({ grantee: OTHER })], { grantees: [ORG, OTHER] }, true, /grant in force/],
    ['another scope', [grant({ scope_hash: hex(11) })], {}, false, /no grant with this scope/],
    ['another purpose', [grant({ purpose: 'HRESCH' })], {}, false, /no grant for purpose TREAT/],
    ['revoked at the indexed block', [grant({ revoked_block: 10 })], {}, false, /revoked/],
    ['revoked in a later block than the one decided on', [grant({ revoked_block: 11 })], {}, true, /grant in force/],
    ['not started yet', [grant({ start: 1_600 })], {}, false, /expired or not yet valid/],
    ['expired (expiry is exclusive)', [grant({ expiry: 1_500 })], {}, false, /expired or not yet valid/],
    ['one revoked, one live: the live one decides', [grant({ revoked_block: 3 }), grant({ grant_id: hex(101) })], {}, true, /grant in force/],
  ];
  for (const [what, grants, q, allow, reason] of cases) {
    const d = decide(grants, { ...query, ...q });
    assert.equal(d.allow, allow, what);
    assert.match(d.reason, reason, what);
    assert.equal(d.indexedBlock, (q.indexedBlock ?? query.indexedBlock), `${what}: the decision states its block`);
    if (allow) assert.ok(d.grantId, `${what}: names the grant`);
  }
});
