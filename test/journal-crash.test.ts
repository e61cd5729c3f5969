// storage-engine: both, core (in the PostgreSQL pass of npm test; npm run test:postgres runs every file on PostgreSQL)
/**
 * A node killed with SIGKILL between journalling a transaction and its receipt, then restarted,
 * ends with the transaction mined exactly once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { keccak256, stringToHex, TransactionReceiptNotFoundError } from 'viem';
import { devAccount } from '../src/chain/embedded.ts';
import { journalMigrations, TxSender } from '../src/chain/journal.ts';
import { openSqlite } from '../src/storage/sqlite.ts';
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

test('the chain forgets a mined transaction (a reorganization, or Anvil restarted from an older state): the journal re-sends it, and later ones do not wait behind the gap', async () => {
  // Anvil's evm_snapshot/evm_revert make the chain drop blocks exactly as a restart from an older
  // state file does (seen under load: Anvil killed between two state dumps forgets its newest block).
  const storage = await openSqlite(':memory:', { journal: journalMigrations });
  const sender = new TxSender(storage, chain.conn, devAccount(9), { rebroadcastAfterMs: 200 });
  await sender.recover();
  try {
    const to = devAccount(8).address;
    const snapshot = await chain.conn.client.request({ method: 'evm_snapshot' } as never);
    const first = await sender.send({ to, data: '0x', value: 1n, label: 'first' });
    assert.equal((await chain.conn.client.getTransactionReceipt({ hash: first.hash })).status, 'success');
    assert.equal(await chain.conn.client.request({ method: 'evm_revert', params: [snapshot] } as never), true);
    await assert.rejects(chain.conn.client.getTransactionReceipt({ hash: first.hash }), TransactionReceiptNotFoundError, 'the chain forgot the first transaction');

    // The second takes the next nonce after the first; without the first back on chain it could never be mined.
    const second = await sender.send({ to, data: '0x', value: 2n, label: 'second' });
    assert.equal(second.nonce, first.nonce + 1);
    const again = await chain.conn.client.getTransactionReceipt({ hash: first.hash });
    assert.equal(again.status, 'success', 'the forgotten transaction was re-sent with the same bytes and mined');
    assert.ok(again.blockNumber <= second.receipt.blockNumber);
    assert.equal(sender.forgotten, 1);
    // The journal records the re-sent one as mined again when its receipt wait sees it (polled).
    await waitUntil('the journal to record the re-sent transaction as mined', async () => (await sender.entries()).every((e) => e.status === 'mined'), 10_000);
    assert.deepEqual((await sender.entries()).map((e) => [e.label, e.status, e.blockNumber]), [['second', 'mined', Number(second.receipt.blockNumber)], ['first', 'mined', Number(again.blockNumber)]]);
  } finally {
    sender.stop();
    await storage.close();
  }
});
