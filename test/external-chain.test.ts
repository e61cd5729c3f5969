/**
 * The same node against a chain given by URL (as with Besu): deploy with `carechain chain deploy`,
 * onboard an organization with `org init` / `org register`, run its node with CARECHAIN_RPC_URL and
 * CARECHAIN_DEPLOYMENT, and nothing from the embedded-chain directory.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { generateKeyFile } from '../src/crypto/org-keys.ts';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startAnvil, type RunningAnvil } from '../src/chain/anvil.ts';
import { freePort, runCli, startCli, tempDir } from './helpers/env.ts';

const tmp = tempDir();
let anvil: RunningAnvil | undefined;
after(async () => {
  await anvil?.stop();
  tmp.remove();
});

test('deploy, register and run a node on a chain reached by URL', async () => {
  anvil = await startAnvil({ stateFile: join(tmp.dir, 'external', 'state.json'), port: await freePort() });
  const home = join(tmp.dir, 'home');
  const deployment = join(tmp.dir, 'network', 'deployment.json');
  const env = { CARECHAIN_RPC_URL: anvil.rpcUrl, CARECHAIN_HOME: home };
  // Governance on an external chain is a key the consortium holds; on this bare Anvil, one of its
  // funded development accounts (Anvil's documented key #0) plays that part.
  const governanceKeyFile = join(tmp.dir, 'governance.json');
  writeFileSync(governanceKeyFile, JSON.stringify({ ...generateKeyFile(), signingKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' }), { mode: 0o600 });
  const gov = ['--governance-key-file', governanceKeyFile];

  const noKey = await runCli(['chain', 'deploy', '--out', deployment], env);
  assert.notEqual(noKey.code, 0);
  assert.match(noKey.stderr, /a governance key is needed on this chain/);
  const deployed = await runCli(['chain', 'deploy', '--out', deployment, '--admin-transfer-delay', '0', ...gov], env);
  assert.equal(deployed.code, 0, deployed.stderr);
  assert.match(deployed.stdout, /ParticipantRegistry\s+0x[0-9a-fA-F]{40}/);
  assert.ok(existsSync(deployment));
  const again = await runCli(['chain', 'deploy', '--out', deployment, ...gov], env);
  assert.notEqual(again.code, 0, 'never deploys over an existing deployment');
  assert.match(again.stderr, /already deployed/);

  const init = await runCli(['org', 'init', '--org', 'besu-clinic'], env);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /signer address\s+0x/);
  const reg = await runCli(
    ['org', 'register', '--org', 'besu-clinic', '--kind', 'clinic', '--name', 'Besu Clinic', '--endpoint', 'https://clinic.example', '--deployment', deployment, '--fund', ...gov],
    env,
  );
  assert.equal(reg.code, 0, reg.stderr);
  assert.match(reg.stdout, /registered: Besu Clinic \(clinic\)/);
  const badKind = await runCli(['org', 'register', '--org', 'x1', '--kind', 'castle', '--name', 'X', '--endpoint', 'e', '--deployment', deployment], env);
  assert.notEqual(badKind.code, 0);
  assert.match(badKind.stderr, /--kind must be one of/);

  const node = startCli(['node', 'start', '--org', 'besu-clinic', '--port', String(await freePort()), '--log-level', 'warn'], { ...env, CARECHAIN_DEPLOYMENT: deployment });
  try {
    const { url } = (await node.ready) as { url: string };
    const me = (await (await fetch(`${url}/api/node`)).json()) as { registered: { name: string; endpoint: string } };
    assert.equal(me.registered.name, 'Besu Clinic');
    assert.equal(me.registered.endpoint, 'https://clinic.example');
  } finally {
    assert.equal(await node.stop(), 0);
  }
});
