import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatePrivateKey } from 'viem/accounts';
import { custodianKey as nodeCustodianKey } from '../../src/crypto/patient-keys.ts';
import { orgIdOf } from '../../src/chain/ids.ts';
import { custodianKey, parseMasterKey } from './keys.ts';

test('the browser derives the same custodian key as the node (HKDF-SHA256)', () => {
  for (let i = 0; i < 20; i++) {
    const master = generatePrivateKey();
    const org = orgIdOf(`org-${i}`);
    assert.equal(custodianKey(master, org), nodeCustodianKey(master, org));
  }
});

test('master keys are parsed from hex or an unsealed key file, and refused otherwise', () => {
  const k = `0x${'ab'.repeat(32)}` as const;
  const cases: [string, string | RegExp][] = [
    [k, k],
    ['AB'.repeat(32), k],
    [JSON.stringify({ version: 1, address: '0x0', key: k }), k],
    [JSON.stringify({ version: 1, address: '0x0', sealed: { salt: '', data: '' } }), /sealed/],
    ['{not json', /not valid JSON/],
    ['0x1234', /64 hexadecimal/],
  ];
  for (const [input, want] of cases) {
    if (typeof want === 'string') assert.equal(parseMasterKey(input), want);
    else assert.throws(() => parseMasterKey(input), want);
  }
});
