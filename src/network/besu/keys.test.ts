import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getAddress } from 'viem';
import { isDomainError } from '../../shared/errors.ts';
import { besuKeyFile, besuPublicKeyFile, enodeUrl, generateNodeKey, nodeKeyFromPrivateKey, parseBesuKeyFile } from './keys.ts';
import { besuVector } from './test-vectors.ts';

const isInvalid = (pattern: RegExp) => (e: unknown) => isDomainError(e, 'invalid') && pattern.test((e as Error).message);

describe('node keys against Besu test key pairs', () => {
  // Besu acceptance-tests/…/qbft/migration-ibft1/minerNkey and minerNkey.pub: a key file and the public key Besu exports for it.
  for (const n of [1, 2, 3, 4, 5]) {
    it(`miner${n}key gives the public key in miner${n}key.pub`, () => {
      const keyFile = besuVector(`keys/miner${n}key`);
      const pub = besuVector(`keys/miner${n}key.pub`).trim();
      const key = parseBesuKeyFile(keyFile);
      assert.equal(key.nodeId, pub);
      assert.equal(besuPublicKeyFile(key), `0x${pub}`);
      // Our key file is byte-identical to Besu's.
      assert.equal(besuKeyFile(key), keyFile);
    });
  }

  // Besu acceptance-tests/…/qbft/qbft.json: alloc entries keyed by address, with their private key alongside.
  const alloc = JSON.parse(besuVector('qbft-acceptance-genesis.json')).alloc as Record<string, { privateKey: string }>;
  for (const [address, { privateKey }] of Object.entries(alloc)) {
    it(`private key ${privateKey.slice(0, 8)}… has address ${address}`, () => {
      assert.equal(nodeKeyFromPrivateKey(`0x${privateKey}`).address, getAddress(`0x${address}`));
    });
  }
  it('read three address vectors', () => assert.equal(Object.keys(alloc).length, 3));
});

describe('Besu key files', () => {
  const key = nodeKeyFromPrivateKey('0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63');
  it('accepts a 0x prefix and a trailing newline, as Besu does', () => {
    for (const text of ['8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63', '0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63\n']) {
      assert.equal(parseBesuKeyFile(text).address, key.address);
    }
  });
  for (const [what, text, pattern] of [
    ['two lines', `${besuKeyFile(key)}\n${besuKeyFile(key)}\n`, /exactly one line/],
    ['an empty file', '', /exactly one line .*found 0/],
    ['a short key', 'abcd', /32 bytes/],
    ['the zero key', '00'.repeat(32), /not a valid secp256k1 scalar/],
    ['the curve order', 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', /not a valid secp256k1 scalar/],
  ] as const) {
    it(`refuses ${what}`, () => assert.throws(() => parseBesuKeyFile(text), isInvalid(pattern)));
  }
  it('generates distinct valid keys whose files read back', () => {
    const a = generateNodeKey();
    const b = generateNodeKey();
    assert.notEqual(a.privateKey, b.privateKey);
    assert.deepEqual(parseBesuKeyFile(besuKeyFile(a)), a);
    assert.match(a.nodeId, /^[0-9a-f]{128}$/);
  });
});

describe('enode URLs', () => {
  it("matches the example in Besu's node-keys documentation", () => {
    const docs = besuVector('besu-docs-node-keys.md');
    const example = /then the enode URL is `(enode:\/\/[0-9a-f]{128}@127\.0\.0\.1:30303)`/.exec(docs)?.[1];
    assert.ok(example, 'example found in the copied documentation');
    const nodeId = example.slice('enode://'.length, 'enode://'.length + 128);
    assert.equal(enodeUrl(nodeId, '127.0.0.1', 30303), example);
  });
  it('brackets IPv6 hosts', () => {
    assert.equal(enodeUrl('ab'.repeat(64), '::1', 30303), `enode://${'ab'.repeat(64)}@[::1]:30303`);
  });
  for (const [what, args, pattern] of [
    ['a host name', ['ab'.repeat(64), 'validator1.example', 30303], /must be an IP address/],
    ['port 0', ['ab'.repeat(64), '10.0.0.1', 0], /port must be an integer from 1/],
    ['a 0x node ID', [`0x${'ab'.repeat(63)}`, '10.0.0.1', 30303], /128 lowercase hex/],
  ] as const) {
    it(`refuses ${what}`, () => assert.throws(() => enodeUrl(...(args as [string, string, number])), isInvalid(pattern)));
  }
});
