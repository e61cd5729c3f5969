/** Per-custodian patient keys: deterministic, distinct per custodian, unlinkable without the master key. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keccak256, stringToHex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { breakGlassTag, breakGlassTagSecret, custodianAccount, custodianKey } from './patient-keys.ts';

const orgA = keccak256(stringToHex('carechain:org:st-mary'));
const orgB = keccak256(stringToHex('carechain:org:riverside'));

test('one master key gives one stable, different address per custodian', () => {
  const master = generatePrivateKey();
  assert.equal(custodianKey(master, orgA), custodianKey(master, orgA), 'deterministic');
  assert.notEqual(custodianAccount(master, orgA).address, custodianAccount(master, orgB).address);
  assert.notEqual(custodianAccount(master, orgA).address, custodianAccount(generatePrivateKey(), orgA).address, 'another patient, another address');
});

test('break-glass tags: the same secret and access give the same tag; another access or key does not', () => {
  const key = custodianKey(generatePrivateKey(), orgA);
  const secret = breakGlassTagSecret(key);
  const access = keccak256(stringToHex('access-1'));
  assert.equal(breakGlassTag(secret, access), breakGlassTag(secret, access));
  assert.notEqual(breakGlassTag(secret, access), breakGlassTag(secret, keccak256(stringToHex('access-2'))));
  assert.notEqual(breakGlassTag(secret, access), breakGlassTag(breakGlassTagSecret(custodianKey(generatePrivateKey(), orgA)), access));
  assert.notEqual(secret, key, 'the tag secret is not the key');
});
