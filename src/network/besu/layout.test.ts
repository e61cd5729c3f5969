import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { planLayout, type LayoutOptions } from './layout.ts';

describe('validator layout', () => {
  it('compose: fixed bridge addresses, RPC published on consecutive localhost ports', () => {
    const l = planLayout({ target: 'compose', validators: 4 });
    assert.deepEqual(
      l.map((v) => [v.name, v.p2pHost, v.p2pPort, v.rpcHost, v.rpcPort, v.publishedRpcPort, v.rpcUrl]),
      [1, 2, 3, 4].map((n) => [`validator-${n}`, `172.16.239.${10 + n}`, 30303, '0.0.0.0', 8545, 8544 + n, `http://127.0.0.1:${8544 + n}`]),
    );
    assert.deepEqual(l[0]!.besuPaths, {
      configFile: '/besu/config.toml',
      dataPath: '/besu/data',
      keyFile: '/besu/data/key',
      staticNodesFile: '/besu/data/static-nodes.json',
      permissionsFile: '/besu/data/permissions_config.toml',
      genesisFile: '/genesis.json',
    });
  });
  it('compose: another subnet and base port', () => {
    const l = planLayout({ target: 'compose', validators: 2, subnet: '10.9.8.0/24', rpcPort: 9000 });
    assert.deepEqual(l.map((v) => [v.p2pHost, v.rpcUrl]), [['10.9.8.11', 'http://127.0.0.1:9000'], ['10.9.8.12', 'http://127.0.0.1:9001']]);
  });
  it('systemd on one machine: consecutive ports on 127.0.0.1', () => {
    const l = planLayout({ target: 'systemd', validators: 3 });
    assert.deepEqual(l.map((v) => [v.p2pHost, v.p2pPort, v.rpcPort, v.rpcHost]), [['127.0.0.1', 30303, 8545, '127.0.0.1'], ['127.0.0.1', 30304, 8546, '127.0.0.1'], ['127.0.0.1', 30305, 8547, '127.0.0.1']]);
    assert.equal(l[2]!.besuPaths.configFile, '/var/lib/carechain-besu/validator-3/config.toml');
    assert.equal(l[2]!.besuPaths.genesisFile, '/var/lib/carechain-besu/genesis.json');
  });
  it('systemd on several machines: default ports on each, consecutive where two share a host', () => {
    const l = planLayout({ target: 'systemd', validators: 4, hosts: ['10.0.0.1', '10.0.0.2', '10.0.0.1', '2001:db8::7'], installDir: '/srv/besu' });
    assert.deepEqual(l.map((v) => [v.p2pHost, v.p2pPort, v.rpcPort]), [['10.0.0.1', 30303, 8545], ['10.0.0.2', 30303, 8545], ['10.0.0.1', 30304, 8546], ['2001:db8::7', 30303, 8545]]);
    assert.equal(l[0]!.besuPaths.dataPath, '/srv/besu/validator-1/data');
  });
  for (const [what, opts, pattern] of [
    ['0 validators', { target: 'compose', validators: 0 }, /from 1 to 200/],
    ['201 validators', { target: 'compose', validators: 201 }, /from 1 to 200/],
    ['a /16 subnet', { target: 'compose', validators: 1, subnet: '10.0.0.0/16' }, /IPv4 \/24/],
    ['hosts with compose', { target: 'compose', validators: 1, hosts: ['10.0.0.1'] }, /systemd target/],
    ['too few hosts', { target: 'systemd', validators: 2, hosts: ['10.0.0.1'] }, /one host per validator/],
    ['a host name', { target: 'systemd', validators: 1, hosts: ['node1.example.org'] }, /must be an IP address/],
    ['a relative install dir', { target: 'systemd', validators: 1, installDir: 'besu' }, /absolute/],
    ['an unknown target', { target: 'kubernetes', validators: 1 }, /compose or systemd/],
    ['ports past 65535', { target: 'compose', validators: 4, rpcPort: 65534 }, /do not fit/],
  ] as const) {
    it(`refuses ${what}`, () => {
      assert.throws(() => planLayout(opts as unknown as LayoutOptions), (e: unknown) => isDomainError(e, 'invalid') && pattern.test((e as Error).message));
    });
  }
});
