// storage-engine: both, core (in the PostgreSQL pass of npm test; npm run test:postgres runs every file on PostgreSQL)
/**
 * A node killed with SIGKILL between journalling a transaction and its receipt, then restarted,
 * ends with the transaction mined exactly once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { keccak256, stringToHex } from 'viem';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { anchorRegistryAbi } from '../src/chain/generated/contracts.ts';
import { logIdOf, logKindToChain } from '../src/chain/ids.ts';
import { freePort, registerTestOrg, startCli, startTestChain, tempDir, waitUntil, type TestOrg, openNodeDb } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let org: TestOrg;

before(async () => {
  chain = await startTestChain(tmp.dir);
  org = await registerTestOrg(chain, tmp.dir, 'crashy-hospital');
});
after(async () => {
  await chain?.stop();
  tmp.remove();
});

async function startNodeProcess(env: NodeJS.ProcessEnv = {}) {
  const port = await freePort();
  const p = startCli(['node', 'start', '--org', org.slug, '--home', tmp.dir, '--port', String(port), '--log-level', 'warn'], env);
  const { url } = (await p.ready) as { url: string };
  return { ...p, url };
}

function anchorRequest(url: string, log: string, treeSize: number) {
  const token = readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim();
  return fetch(`${url}/api/anchors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ kind: 'audit', log, treeSize, root: keccak256(stringToHex(`${log}-${treeSize}`)) }),
  });
}

const anchorCount = (log: string) =>
  chain.conn.client.readContract({
    address: chain.deployment.contracts.AnchorRegistry.address,
    abi: anchorRegistryAbi,
    functionName: 'anchorCount',
    args: [org.orgId, logKindToChain('audit'), logIdOf(log)],
  });

async function journal(): Promise<{ nonce: number; status: string; send_count: number }[]> {
  const db = openNodeDb(org);
  try {
    return (await db.all<{ nonce: number; status: string; send_count: number }>('SELECT nonce, status, send_count FROM tx_journal ORDER BY nonce')).map((r) => ({ nonce: Number(r.nonce), status: r.status, send_count: Number(r.send_count) }));
  } finally {
    await db.close();
  }
}

const sentByOrg = () => chain.conn.client.getTransactionCount({ address: org.keys.account.address, blockTag: 'latest' });

test('killed after journalling, before broadcasting: the restart sends it, and it is mined once', async () => {
  const crashing = await startNodeProcess({ CARECHAIN_FAULT: 'crash-after-journal' });
  await assert.rejects(anchorRequest(crashing.url, 'log-a', 1), 'the request dies with the node');
  await crashing.exited;
  assert.equal(crashing.child.signalCode, 'SIGKILL');
  assert.deepEqual((await journal()).map((j) => [j.nonce, j.status, j.send_count]), [[0, 'pending', 0]], 'journalled, never sent');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await anchorCount('log-a'), 0n, 'nothing reached the chain');

  const restarted = await startNodeProcess();
  try {
    await waitUntil('the journalled anchor to be mined', async () => (await journal())[0]?.status === 'mined');
    assert.equal(await anchorCount('log-a'), 1n);
    // A later transaction takes the next nonce: the journal and the chain agree.
    assert.equal((await anchorRequest(restarted.url, 'log-a', 2)).status, 201);
    assert.equal(await anchorCount('log-a'), 2n);
    assert.equal(await sentByOrg(), 2);
  } finally {
    await restarted.stop();
  }
});

test('killed after broadcasting, before the receipt: the restart re-sends the same bytes, mined once', async () => {
  const node = await startNodeProcess();
  const before = (await journal()).length;
  const request = anchorRequest(node.url, 'log-b', 1).catch(() => undefined);
  await waitUntil('the broadcast', async () => { const j = await journal(); return j.length > before && j.at(-1)!.send_count >= 1; }, 5000);
  await node.kill9();
  await request;
  const killedWith = (await journal()).at(-1)!;
  assert.equal(killedWith.status, 'pending', 'killed before the receipt was recorded');

  const restarted = await startNodeProcess();
  try {
    await waitUntil('the anchor to be mined', async () => (await journal()).at(-1)!.status === 'mined');
    const last = (await journal()).at(-1)!;
    assert.ok(last.send_count >= 2, 're-sent after the restart');
    await new Promise((r) => setTimeout(r, 2200)); // more blocks: still exactly one
    assert.equal(await anchorCount('log-b'), 1n);
    assert.equal(await sentByOrg(), 3);
  } finally {
    await restarted.stop();
  }
});
