import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { getAddress, type Address } from 'viem';
import { loadNodeConfig } from '../../config/node-config.ts';
import { isDomainError, type DomainError } from '../../shared/errors.ts';
import { decodeQbftExtraData } from './extra-data.ts';
import { initBesuNetwork, type InitBesuNetworkOptions } from './init.ts';
import { besuKeyFile, parseBesuKeyFile } from './keys.ts';
import { besuVector } from './test-vectors.ts';

const root = mkdtempSync(join(tmpdir(), 'besu-init-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `net-${++n}`);

const nodeKeys = [1, 2, 3, 4, 5].map((i) => parseBesuKeyFile(besuVector(`keys/miner${i}key`)));
const governance = getAddress('0xfe3b557e8fb62b89f4916b721be55ceb828dbd73');
const signerA = getAddress('0x627306090abaB3A6e1400e9345bC60c78a8BEf57');
const signerB = getAddress('0xf17f52151EbEF6C7334FAD080c5704D77216b732');
const base = (outDir: string, extra: Partial<InitBesuNetworkOptions> = {}): InitBesuNetworkOptions => ({
  outDir,
  validators: 4,
  chainId: 2025,
  blockPeriodSeconds: 2,
  timestamp: 1_700_000_000,
  nodeKeys: nodeKeys.slice(0, extra.validators ?? 4),
  organizations: [
    { slug: 'hospital-a', signer: signerA },
    { slug: 'lab-b', signer: signerB, validator: 3 },
  ],
  governance,
  ...extra,
});

/** Every file under dir, relative, sorted. */
function listFiles(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel)).flatMap((name) => {
    const path = rel ? `${rel}/${name}` : name;
    return statSync(join(dir, path)).isDirectory() ? listFiles(dir, path) : [path];
  }).sort();
}
const snapshot = (dir: string) => Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const mode = (path: string) => statSync(path).mode & 0o777;
const fails = (fn: () => unknown, kind: DomainError['kind'], pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => isDomainError(e, kind) && pattern.test((e as Error).message));

