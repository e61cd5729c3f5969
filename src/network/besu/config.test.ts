import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getAddress } from 'viem';
import { isDomainError } from '../../shared/errors.ts';
import { besuConfigToml, permissionsToml, RPC_APIS, staticNodesJson } from './config.ts';
import { enodeUrl, parseBesuKeyFile } from './keys.ts';
import { planLayout } from './layout.ts';
import { besuVector, markdownBlockAfter } from './test-vectors.ts';
import { toToml } from './toml.ts';

type Kind = 'string' | 'array' | 'boolean' | 'integer' | 'float';
/** The `key=value` lines of a flat TOML file, each with the kind of its value (first line of a multi-line array is enough). */
function flatToml(text: string): Map<string, { kind: Kind; raw: string }> {
  const out = new Map<string, { kind: Kind; raw: string }>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const raw = m[2]!.trim();
    const kind: Kind = raw.startsWith('"') ? 'string' : raw.startsWith('[') ? 'array' : raw === 'true' || raw === 'false' ? 'boolean' : /^-?\d[\d_]*$/.test(raw) ? 'integer' : /^-?\d+\.\d+$/.test(raw) ? 'float' : (() => {
      throw new Error(`unexpected TOML value in: ${line}`);
    })();
    assert.equal(out.has(m[1]!), false, `duplicate key ${m[1]}`);
    out.set(m[1]!, { kind, raw });
  }
  return out;
}

const keys = [1, 2, 3, 4].map((n) => parseBesuKeyFile(besuVector(`keys/miner${n}key`)));
const composeLayout = planLayout({ target: 'compose', validators: 4 });
const systemdLayout = planLayout({ target: 'systemd', validators: 4, hosts: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'] });
const everything = flatToml(besuVector('everything_config.toml'));

describe("config.toml against Besu's everything_config.toml (every option Besu accepts, 26.2.0)", () => {
  for (const [target, layout] of [['compose', composeLayout], ['systemd', systemdLayout]] as const) {
    for (const accountsAllowlist of [false, true]) {
      it(`${target}, accounts allow-list ${accountsAllowlist ? 'on' : 'off'}: every key is a Besu option with a value of the same kind`, () => {
        const ours = flatToml(besuConfigToml(layout[0]!, { accountsAllowlist }));
        assert.ok(ours.size >= 20);
        for (const [key, { kind }] of ours) {
          const theirs = everything.get(key);
          assert.ok(theirs, `${key} is a Besu option`);
          assert.equal(kind, theirs.kind, `${key} is a ${theirs.kind} in Besu's example`);
        }
        assert.equal(ours.has('permissions-accounts-config-file-enabled'), accountsAllowlist);
      });
    }
  }
  it('the settings the network depends on', () => {
    const c = flatToml(besuConfigToml(composeLayout[1]!, { accountsAllowlist: false }));
    const value = (k: string) => c.get(k)?.raw;
    assert.equal(value('min-gas-price'), '0');
    assert.equal(value('discovery-enabled'), 'false');
    assert.equal(value('permissions-nodes-config-file-enabled'), 'true');
    assert.equal(value('rpc-http-api'), JSON.stringify(RPC_APIS));
    assert.equal(value('host-allowlist'), '["localhost","127.0.0.1"]');
    assert.equal(value('p2p-host'), '"172.16.239.12"');
    assert.equal(value('data-path'), '"/besu/data"');
    assert.equal(value('node-private-key-file'), '"/besu/data/key"');
    assert.equal(value('genesis-file'), '"/genesis.json"');
    assert.equal(value('profile'), '"ENTERPRISE"');
    assert.equal(c.has('tx-pool-price-bump'), false, 'Besu refuses a price bump with zero base fee');
  });
  it('systemd validators bind JSON-RPC to 127.0.0.1 and advertise their host', () => {
    const c = flatToml(besuConfigToml(systemdLayout[2]!, { accountsAllowlist: false }));
    assert.equal(c.get('rpc-http-host')?.raw, '"127.0.0.1"');
    assert.equal(c.get('p2p-host')?.raw, '"10.0.0.3"');
    assert.equal(c.get('data-path')?.raw, '"/var/lib/carechain-besu/validator-3/data"');
  });
});

describe('static-nodes.json and permissions_config.toml against the Besu docs', () => {
  const enodes = keys.map((k, i) => enodeUrl(k.nodeId, composeLayout[i]!.p2pHost, 30303));
  it("static-nodes.json has the shape of the docs' example: a JSON array of enode URLs", () => {
    const example = JSON.parse(markdownBlockAfter(besuVector('besu-docs-static-nodes.md'), '### `static-nodes.json` file')) as string[];
    const ours = JSON.parse(staticNodesJson(enodes)) as string[];
    const shape = /^enode:\/\/[0-9a-f]{128}@[0-9.]+:\d+$/;
    for (const e of [...example, ...ours]) assert.match(e, shape);
    assert.deepEqual(ours, enodes);
  });
  it("permissions_config.toml has the keys and value kinds of the docs' sample", () => {
    const sample = flatToml(markdownBlockAfter(besuVector('besu-docs-local-permissioning.md'), '## Permissions configuration file'));
    const accounts = [getAddress('0xb9b81ee349c3807e46bc71aa2632203c5b462032')];
    const ours = flatToml(permissionsToml({ enodes, accounts }));
    assert.deepEqual([...ours.keys()].sort(), [...sample.keys()].sort());
    for (const [k, v] of ours) assert.equal(v.kind, sample.get(k)?.kind);
    assert.equal(ours.get('accounts-allowlist')?.raw, '["0xb9b81ee349c3807e46bc71aa2632203c5b462032"]');
    assert.equal(ours.get('nodes-allowlist')?.raw, JSON.stringify(enodes));
  });
  it('leaves accounts-allowlist out when account permissioning is off', () => {
    assert.deepEqual([...flatToml(permissionsToml({ enodes })).keys()], ['nodes-allowlist']);
  });
  for (const [what, opts, pattern] of [
    ['no enodes', { enodes: [] }, /at least one enode/],
    ['an empty accounts list', { enodes: ['enode://x@1.2.3.4:1'], accounts: [] }, /empty/],
    ['a bad account', { enodes: ['enode://x@1.2.3.4:1'], accounts: ['0x12'] }, /20-byte address/],
  ] as const) {
    it(`refuses ${what}`, () => assert.throws(() => permissionsToml(opts as never), (e: unknown) => isDomainError(e, 'invalid') && pattern.test((e as Error).message)));
  }
});

describe('TOML writer', () => {
  it('writes strings, integers, booleans and string arrays', () => {
    assert.equal(toToml(['# c', '', ['a', 'x"y'], ['b', 3], ['c', false], ['d', ['p', 'q']]]), '# c\n\na="x\\"y"\nb=3\nc=false\nd=["p","q"]\n');
  });
  for (const [what, line, pattern] of [
    ['a dotted key', ['a.b', 1], /bare key/],
    ['a fraction', ['a', 1.5], /integer/],
    ['a newline in a string', ['a', 'x\ny'], /control character/],
  ] as const) {
    it(`refuses ${what}`, () => assert.throws(() => toToml([line as never]), (e: unknown) => isDomainError(e, 'invalid') && pattern.test((e as Error).message)));
  }
});
