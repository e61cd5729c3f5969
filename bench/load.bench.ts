/**
 * `npm run bench -- --load [--seconds N]`: a mixed workload against a network of three node
 * processes (hospital, clinic, lab) on one Anvil, for a fixed time: writes, audited reads,
 * cross-organization fetches under consent, and consent grants/revocations. Reports sustained
 * throughput, p50/p99 and errors per operation (each with its own closed-loop clients), and the chain
 * transactions the network used.
 *
 * In the same run, the naive baseline: the same writes, each record version and each audit event
 * anchored as its own chain transaction (what a design without Merkle batching must do), measured
 * for real against the same Anvil; and the ratios.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { keccak256, stringToHex, type Address, type Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { consentGrant, consentRevoke, masterAccount, patientLink } from '../src/cli/consent.ts';
import { anchorRegistryAbi } from '../src/chain/generated/contracts.ts';
import { logKindToChain } from '../src/chain/ids.ts';
import { journalMigrations, TxSender } from '../src/chain/journal.ts';
import { openSqlite } from '../src/storage/sqlite.ts';
import { freePort, registerTestOrg, startCli, startTestChain, tempDir, type CliProcess } from '../test/helpers/env.ts';
import { activationCodeFor, patientWithPhone } from '../test/helpers/patients.ts';
import { summarize, type BenchResult } from './measure.ts';

type Op = 'write' | 'read' | 'fetch' | 'consent';
/** Clients per operation (closed loops): slow chain-bound consent changes do not hold up writes. */
const CLIENTS: Record<Op, number> = { write: 8, read: 4, fetch: 2, consent: 2 };

export interface LoadOptions {
  seconds: number;
  patients?: number;
}