describe('initBesuNetwork (compose)', () => {
  const dir = freshDir();
  const summary = initBesuNetwork(base(dir));
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');

  it('writes exactly the files it lists, and leaves no staging directory', () => {
    assert.equal(summary.created, true);
    assert.deepEqual(listFiles(dir), summary.files);
    assert.deepEqual(readdirSync(root).filter((f) => f.startsWith('.')), []);
    for (const f of ['genesis.json', 'docker-compose.yml', 'network.json', 'static-nodes.json', 'permissions_config.toml', 'orgs/hospital-a.json', 'validator-4/config.toml', 'validator-4/data/key']) {
      assert.ok(summary.files.includes(f), f);
    }
  });
  it('keeps node keys 0600 in 0700 directories, in the Besu key format', () => {
    for (const [i, v] of summary.validators.entries()) {
      assert.equal(mode(join(dir, v.keyFile)), 0o600);
      assert.equal(mode(dirname(join(dir, v.keyFile))), 0o700);
      // Besu runs as its own user (uid 1000 in the image) and must reach config.toml.
      assert.equal(mode(join(dir, v.name)), 0o755);
      assert.equal(mode(join(dir, v.configFile)), 0o644);
      assert.equal(read(v.keyFile), besuKeyFile(nodeKeys[i]!));
      assert.equal(v.address, nodeKeys[i]!.address);
    }
    assert.equal(mode(join(dir, 'genesis.json')), 0o644);
  });
  it('no private key appears in any other file', () => {
    for (const f of summary.files.filter((f) => !f.endsWith('/data/key'))) {
      for (const k of nodeKeys) assert.equal(read(f).includes(k.privateKey.slice(2)), false, f);
    }
  });
  it("the genesis extraData lists the validators' addresses in ascending order", () => {
    const genesis = JSON.parse(read('genesis.json')) as { extraData: `0x${string}`; config: { chainId: number } };
    assert.equal(genesis.extraData, summary.extraData);
    assert.equal(genesis.config.chainId, 2025);
    assert.deepEqual(decodeQbftExtraData(genesis.extraData).validators.map((a) => a.toLowerCase()), nodeKeys.slice(0, 4).map((k) => k.address.toLowerCase()).sort());
  });
  it('every validator has the same static nodes and allow-list, naming every validator by its key and address', () => {
    const enodes = summary.validators.map((v) => v.enode);
    assert.deepEqual(enodes, nodeKeys.slice(0, 4).map((k, i) => `enode://${k.nodeId}@172.16.239.${11 + i}:30303`));
    assert.deepEqual(JSON.parse(read('static-nodes.json')), enodes);
    for (const v of summary.validators) {
      assert.equal(read(`${v.name}/data/static-nodes.json`), read('static-nodes.json'));
      assert.equal(read(`${v.name}/data/permissions_config.toml`), read('permissions_config.toml'));
      const host = /@([\d.]+):/.exec(v.enode)![1];
      assert.match(read(v.configFile), new RegExp(`^p2p-host="${host!.replace(/\./g, '\\.')}"$`, 'm'));
    }
    assert.match(read('permissions_config.toml'), new RegExp(`^nodes-allowlist=${JSON.stringify(enodes).replace(/[[\]]/g, '\\$&')}$`, 'm'));
    assert.doesNotMatch(read('permissions_config.toml'), /accounts-allowlist/);
  });
  it("writes each organization's node configuration for its validator's RPC port, loadable by the node", () => {
    assert.deepEqual(summary.organizations.map((o) => [o.slug, o.validator, o.rpcUrl, o.port]), [
      ['hospital-a', 'validator-1', 'http://127.0.0.1:8545', 4001],
      ['lab-b', 'validator-3', 'http://127.0.0.1:8547', 4002],
    ]);
    const config = loadNodeConfig({ config: join(dir, 'orgs/lab-b.json') }, {});
    assert.equal(config.rpcUrl, 'http://127.0.0.1:8547');
  });
  it('keeps a manifest without secrets that matches the summary', () => {
    const manifest = JSON.parse(read('network.json')) as { summary: unknown };
    const { outDir: _o, created: _c, ...rest } = summary;
    assert.deepEqual(manifest.summary, rest);
  });

  it('a second run with the same settings changes nothing and returns the same summary', () => {
    const before = snapshot(dir);
    const again = initBesuNetwork(base(dir, { nodeKeys: undefined }));
    assert.equal(again.created, false);
    assert.deepEqual({ ...again, created: true }, summary);
    assert.deepEqual(snapshot(dir), before);
  });
  it('refuses other settings without force, saying what differs', () => {
    const before = snapshot(dir);
    fails(() => initBesuNetwork(base(dir, { validators: 5 })), 'conflict', /validators: 4 -> 5.*--force/);
    fails(() => initBesuNetwork(base(dir, { chainId: 7 })), 'conflict', /chainId: 2025 -> 7/);
    assert.deepEqual(snapshot(dir), before);
  });
});

describe('initBesuNetwork force', () => {
  it('regenerates (new keys) and removes what the old network had that the new one has not', () => {
    const dir = freshDir();
    initBesuNetwork(base(dir, { validators: 5 }));
    assert.ok(existsSync(join(dir, 'validator-5')));
    const again = initBesuNetwork(base(dir, { nodeKeys: undefined, force: true }));
    assert.equal(again.created, true);
    assert.equal(existsSync(join(dir, 'validator-5')), false);
    assert.deepEqual(listFiles(dir), again.files);
    assert.notEqual(again.validators[0]!.address, nodeKeys[0]!.address);
  });
  it('never replaces a network that has run (a Besu database in a data directory)', () => {
    const dir = freshDir();
    initBesuNetwork(base(dir));
    mkdirSync(join(dir, 'validator-2/data/database'));
    writeFileSync(join(dir, 'validator-2/data/database/CURRENT'), 'MANIFEST-000001\n');
    const before = snapshot(dir);
    fails(() => initBesuNetwork(base(dir, { chainId: 9, force: true })), 'conflict', /validator-2.*holds a Besu database/);
    assert.deepEqual(snapshot(dir), before);
  });
  it('never replaces files it did not write', () => {
    const dir = freshDir();
    initBesuNetwork(base(dir));
    writeFileSync(join(dir, 'NOTES.md'), 'mine');
    fails(() => initBesuNetwork(base(dir, { chainId: 9, force: true })), 'conflict', /did not write \(NOTES\.md\)/);
  });
});

