import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { encodeAbiParameters, type Hex } from 'viem';
import { commitmentOf, containerId, itemId, lotIdOf, parseUnitId, saltOf, unitKeyOf } from './keys.ts';

const secret = Buffer.alloc(32, 7);
const org = `0x${'ab'.repeat(32)}` as Hex;

test('unit ids round-trip and refuse what is not a GTIN+serial or an SSCC', () => {
  assert.deepEqual(parseUnitId(itemId('00614141123452', 'SN-1')), { kind: 'item', gtin: '00614141123452', serial: 'SN-1' });
  assert.deepEqual(parseUnitId(containerId('106141411234567897')), { kind: 'container', sscc: '106141411234567897' });
  for (const bad of ['01123', '0100614141123452', '00123', '21abc']) assert.throws(() => parseUnitId(bad), /not a unit id/);
});

test('salts and lot ids depend on the secret, the GTIN and the lot', () => {
  const s = saltOf(secret, 'lot', '00614141123452/L1');
  assert.notDeepEqual(s, saltOf(Buffer.alloc(32, 8), 'lot', '00614141123452/L1'));
  assert.notDeepEqual(s, saltOf(secret, 'container', '00614141123452/L1'));
  const id = lotIdOf(s, '00614141123452', 'L1');
  assert.match(id, /^0x[0-9a-f]{64}$/);
  assert.notEqual(id, lotIdOf(s, '00614141123452', 'L2'));
  // GTIN and lot cannot run into each other
  assert.notEqual(lotIdOf(s, '0061414112345', '2L1'), lotIdOf(s, '00614141123452', 'L1'));
});

test('the unit key is sha256(abi.encode(creator, commitment)), as the contract computes it', () => {
  const c = commitmentOf(saltOf(secret, 'lot', 'x'), itemId('00614141123452', '1'));
  const abi = encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }], [org, `0x${c.toString('hex')}`]);
  const expected = createHash('sha256').update(Buffer.from(abi.slice(2), 'hex')).digest();
  assert.deepEqual(unitKeyOf(org, c), expected);
  assert.notDeepEqual(unitKeyOf(`0x${'cd'.repeat(32)}`, c), expected, 'another creator, another key');
  assert.throws(() => unitKeyOf('0x1234', c), /32-byte/);
});
