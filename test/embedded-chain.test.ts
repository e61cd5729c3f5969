// storage-engine: sqlite-only (no node database on this path; the PostgreSQL pass of npm test skips this file)
/**
 * `carechain chain start` as a process: deploys once, keeps state across restarts, reuses the
 * deployment, and leaves no Anvil behind when it stops, even when it is killed.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadKeyFile } from '../src/crypto/org-keys.ts';
import { after, test } from 'node:test';
import { isPortFree } from '../src/chain/anvil.ts';
import { connectChain } from '../src/chain/client.ts';
import { devAccount } from '../src/chain/embedded.ts';
import { participantRegistryAbi } from '../src/chain/generated/contracts.ts';
import { kindToChain, orgIdOf } from '../src/chain/ids.ts';
import { journalMigrations, TxSender } from '../src/chain/journal.ts';
import { openSqlite } from '../src/storage/sqlite.ts';
import { freePort, isAlive, startCli, tempDir, waitUntil } from './helpers/env.ts';

const tmp = tempDir();
after(() => tmp.remove());

test('chain start deploys once; a restart keeps state and deployment; stopping leaves no orphan', async () => {
  const port = await freePort();
  const args = ['chain', 'start', '--home', tmp.dir, '--port', String(port)];
  const first = startCli(args);
  const ready = (await first.ready) as { url: string; pid: number };
  assert.match(first.output(), /contracts deployed/);
  const deploymentFile = join(tmp.dir, 'chain', 'deployment.json');
  const deployment = JSON.parse(readFileSync(deploymentFile, 'utf8'));
  assert.ok(isAlive(ready.pid));

  // Change state: register an organization.
  const conn = await connectChain(ready.url);
  // Governance is a key made for this network, never one of Anvil's well-known development accounts.
  const governanceKey = join(tmp.dir, 'chain', 'governance-key.json');
  assert.equal(statSync(governanceKey).mode & 0o777, 0o600);
  const governance = loadKeyFile(governanceKey).account;
  for (let i = 0; i < 10; i++) assert.notEqual(governance.address, devAccount(i).address);
  const gov = new TxSender(await openSqlite(':memory:', { journal: journalMigrations }), conn, governance);
  const orgId = orgIdOf('survivor');
  const { receipt } = await gov.sendContract({
    address: deployment.contracts.ParticipantRegistry.address,
    abi: participantRegistryAbi,
    functionName: 'register',
    args: [orgId, kindToChain('clinic'), devAccount(5).address, `0x${'11'.repeat(32)}`, 'Survivor Clinic', ''],
  });
  await new Promise((r) => setTimeout(r, 2100)); // two state dumps (--state-interval 1)

  assert.equal(await first.stop(), 0);
  assert.equal(isAlive(ready.pid), false, 'Anvil stopped with the CLI');
  assert.ok(await isPortFree(port));

  const second = startCli(args);
  const ready2 = (await second.ready) as { url: string; pid: number };
  assert.match(second.output(), /deployment reused/);
  assert.deepEqual(JSON.parse(readFileSync(deploymentFile, 'utf8')), deployment, 'deployment file unchanged');
  const conn2 = await connectChain(ready2.url);
  assert.ok((await conn2.client.getBlockNumber()) >= receipt.blockNumber, 'chain height kept');
  const org = await conn2.client.readContract({
    address: deployment.contracts.ParticipantRegistry.address,
    abi: participantRegistryAbi,
    functionName: 'getOrganization',
    args: [orgId],
  });
  assert.equal(org.name, 'Survivor Clinic', 'registry state kept');

  // Even a SIGKILL of the CLI takes Anvil down with it (its watchdog sees the pipe close).
  await second.kill9();
  await waitUntil('Anvil to exit after its parent was killed', () => !isAlive(ready2.pid), 10_000);
  assert.ok(await isPortFree(port));
});