describe('initBesuNetwork output directory', () => {
  it('uses an existing empty directory', () => {
    const dir = freshDir();
    mkdirSync(dir);
    assert.equal(initBesuNetwork(base(dir)).created, true);
  });
  it('refuses a non-empty directory it did not write, even with force', () => {
    const dir = freshDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'x.txt'), 'x');
    fails(() => initBesuNetwork(base(dir, { force: true })), 'conflict', /not written by carechain network init/);
  });
  it('leaves nothing behind when the settings are invalid', () => {
    const dir = freshDir();
    fails(() => initBesuNetwork(base(dir, { organizations: [{ slug: 'x-1', validator: 9 }] })), 'invalid', /validator must be from 1 to 4/);
    assert.equal(existsSync(dir), false);
    assert.deepEqual(readdirSync(root).filter((f) => f.startsWith('.')), []);
  });
});

describe('initBesuNetwork accounts allow-list', () => {
  it('allow-lists governance and the organizations’ signers and turns account permissioning on', () => {
    const dir = freshDir();
    const s = initBesuNetwork(base(dir, { accountsAllowlist: true }));
    assert.deepEqual(s.accountsAllowlist, [governance, signerA, signerB]);
    const toml = readFileSync(join(dir, 'validator-1/data/permissions_config.toml'), 'utf8');
    assert.match(toml, new RegExp(`^accounts-allowlist=\\["${governance.toLowerCase()}","${signerA.toLowerCase()}","${signerB.toLowerCase()}"\\]$`, 'm'));
    assert.match(readFileSync(join(dir, 'validator-1/config.toml'), 'utf8'), /^permissions-accounts-config-file-enabled=true$/m);
  });
  it('needs the governance address', () => {
    fails(() => initBesuNetwork(base(freshDir(), { accountsAllowlist: true, governance: undefined })), 'invalid', /no governance address/);
  });
  it("needs every organization's signer", () => {
    fails(() => initBesuNetwork(base(freshDir(), { accountsAllowlist: true, organizations: [{ slug: 'clinic-c' }] })), 'invalid', /no signer address: clinic-c/);
  });
});

describe('initBesuNetwork (systemd)', () => {
  it('writes one unit per validator and no compose file; validators advertise their hosts', () => {
    const dir = freshDir();
    const hosts = ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4'];
    const s = initBesuNetwork(base(dir, { target: 'systemd', hosts, installDir: '/opt/carechain-besu' }));
    assert.equal(s.files.includes('docker-compose.yml'), false);
    assert.equal(s.besuImage, undefined);
    assert.deepEqual(s.validators.map((v) => v.unitFile), [1, 2, 3, 4].map((i) => `systemd/carechain-besu-validator-${i}.service`));
    assert.deepEqual(s.validators.map((v) => /@(.*):30303$/.exec(v.enode)?.[1]), hosts);
    assert.match(readFileSync(join(dir, 'systemd/carechain-besu-validator-2.service'), 'utf8'), /^ExecStart=\/opt\/besu\/bin\/besu --config-file=\/opt\/carechain-besu\/validator-2\/config\.toml$/m);
    assert.deepEqual(s.organizations.map((o) => o.rpcUrl), ['http://127.0.0.1:8545', 'http://127.0.0.1:8545']);
  });
});

describe('initBesuNetwork with generated keys', () => {
  it('generates a distinct key per validator', () => {
    const s = initBesuNetwork(base(freshDir(), { nodeKeys: undefined, organizations: [], validators: 7 }));
    assert.equal(new Set(s.validators.map((v) => v.address as Address)).size, 7);
  });
});
