// storage-engine: both, core (in the PostgreSQL pass of npm test; npm run test:postgres runs every file on PostgreSQL)
/**
 * Three replicas of one organization's node on one PostgreSQL database, behind a round-robin client:
 * HTTP is stateless across them (a login challenge issued by one is answered at another), exactly one
 * leads (runs the indexer, the anchorers and the journal re-broadcaster), and when the leader is killed
 * with SIGKILL under write load another takes over; every acknowledged write and its audit entry is
 * stored exactly once, the logs have no gap, the anchors catch up, and `carechain verify` and
 * `carechain audit verify` pass. Runs in the PostgreSQL pass of the suite (replicas need a server).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { patientLoginMessage } from '../src/identity/patient-challenges.ts';
import { DetailSealer, detailOf } from '../src/audit/audit-log.ts';
import { loadKeyFile } from '../src/crypto/org-keys.ts';
import { freePort, openNodeDb, registerTestOrg, runCli, startCli, startTestChain, tempDir, TEST_ENGINE, waitUntil, type CliProcess, type TestOrg } from './helpers/env.ts';

const skip = TEST_ENGINE !== 'postgres' && 'replicas share a PostgreSQL database: this runs in the PostgreSQL pass (CARECHAIN_TEST_DATABASE=postgres)';

const tmp = tempDir();
let chain: EmbeddedChain;
let org: TestOrg;
let token: string;
const replicas: { proc: CliProcess; url: string; alive: boolean }[] = [];

async function startReplica(): Promise<{ proc: CliProcess; url: string; alive: boolean }> {
  const port = await freePort();
  const proc = startCli(['node', 'start', '--org', org.slug, '--home', tmp.dir, '--port', String(port), '--log-level', 'warn', '--anchor-interval-ms', '500'], { CARECHAIN_RPC_URL: chain.anvil.rpcUrl });
  await proc.ready;
  return { proc, url: `http://127.0.0.1:${port}`, alive: true };
}

const api = async (url: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

const leaders = async () => {
  const out: number[] = [];
  for (const [i, r] of replicas.entries()) if (r.alive && (await api(r.url, 'GET', '/api/node')).body.leader) out.push(i);
  return out;
};

before(async () => {
  if (skip) return;
  chain = await startTestChain(tmp.dir);
  org = await registerTestOrg(chain, tmp.dir, 'replicated');
  // The first replica creates the shared admin token and migrates; the others join it.
  replicas.push(await startReplica());
  token = readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim();
  replicas.push(await startReplica(), await startReplica());
});

after(async () => {
  for (const r of replicas) await r.proc.stop();
  await chain?.stop();
  tmp.remove();
});

test('one leader among the replicas; a login challenge issued by one is answered at another', { skip }, async () => {
  await waitUntil('exactly one leader', async () => (await leaders()).length === 1);
  const patient = privateKeyToAccount(generatePrivateKey());
  const c = await api(replicas[0]!.url, 'POST', '/api/auth/patient/challenge', { address: patient.address });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  const signature = await patient.signMessage({ message: patientLoginMessage(org.orgId, c.body.challenge) });
  const login = await api(replicas[1]!.url, 'POST', '/api/auth/patient/login', { address: patient.address, challenge: c.body.challenge, signature });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const replay = await api(replicas[2]!.url, 'POST', '/api/auth/patient/login', { address: patient.address, challenge: c.body.challenge, signature });
  assert.equal(replay.status, 401, 'a challenge is used once, whichever replica answers');
});

test('SIGKILL of the leader under write load: nothing acknowledged is lost or doubled, another replica takes over', { skip }, async () => {
  const acknowledged: string[] = [];
  const failures: string[] = [];
  let next = 0;
  let running = true;
  const writer = async (w: number) => {
    for (let i = 0; running && i < 5_000; i++) {
      const live = replicas.filter((r) => r.alive);
      const r = live[next++ % live.length]!;
      try {
        const res = await api(r.url, 'POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: `Replica${w}x${i}` }] });
        if (res.status === 201) acknowledged.push(res.body.id);
        else failures.push(`${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      } catch {
        // the connection to a killed replica broke: not acknowledged (it may or may not be stored)
      }
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
  try {
    await waitUntil('writes before the kill', () => acknowledged.length >= 150, 60_000);
    const [leader] = await leaders();
    assert.ok(leader !== undefined);
    replicas[leader]!.alive = false;
    await replicas[leader]!.proc.kill9();
    const atKill = acknowledged.length;
    await waitUntil('writes after the kill', () => acknowledged.length >= atKill + 150, 60_000);
    await waitUntil('a new leader among the survivors', async () => (await leaders()).length === 1, 15_000);
  } finally {
    running = false;
    await load;
  }
  assert.deepEqual(failures, [], 'no write refused');

  // Anchors catch up under the new leader.
  const survivor = replicas.find((r) => r.alive)!;
  // Every entry the load wrote gets anchored (each poll below is itself audited, so the log keeps
  // growing by one per poll: the target is its size when the load ended).
  const target = (await api(survivor.url, 'GET', '/api/audit/sth')).body.sth.treeSize as number;
  await waitUntil(
    'the audit log anchored to its size',
    async () => ((await api(survivor.url, 'GET', '/api/audit/sth')).body.anchored?.treeSize ?? 0) >= target,
    60_000,
  );

  const db = openNodeDb(org);
  try {
    const versions = new Map<string, number>();
    for (const r of await db.all<{ id: string; n: number }>("SELECT id, COUNT(*) AS n FROM record_versions WHERE type = 'Patient' GROUP BY id")) versions.set(r.id, Number(r.n));
    const audited = new Map<string, number>();
    const sealer = new DetailSealer(loadKeyFile(org.keyFile).indexSecret);
    for (const r of await db.all<{ idx: number; detail: string }>("SELECT idx, detail FROM audit_entries WHERE action = 'C' AND outcome = '0' AND subtype = 'create'")) {
      const d = detailOf(r, sealer) as { what?: string[]; patientId?: string };
      const refs = new Set([...(d.what ?? []).map((w) => w.split('/_history/')[0]!), ...(d.patientId ? [`Patient/${d.patientId}`] : [])]);
      for (const w of refs) audited.set(w, (audited.get(w) ?? 0) + 1);
    }
    assert.equal(new Set(acknowledged).size, acknowledged.length, 'no id handed out twice');
    for (const id of acknowledged) {
      assert.equal(versions.get(id), 1, `Patient/${id} stored exactly once`);
      assert.equal(audited.get(`Patient/${id}`), 1, `Patient/${id} audited exactly once`);
    }
    for (const [table, col] of [['audit_entries', 'idx'], ['log_records', 'idx']] as const) {
      const r = (await db.get<{ n: number; top: number }>(`SELECT COUNT(*) AS n, MAX(${col}) AS top FROM ${table}`))!;
      assert.equal(Number(r.top) + 1, Number(r.n), `${table}: no gap and no duplicate index`);
    }
    console.log(`# replica kill: ${acknowledged.length} writes acknowledged by 3 then 2 replicas; all stored and audited once`);
  } finally {
    await db.close();
  }

  for (const r of replicas) if (r.alive) await r.proc.stop();
  const verify = await runCli(['verify', '--org', org.slug, '--home', tmp.dir, '--rpc-url', chain.anvil.rpcUrl]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  const auditVerify = await runCli(['audit', 'verify', '--org', org.slug, '--home', tmp.dir, '--rpc-url', chain.anvil.rpcUrl]);
  assert.equal(auditVerify.code, 0, auditVerify.stdout + auditVerify.stderr);
});
