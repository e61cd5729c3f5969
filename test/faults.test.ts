// storage-engine: both, core (in the PostgreSQL pass of npm test; npm run test:postgres runs every file on PostgreSQL)
/**
 * Fault drills, bounded for `npm test`: a node process under write load while the chain is stopped
 * for a while, while Anvil is killed with SIGKILL, and while the node itself is killed with SIGKILL;
 * and a node whose disk fills up or whose database turns read-only. After each: every acknowledged
 * write and its audit entry are present, the record store and the audit log verify against the chain,
 * and every anchor the node journalled is on chain exactly once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAnvil, type RunningAnvil } from '../src/chain/anvil.ts';
import { chainPaths, type EmbeddedChain } from '../src/chain/embedded.ts';
import { anchorRegistryAbi } from '../src/chain/generated/contracts.ts';
import { logIdOf, logKindToChain } from '../src/chain/ids.ts';
import { SqliteStorage } from '../src/storage/sqlite.ts';
import type { RunningNode } from '../src/node/start.ts';
import { startNode } from '../src/node/start.ts';

/**
 * Storage faults, made the engine's own way. SQLite: the database may not grow past the pages it has
 * (max_page_count: SQLite's own SQLITE_FULL path), and `query_only` (SQLITE_READONLY). PostgreSQL: a
 * trigger on the tables a write touches raises SQLSTATE 53100 disk_full exactly as the server reports
 * a full disk (a real full disk needs a small filesystem this machine cannot mount), and the server's
 * default_transaction_read_only turned on for every session (ALTER SYSTEM + reload), as an operator
 * or a failed-over standby makes it.
 */
const faults = {
  async fill(node: RunningNode): Promise<void> {
    const s = node.services.storage;
    if (s instanceof SqliteStorage) {
      const pages = s.writer.pragma('page_count', { simple: true }) as number;
      s.writer.pragma(`max_page_count = ${pages}`);
      return;
    }
    await s.run(`CREATE OR REPLACE FUNCTION carechain_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$`);
    for (const t of ['record_versions', 'audit_entries']) await s.run(`CREATE TRIGGER carechain_test_disk_full BEFORE INSERT ON ${t} FOR EACH ROW EXECUTE FUNCTION carechain_test_disk_full()`);
  },
  async unfill(node: RunningNode): Promise<void> {
    const s = node.services.storage;
    if (s instanceof SqliteStorage) return void s.writer.pragma('max_page_count = 4294967294');
    for (const t of ['record_versions', 'audit_entries']) await s.run(`DROP TRIGGER carechain_test_disk_full ON ${t}`);
  },
  async readOnly(node: RunningNode, on: boolean): Promise<void> {
    const s = node.services.storage;
    if (s instanceof SqliteStorage) return void s.writer.pragma(`query_only = ${on ? 1 : 0}`);
    // ALTER SYSTEM cannot run in a transaction block; the engine's run() is autocommit.
    await s.run(on ? 'ALTER SYSTEM SET default_transaction_read_only = on' : 'ALTER SYSTEM RESET default_transaction_read_only');
    await s.get('SELECT pg_reload_conf()');
    await new Promise((r) => setTimeout(r, 300)); // sessions take the new default at their next command
  },
  integrityOk(node: RunningNode): boolean {
    const s = node.services.storage;
    return s instanceof SqliteStorage ? s.writer.pragma('integrity_check', { simple: true }) === 'ok' : true;
  },
};
import { freePort, registerTestOrg, runCli, startCli, startTestChain, tempDir, waitUntil, type CliProcess, type TestOrg, testNodeConfig, openNodeDb } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let anvil: RunningAnvil;
let org: TestOrg;
let token: string;

before(async () => {
  chain = await startTestChain(tmp.dir);
  anvil = chain.anvil;
  org = await registerTestOrg(chain, tmp.dir, 'fault-hospital');
  await chain.governance.stop();
  token = '';
});
after(async () => {
  await anvil.stop();
  await chain.stop().catch(() => {});
  tmp.remove();
});

