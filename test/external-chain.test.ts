/**
 * The same node against a chain given by URL (as with Besu): deploy with `carechain chain deploy`,
 * onboard an organization with `org init` / `org register`, run its node with CARECHAIN_RPC_URL and
 * CARECHAIN_DEPLOYMENT, and nothing from the embedded-chain directory. The scenario runs on two
 * independent clients: Anvil (one block per transaction) and `@ethereumjs/client` in
 * proof-of-authority mode (Clique, a block a second, transactions wait in the pool for it).
 *
 * storage-engine: sqlite-only
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { generateKeyFile } from '../src/crypto/org-keys.ts';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { startAnvil } from '../src/chain/anvil.ts';
import { startEthereumJs } from './helpers/ethereumjs.ts';
import { freePort, runCli, startCli, tempDir } from './helpers/env.ts';

const tmp = tempDir();
const stops: (() => Promise<void>)[] = [];
after(async () => {
  for (const stop of stops) await stop();
  tmp.remove();
});

test('deploy, register and run a node on a chain reached by URL (Anvil)', async () => {
  const anvil = await startAnvil({ stateFile: join(tmp.dir, 'external', 'state.json'), port: await freePort() });
  stops.push(() => anvil.stop());
  // Governance on an external chain is a key the consortium holds; on this bare Anvil, one of its
  // funded development accounts (Anvil's documented key #0) plays that part.
  await scenario(join(tmp.dir, 'anvil'), anvil.rpcUrl, '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
});

/**
 * @ethereumjs/client 0.10.5 with `--dev=poa` seals empty blocks but includes no transaction: its block
 * builder refuses every one ("extraData must be 97 bytes on non-epoch transition blocks, received 0
 * bytes"), and its eth_estimateGas fails the same way (the sender's fallback, `TxSender.estimate`,
 * gets past that one). Until the client can mine under Clique this runs only when asked for
 * (CARECHAIN_SECOND_CLIENT=ethereumjs), and fails there, at the deploy.
 */
const SECOND_CLIENT = process.env.CARECHAIN_SECOND_CLIENT === 'ethereumjs';
test('deploy, register and run a node on a second client: @ethereumjs/client, proof of authority', { timeout: 120_000, skip: SECOND_CLIENT ? false : '@ethereumjs/client 0.10.5 --dev=poa includes no transaction (see above); CARECHAIN_SECOND_CLIENT=ethereumjs runs it' }, async () => {
  const signerKey = generatePrivateKey();
  const ejs = await startEthereumJs(join(tmp.dir, 'ethereumjs'), { signerKey });
  stops.push(() => ejs.stop());
  // The Clique signer is the account its genesis funds; it plays the consortium's governance key.
  await scenario(join(tmp.dir, 'ejs'), ejs.rpcUrl, signerKey);
});

async function scenario(dir: string, rpcUrl: string, governanceKey: Hex): Promise<void> {
  const home = join(dir, 'home');
  const deployment = join(dir, 'network', 'deployment.json');
  const env = { CARECHAIN_RPC_URL: rpcUrl, CARECHAIN_HOME: home };
  const governanceKeyFile = join(dir, 'governance.json');
  mkdirSync(dir, { recursive: true });
  writeFileSync(governanceKeyFile, JSON.stringify({ ...generateKeyFile(), signingKey: governanceKey }), { mode: 0o600 });
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
}
