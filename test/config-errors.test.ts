// storage-engine: sqlite-only (no node database on this path; the PostgreSQL pass of npm test skips this file)
/**
 * Bad configuration gives one clear error line and a non-zero exit, never a stack trace.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { freePort, registerTestOrg, runCli, startTestChain, tempDir, type CliResult, type TestOrg } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let org: TestOrg;

before(async () => {
  chain = await startTestChain(tmp.dir);
  org = await registerTestOrg(chain, tmp.dir, 'config-clinic', 'clinic');
});
after(async () => {
  await chain?.stop();
  tmp.remove();
});

function assertOneLineError(r: CliResult, pattern: RegExp) {
  assert.notEqual(r.code, 0, `exit code for: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n').filter((l) => !/npm warn/.test(l));
  assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^carechain: error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
}

const nodeStart = (...args: string[]) => runCli(['node', 'start', '--home', tmp.dir, '--log-level', 'silent', ...args], { CARECHAIN_RPC_URL: chain.anvil.rpcUrl });

describe('startup errors', () => {
  test('no organization', async () => {
    assertOneLineError(await runCli(['node', 'start'], { CARECHAIN_ORG: '' }), /no organization given: pass --org/);
  });

  test('a client command against a home with no such organization says so instead of doing nothing (#17.3)', async () => {
    const nowhere = join(tmp.dir, 'no-network-here');
    for (const args of [
      ['exchange', 'fetch', '--node', 'https://127.0.0.1:1', '--org', 'riverside', '--home', nowhere, '--patient', '0x7cF5b5d734e18Fd591eB4da7E58dBBDC7051d5ed'],
      ['import', 'demo/synthea', '--node', 'http://127.0.0.1:1', '--org', 'st-mary', '--home', nowhere],
      ['user', 'add', '--home', nowhere, '--org', 'st-mary', '--username', 'x', '--role', 'staff'],
    ]) {
      const r = await runCli(args, { CARECHAIN_TOKEN: '' });
      assertOneLineError(r, /no organization "(riverside|st-mary)"/);
      assert.equal(r.code, 2, args.join(' '));
    }
  });

  test('invalid values name the setting and where it came from', async () => {
    const r = await nodeStart('--org', org.slug, '--port', '99999');
    assertOneLineError(r, /invalid configuration: port: .*\(from --port\)/);
    assert.equal(r.code, 2);
    assertOneLineError(await runCli(['node', 'start', '--org', 'Bad Slug!']), /invalid configuration: org: must be a slug/);
    assertOneLineError(await runCli(['node', 'start', '--org', org.slug], { CARECHAIN_RPC_URL: 'not a url' }), /rpcUrl: .*\(from CARECHAIN_RPC_URL\)/);
  });

  test('config file: missing, not JSON, unknown setting', async () => {
    const file = join(tmp.dir, 'node.json');
    assertOneLineError(await runCli(['node', 'start', '--config', file]), /config file .* does not exist/);
    writeFileSync(file, '{ not json');
    assertOneLineError(await runCli(['node', 'start', '--config', file]), /is not valid JSON/);
    writeFileSync(file, JSON.stringify({ org: org.slug, prot: 4000 }));
    assertOneLineError(await runCli(['node', 'start', '--config', file]), /unknown setting "prot"/);
  });

  test('chain unreachable', async () => {
    const dead = await freePort();
    assertOneLineError(await nodeStart('--org', org.slug, '--rpc-url', `http://127.0.0.1:${dead}`), new RegExp(`chain unreachable at http://127.0.0.1:${dead}`));
  });

  test('missing key file', async () => {
    assertOneLineError(await nodeStart('--org', 'nobody-here'), /no key file at .*nobody-here/);
  });

  test('wrong deployment: missing file, other chain, no contract, wrong code', async () => {
    assertOneLineError(await nodeStart('--org', org.slug, '--deployment', join(tmp.dir, 'nope.json')), /no deployment file at/);
    const bad = join(tmp.dir, 'bad-deployments');
    mkdirSync(bad, { recursive: true });
    const write = (name: string, mutate: (d: any) => void) => {
      const d = structuredClone(chain.deployment) as any;
      mutate(d);
      const f = join(bad, name);
      writeFileSync(f, JSON.stringify(d));
      return f;
    };
    assertOneLineError(await nodeStart('--org', org.slug, '--deployment', write('chain.json', (d) => (d.chainId = 1))), /wrong deployment: .* is for chain 1 but the chain at the RPC URL is 31337/);
    assertOneLineError(
      await nodeStart('--org', org.slug, '--deployment', write('nocode.json', (d) => (d.contracts.AnchorRegistry.address = '0x000000000000000000000000000000000000dEaD'))),
      /wrong deployment: no contract at 0x000000000000000000000000000000000000dEaD/,
    );
    const swapAddresses = (d: any) =>
      ([d.contracts.AnchorRegistry.address, d.contracts.ParticipantRegistry.address] = [d.contracts.ParticipantRegistry.address, d.contracts.AnchorRegistry.address]);
    assertOneLineError(await nodeStart('--org', org.slug, '--deployment', write('swapped.json', swapAddresses)), /wrong deployment: the code at .* is not the/);
    const swapEntries = (d: any) =>
      ([d.contracts.AnchorRegistry, d.contracts.ParticipantRegistry] = [d.contracts.ParticipantRegistry, d.contracts.AnchorRegistry]);
    assertOneLineError(await nodeStart('--org', org.slug, '--deployment', write('swapped2.json', swapEntries)), /wrong deployment: .* does not answer as an AnchorRegistry/);
    assertOneLineError(await nodeStart('--org', org.slug, '--deployment', write('invalid.json', (d) => delete d.contracts)), /deployment file .* is invalid: contracts/);
  });

  test('port in use', async () => {
    const port = await freePort();
    const blocker = createServer().listen(port, '127.0.0.1');
    try {
      assertOneLineError(await nodeStart('--org', org.slug, '--port', String(port)), new RegExp(`port ${port} on 127.0.0.1 is already in use`));
      assertOneLineError(await runCli(['chain', 'start', '--home', join(tmp.dir, 'other'), '--port', String(port)]), /already in use/);
    } finally {
      blocker.close();
    }
  });
});