const cliArgs = (port: number) => ['node', 'start', '--org', org.slug, '--home', tmp.dir, '--port', String(port), '--log-level', 'warn', '--anchor-interval-ms', '300', '--rpc-url', anvil.rpcUrl];

async function startNodeProcess(): Promise<{ proc: CliProcess; url: string }> {
  const proc = startCli(cliArgs(await freePort()));
  const { url } = (await proc.ready) as { url: string };
  token ||= readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim();
  return { proc, url };
}

/** Writers creating Patients (each create also writes its audit entry) until stopped. */
function writeLoad(url: string, writers = 6) {
  const acknowledged: string[] = [];
  const failures: number[] = [];
  let stopped = false;
  const loops = Array.from({ length: writers }, async () => {
    while (!stopped) {
      try {
        const res = await fetch(`${url}/fhir/Patient`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
          body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Fault' }] }),
        });
        if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
        else failures.push(res.status), await res.arrayBuffer();
      } catch {
        return; // the node is gone
      }
    }
  });
  return {
    acknowledged,
    failures,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

async function get(url: string, path: string) {
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

async function restartAnvil(): Promise<void> {
  anvil = await startAnvil({ stateFile: chainPaths(join(tmp.dir, 'chain')).state, port: anvil.port });
}

/**
 * The post-conditions of every drill: acknowledged writes and their audit entries are present; once
 * the node has caught up, both logs verify against the chain; every anchor transaction the node
 * journalled as mined is on chain once, and the chain holds no anchor the journal does not know.
 */
async function checkAfterFault(url: string, acknowledged: string[], nodeOutput: () => string): Promise<void> {
  for (const id of acknowledged) assert.equal((await get(url, `/fhir/Patient/${id}`)).status, 200, `acknowledged Patient/${id} is readable`);
  const audited = new Set<string>();
  for (let offset = 0; ; offset += 1000) {
    const page = await get(url, `/api/audit/entries?limit=1000&offset=${offset}`);
    for (const e of page.body.entries) if (e.event.action === 'C' && e.event.outcome === '0') audited.add(String(e.event.entity[0]?.what?.reference));
    if (page.body.entries.length < 1000) break;
  }
  for (const id of acknowledged) assert.ok(audited.has(`Patient/${id}`), `Patient/${id} has its audit entry`);

  // Caught up: both logs anchored to their current size.
  let last: { sth?: unknown; unmined?: unknown; ready?: unknown } = {};
  await waitUntil(
    'the logs to be anchored after the fault',
    async () => {
      const sth = (await get(url, '/api/audit/sth')).body;
      const txs = (await get(url, '/api/transactions')).body.transactions as { label: string; nonce: number; status: string; sendCount: number }[];
      const ready = (await get(url, '/health/ready')).body;
      last = { sth: { size: sth.sth.treeSize, anchored: sth.anchored?.treeSize }, unmined: txs.filter((t) => t.status !== 'mined'), ready };
      return sth.anchored?.treeSize === sth.sth.treeSize && txs.every((t) => t.status === 'mined') && ready.status === 'ready';
    },
    60_000,
  ).catch(async (err: Error) => {
    // What the node showed and said, so that a failure on a machine we cannot see explains itself.
    const head = await chain.conn.client.getBlockNumber({ cacheTime: 0 }).catch(() => 'unreachable');
    throw new Error(`${err.message}\nlast seen: ${JSON.stringify(last)}\nchain head: ${head}\nnode output (tail):\n${nodeOutput().slice(-4000)}`);
  });
  const verify = await runCli(['verify', '--org', org.slug, '--home', tmp.dir, '--rpc-url', anvil.rpcUrl]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  const auditVerify = await runCli(['audit', 'verify', '--org', org.slug, '--home', tmp.dir, '--rpc-url', anvil.rpcUrl]);
  assert.equal(auditVerify.code, 0, auditVerify.stdout + auditVerify.stderr);

  // Anchored exactly once: the journal's mined anchors are the chain's anchors, one for one.
  const journal = openNodeDb(org);
  try {
    for (const log of ['records', 'audit'] as const) {
      const kind = logKindToChain(log);
      const mined = ((await journal.all(`SELECT label FROM tx_journal WHERE status = 'mined' AND label LIKE ? ORDER BY nonce`, [`anchor ${log}/${log} size %`])) as { label: string }[]).map((r) => Number(r.label.split(' size ')[1]));
      const address = chain.deployment.contracts.AnchorRegistry.address;
      const count = Number(await chain.conn.client.readContract({ address, abi: anchorRegistryAbi, functionName: 'anchorCount', args: [org.orgId, kind, logIdOf(log)] }));
      const onChain: number[] = [];
      for (let i = 0; i < count; i++) {
        onChain.push(Number((await chain.conn.client.readContract({ address, abi: anchorRegistryAbi, functionName: 'anchorAt', args: [org.orgId, kind, logIdOf(log), BigInt(i)] })).treeSize));
      }
      assert.deepEqual(onChain, mined, `${log} anchors on chain are the journal's mined anchors`);
      assert.equal((await journal.get<{ n: number }>(`SELECT COUNT(*) AS n FROM tx_journal WHERE status != 'mined' AND label LIKE 'anchor %'`))!.n, 0, 'no anchor left pending or reverted');
    }
  } finally {
    await journal.close();
  }
}

describe('chain faults under write load', () => {
  let node: { proc: CliProcess; url: string };
  before(async () => {
    node = await startNodeProcess();
  });
  after(async () => {
    await node.proc.stop();
  });

  test('the chain unreachable for a while: writes and reads go on, anchors catch up', async () => {
    const load = writeLoad(node.url);
    await waitUntil('writes before the outage', () => load.acknowledged.length >= 50, 30_000);
    await anvil.stop();
    const before = load.acknowledged.length;
    try {
      await waitUntil('writes during the outage', () => load.acknowledged.length >= before + 100, 30_000);
      // Reads are served from the node's own store and index.
      assert.equal((await get(node.url, `/fhir/Patient/${load.acknowledged[0]}`)).status, 200);
      assert.equal((await get(node.url, '/api/participants')).status, 200);
      await waitUntil('the node to say it is not ready while the chain is away', async () => (await get(node.url, '/health/ready')).status === 503, 15_000);
    } finally {
      await restartAnvil();
    }
    await waitUntil('writes after the outage', () => load.acknowledged.length >= before + 200, 30_000);
    await load.stop();
    assert.deepEqual(load.failures, [], 'no write failed because the chain was away');
    await checkAfterFault(node.url, load.acknowledged, node.proc.output);
  });

  test('kill -9 of Anvil under write load', async () => {
    const load = writeLoad(node.url);
    await waitUntil('writes before the kill', () => load.acknowledged.length >= 100, 30_000);
    // Kill right after one of our anchors is mined, the worst moment: had Anvil not yet written that
    // block to its state file, the node would hold a receipt for a transaction the chain forgot.
    const minedAnchor = async () => {
      const txs = (await get(node.url, '/api/transactions')).body.transactions as { label: string; status: string; blockNumber: number | null }[];
      const head = Number(await chain.conn.client.getBlockNumber({ cacheTime: 0 }));
      return txs.some((t) => t.label.startsWith('anchor') && t.status === 'mined' && t.blockNumber === head);
    };
    await waitUntil('an anchor mined in the newest block', minedAnchor, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\nnode output (tail):\n${node.proc.output().slice(-4000)}`);
    });
    const headAtKill = Number(await chain.conn.client.getBlockNumber({ cacheTime: 0 }));
    process.kill(anvil.pid, 'SIGKILL');
    const before = load.acknowledged.length;
    await waitUntil('writes while Anvil is down', () => load.acknowledged.length >= before + 50, 30_000);
    await restartAnvil();
    // Anvil dumps its state every second, so killed at this moment it may come back without its
    // newest block, and so without an anchor the node holds a receipt for (a reorganization does the
    // same). Either way the checks below hold: the journal puts what the chain forgot back to pending
    // and re-sends it, and every anchor it calls mined is on chain once.
    const headAfter = Number(await chain.conn.client.getBlockNumber({ cacheTime: 0 }));
    if (headAfter < headAtKill) console.log(`# Anvil came back at block ${headAfter}, below ${headAtKill}: it forgot mined blocks`);
    await waitUntil('writes after the restart', () => load.acknowledged.length >= before + 150, 30_000);
    await load.stop();
    assert.deepEqual(load.failures, []);
    await checkAfterFault(node.url, load.acknowledged, node.proc.output);

  });

  test('kill -9 of the node under write load', async () => {
    const load = writeLoad(node.url);
    await waitUntil('writes before the kill', () => load.acknowledged.length >= 200, 30_000);
    await node.proc.kill9();
    await load.stop();
    node = await startNodeProcess();
    await checkAfterFault(node.url, load.acknowledged, node.proc.output);
  });
});

describe('storage faults', () => {
  test('a full disk or a read-only database: a clear error, nothing half-written, service resumes', async () => {
    const config = testNodeConfig({ org: org.slug, home: tmp.dir, port: 0, rpcUrl: anvil.rpcUrl, logLevel: 'silent' });
    const node = await startNode(config);
    try {
      token ||= readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim();
      const post = async () =>
        fetch(`${node.url}/fhir/Patient`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Storage' }] }) });
      const ok = await post();
      assert.equal(ok.status, 201);
      const id = ((await ok.json()) as { id: string }).id;
      // Stored versions and successful-create audit entries (a refused request may still get its
      // failure audited, if that small entry fits).
      const count = async () => (await node.services.storage.get<{ n: number }>("SELECT (SELECT COUNT(*) FROM record_versions) + (SELECT COUNT(*) FROM audit_entries WHERE action = 'C' AND outcome = '0') AS n"))!.n;

      // SQLite's own disk-full path: the database may not grow past the pages it has.
      await faults.fill(node);
      const rowsBefore = await count();
      let full: Response | undefined;
      for (let i = 0; i < 200 && !full; i++) {
        const res = await post();
        if (res.status !== 201) full = res;
        else await res.arrayBuffer();
      }
      assert.equal(full?.status, 507);
      assert.equal((await get(node.url, '/health/ready')).status, 503, 'the node says it is not ready');
      const outcome = (await full!.json()) as any;
      assert.equal(outcome.resourceType, 'OperationOutcome');
      assert.match(outcome.issue[0].diagnostics, /storage is full/);
      assert.ok((await count()) >= rowsBefore);
      // From now on a write either lands whole (if it still fits in free page space) or not at all.
      for (let i = 0; i < 10; i++) {
        const before = await count();
        const res = await post();
        assert.ok([201, 507].includes(res.status), String(res.status));
        assert.equal(await count(), before + (res.status === 201 ? 2 : 0), 'a version and its audit entry, or nothing');
        await res.arrayBuffer();
      }
      // No access without its audit entry: a read is answered only if its entry was stored (a small
      // entry may still fit in a page's free space), else refused like a write.
      const readsAudited = async () => (await node.services.storage.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_entries WHERE action = 'R' AND outcome = '0'"))!.n;
      for (let i = 0; i < 20; i++) {
        const audited = await readsAudited();
        const read = await get(node.url, `/fhir/Patient/${id}`);
        assert.ok([200, 507].includes(read.status), String(read.status));
        assert.equal(await readsAudited(), audited + (read.status === 200 ? 1 : 0), 'a read is served exactly when its audit entry is stored');
      }
      await faults.unfill(node);
      assert.equal((await post()).status, 201, 'writes resume once there is space');

      // A database that turns read-only (remounted, permissions): refused with 503 until it is back.
      await faults.readOnly(node, true);
      const ro = await post();
      assert.equal(ro.status, 503);
      assert.match(((await ro.json()) as any).issue[0].diagnostics, /read-only/);
      assert.equal((await get(node.url, `/fhir/Patient/${id}`)).status, 503);
      assert.equal((await get(node.url, '/health/ready')).status, 503, 'and the node says it is not ready');
      await faults.readOnly(node, false);
      assert.equal((await post()).status, 201);
      assert.ok(faults.integrityOk(node));
    } finally {
      await node.stop();
    }
    const verify = await runCli(['verify', '--org', org.slug, '--home', tmp.dir, '--rpc-url', anvil.rpcUrl]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });
});
