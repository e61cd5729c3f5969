/** Salted commitments: they open only with the salt, and reveal nothing enumerable without it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keccak256, stringToHex } from 'viem';
import { granteeCommitment, newSalt, opens, scopeCommitment, scopeDigest } from './commitments.ts';

const org = keccak256(stringToHex('carechain:org:riverside'));

test('a commitment opens with its salt, not with another', () => {
  const salt = newSalt();
  const scope = { resourceTypes: ['Observation'], sensitive: ['hiv' as const] };
  const onChain = { grantee: granteeCommitment(salt, org), scopeHash: scopeCommitment(salt, scope) };
  assert.deepEqual(opens(onChain, { salt, grantee: { org }, scope }), { grantee: true, scope: true });
  assert.deepEqual(opens(onChain, { salt: newSalt(), grantee: { org }, scope }), { grantee: false, scope: false });
  assert.deepEqual(opens(onChain, { salt, grantee: { org }, scope: { resourceTypes: ['Observation'] } }), { grantee: true, scope: false });
});

test('two grants of the same scope to the same grantee look unrelated', () => {
  const scope = { resourceTypes: ['Condition'] };
  assert.notEqual(scopeCommitment(newSalt(), scope), scopeCommitment(newSalt(), scope));
  assert.notEqual(granteeCommitment(newSalt(), org), granteeCommitment(newSalt(), org));
  // The unsalted digest (which an attacker can enumerate) is never what goes on chain.
  assert.notEqual(scopeCommitment(newSalt(), scope), scopeDigest(scope));
});