export async function loadBenchmarks(progress: (m: string) => void, opts: LoadOptions): Promise<BenchResult[]> {
  const concurrency = Object.values(CLIENTS).reduce((a, b) => a + b, 0);
  const tmp = tempDir('carechain-bench-load-');
  const chain = await startTestChain(tmp.dir);
  const nodes: CliProcess[] = [];
  try {
    progress('a network of three node processes on one Anvil');
    const slugs = ['load-hospital', 'load-clinic', 'load-lab'] as const;
    const ports = await Promise.all(slugs.map(() => freePort()));
    const orgs = [];
    for (const [i, slug] of slugs.entries()) orgs.push(await registerTestOrg(chain, tmp.dir, slug, i === 0 ? 'hospital' : i === 1 ? 'clinic' : 'lab', `http://127.0.0.1:${ports[i]}`));
    for (const [i, org] of orgs.entries()) {
      // The limiter would cap the load generator (one caller) at 20 expensive requests/s per route.
      nodes.push(startCli(['node', 'start', '--org', org.slug, '--home', tmp.dir, '--port', String(ports[i]), '--log-level', 'warn', '--expensive-per-minute', '10000000']));
    }
    const urls = ((await Promise.all(nodes.map((n) => n.ready))) as { url: string }[]).map((r) => r.url);
    const tokens = orgs.map((o) => readFileSync(join(o.dataDir, 'admin-token'), 'utf8').trim());
    const call = async (node: number, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
      const res = await fetch(`${urls[node]}${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens[node]}`, ...(body === undefined ? {} : { 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json().catch(() => undefined) };
    };

    progress('seeding patients, records, custody keys and consents');
    const P = opts.patients ?? 20;
    const patients: string[][] = [[], [], []];
    const observations: { node: number; id: string }[] = [];
    const observation = (patient: string, i: number) => ({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, subject: { reference: `Patient/${patient}` }, valueQuantity: { value: 60 + (i % 60), unit: '/min' } });
    for (let n = 0; n < 3; n++) {
      for (let p = 0; p < P; p++) {
        const created = await call(n, 'POST', '/fhir/Patient', patientWithPhone(`Load${p}`));
        patients[n]!.push(created.json.id);
        for (let o = 0; o < 5; o++) observations.push({ node: n, id: (await call(n, 'POST', '/fhir/Observation', observation(created.json.id, o))).json.id });
      }
    }
    // Hospital patients link their own keys (activation code from the outbox) and consent to the
    // clinic; half of them are toggled for the lab. Grants are signed here and relayed by the hospital.
    const hospitalNode = { url: urls[0]!, token: tokens[0]! };
    const scope = { resourceTypes: ['Observation'] };
    const consenting: { patientId: string; address: Address; master: ReturnType<typeof masterAccount>; labGrant?: Hex; busy?: boolean }[] = [];
    for (const patientId of patients[0]!.slice(0, Math.min(10, P))) {
      await call(0, 'POST', `/api/patients/${patientId}/activation`, {});
      const master = masterAccount(generatePrivateKey());
      const { address } = await patientLink(hospitalNode, master, { patientId, code: activationCodeFor(orgs[0]!.dataDir, patientId) });
      const g = await consentGrant(hospitalNode, master, { grantee: slugs[1], scope, purpose: 'TREAT', days: 1 });
      if (g.notice && !g.notice.delivered) throw new Error(`seed grant not delivered: ${g.notice.problem}`);
      consenting.push({ patientId, address, master });
    }
    await new Promise((r) => setTimeout(r, 2500)); // grants indexed by every node

    const sthSize = async () => (await Promise.all([0, 1, 2].map((n) => call(n, 'GET', '/api/audit/sth')))).reduce((s, r) => s + (r.json.sth.treeSize as number), 0);
    const blockBefore = Number(await chain.conn.client.getBlockNumber({ cacheTime: 0 }));
    const auditBefore = await sthSize();

    progress(`mixed workload: ${opts.seconds} s, ${concurrency} clients`);
    const latencies: Record<Op, number[]> = { write: [], read: [], fetch: [], consent: [] };
    const errors: Record<Op, number> = { write: 0, read: 0, fetch: 0, consent: 0 };
    let versions = 0;
    let seq = 0;
    const run: Record<Op, (i: number) => Promise<boolean>> = {
      async write(i) {
        const n = i % 3;
        const r = await call(n, 'POST', '/fhir/Observation', observation(patients[n]![i % P]!, i));
        if (r.status === 201) versions++;
        return r.status === 201;
      },
      async read(i) {
        const o = observations[i % observations.length]!;
        return (await call(o.node, 'GET', `/fhir/Observation/${o.id}`)).status === 200;
      },
      async fetch(i) {
        const c = consenting[i % consenting.length]!;
        const r = await call(1, 'POST', '/api/exchange/fetch', { patient: c.address, purpose: 'TREAT', scope: { resourceTypes: ['Observation'] } });
        return r.status === 200 && r.json.entry?.length >= 5;
      },
      async consent(i) {
        const c = consenting.find((x) => !x.busy) ?? consenting[i % consenting.length]!;
        if (c.busy) return true;
        c.busy = true;
        try {
          if (c.labGrant) {
            await consentRevoke(hospitalNode, c.master, c.labGrant);
            c.labGrant = undefined;
            return true;
          }
          c.labGrant = (await consentGrant(hospitalNode, c.master, { grantee: slugs[2], scope, purpose: 'TREAT', days: 1 })).grantId;
          return true;
        } catch {
          return false;
        } finally {
          c.busy = false;
        }
      },
    };
    const deadline = performance.now() + opts.seconds * 1000;
    const started = performance.now();
    await Promise.all(
      (Object.entries(CLIENTS) as [Op, number][]).flatMap(([op, n]) => Array.from({ length: n }, async () => {
        while (performance.now() < deadline) {
          const i = seq++;
          const t = performance.now();
          const ok = await run[op](i).catch(() => false);
          latencies[op].push(performance.now() - t);
          if (!ok) errors[op]++;
        }
      })),
    );
    const elapsed = performance.now() - started;

    progress('waiting for the logs to be anchored');
    await new Promise((r) => setTimeout(r, 7000)); // the default anchor interval (5 s) and a block
    const blockAfter = Number(await chain.conn.client.getBlockNumber({ cacheTime: 0 }));
    let chainTxs = 0;
    for (let b = blockBefore + 1; b <= blockAfter; b++) chainTxs += await chain.conn.client.getBlockTransactionCount({ blockNumber: BigInt(b) });
    const auditEvents = (await sthSize()) - auditBefore;

    const results: BenchResult[] = [];
    const all = Object.values(latencies).flat();
    const totalErrors = Object.values(errors).reduce((a, b) => a + b, 0);
    results.push(summarize(`load: mixed total (3 nodes, ${concurrency} clients, ${opts.seconds} s)`, all, elapsed, `${totalErrors} errors`));
    for (const op of Object.keys(CLIENTS) as Op[]) results.push(summarize(`load: ${op} (${CLIENTS[op]} clients)`, latencies[op], elapsed, `${errors[op]} errors`));
    const naiveTxs = versions + auditEvents;
    results.push({
      operation: 'load: chain transactions used',
      ops: chainTxs,
      opsPerSec: NaN,
      p50Ms: NaN,
      p99Ms: NaN,
      note: `${chainTxs} txs for ${versions} versions + ${auditEvents} audit events; naive: ${naiveTxs} (${(naiveTxs / Math.max(chainTxs, 1)).toFixed(0)}x more)`,
    });

    progress(`naive baseline: each version and audit event its own chain transaction, ${Math.max(3, Math.round(opts.seconds / 2))} s`);
    const naive = await naiveBaseline(chain, tmp.dir, (i) => call(i % 3, 'POST', '/fhir/Observation', observation(patients[i % 3]![i % P]!, i)), { seconds: Math.max(3, Math.round(opts.seconds / 2)), concurrency: CLIENTS.write });
    const writes = results.find((r) => r.operation.startsWith('load: write'))!;
    results.push({ ...naive, note: `${naive.note}; batched writes ${(writes.opsPerSec / naive.opsPerSec).toFixed(1)}x the naive rate (p50 ${(naive.p50Ms / writes.p50Ms).toFixed(0)}x lower)` });
    return results;
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await chain.stop();
    tmp.remove();
  }
}

/**
 * The naive design: a write is acknowledged only once its version and its audit event are each on
 * chain (two anchor transactions, sent concurrently, receipts awaited), from one organization key.
 */
async function naiveBaseline(
  chain: Awaited<ReturnType<typeof startTestChain>>,
  home: string,
  write: (i: number) => Promise<{ status: number }>,
  opts: { seconds: number; concurrency: number },
): Promise<BenchResult & { errors: number }> {
  const org = await registerTestOrg(chain, home, 'load-naive');
  const db = await openSqlite(join(org.dataDir, 'naive-journal.db'), { journal: journalMigrations });
  const sender = new TxSender(db, chain.conn, org.keys.account);
  const address = chain.deployment.contracts.AnchorRegistry.address;
  // Each event anchored alone (its own log id, size 1), so concurrent sends never race on a size.
  const anchorOne = (log: 'versions' | 'audit', i: number) =>
    sender.sendContract({
      address,
      abi: anchorRegistryAbi,
      functionName: 'anchor',
      args: [logKindToChain(log === 'versions' ? 'records' : 'audit'), keccak256(stringToHex(`naive-${log}-${i}`)), 1n, keccak256(stringToHex(`${log}-${i}`))],
      label: `naive ${log} ${i}`,
    });
  const latencies: number[] = [];
  let errors = 0;
  let seq = 0;
  const deadline = performance.now() + opts.seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() < deadline) {
        const i = seq++;
        const t = performance.now();
        try {
          const r = await write(i);
          await Promise.all([anchorOne('versions', i), anchorOne('audit', i)]);
          if (r.status !== 201) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - started;
  sender.stop();
  await db.close();
  return { ...summarize('load: naive write (version + audit event each a chain tx)', latencies, elapsed, `${errors} errors, ${latencies.length * 2} txs`), errors };
}
