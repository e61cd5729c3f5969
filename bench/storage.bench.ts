/**
 * Storage benchmarks, SQLite beside PostgreSQL in the same run (`npm run bench -- storage`):
 * - FHIR create and read over HTTP against one node, and durable audit appends through the write
 *   queue, on each engine. SQLite: WAL, synchronous=FULL. PostgreSQL: a throwaway server on this
 *   machine with fsync, full_page_writes and synchronous_commit on (as durable as SQLite's FULL).
 * - FHIR create throughput with 1, 2 and 3 replicas of one node (separate processes) on one
 *   PostgreSQL, the client spreading requests round-robin; SQLite's one process beside it.
 * Every node runs on the same 2-core machine as the database, the chain and the load generator: the
 * replica figures show the cost of coordination there, not the scaling a hospital's servers get.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startNode } from '../src/node/start.ts';
import { loadNodeConfig } from '../src/config/node-config.ts';
import { startThrowawayPostgres } from '../src/storage/throwaway-postgres.ts';
import { freePort, registerTestOrg, startCli, startTestChain, tempDir, type CliProcess } from '../test/helpers/env.ts';
import { httpLoad } from './http-load.ts';
import { measure, type BenchResult } from './measure.ts';

const patient = (i: number) => JSON.stringify({ resourceType: 'Patient', name: [{ family: `Bench${i}` }], birthDate: '1970-01-01' });

export async function storageBenchmarks(progress: (m: string) => void, scale = 1): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const pg = await startThrowawayPostgres({ durable: true });
  try {
    for (const engine of ['sqlite', 'postgres'] as const) {
      const tmp = tempDir(`carechain-bench-storage-${engine}-`);
      const chain = await startTestChain(tmp.dir);
      try {
        const org = await registerTestOrg(chain, tmp.dir, `bench-${engine}`);
        const database = engine === 'postgres' ? pg.url('{node}') : undefined;
        const node = await startNode(loadNodeConfig({ org: org.slug, home: tmp.dir, port: 0, rpcUrl: chain.anvil.rpcUrl, logLevel: 'silent', ...(database ? { database } : {}) }, {}));
        const token = readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim();
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };
        try {
          const N = Math.round(3000 * scale);
          progress(`${engine}: FHIR create over HTTP (${N})`);
          const ids: string[] = [];
          const create = await httpLoad(`[${engine}] FHIR create over HTTP`, node.url, (i) => ({ method: 'POST', path: '/fhir/Patient', body: patient(i), headers }), { requests: N, concurrency: 32, expectStatus: 201 });
          results.push(create);
          for (const r of await node.services.storage.all<{ id: string }>("SELECT id FROM record_current WHERE type = 'Patient' LIMIT 1000")) ids.push(r.id);
          progress(`${engine}: FHIR read over HTTP (${N})`);
          results.push(await httpLoad(`[${engine}] FHIR read over HTTP`, node.url, (i) => ({ method: 'GET', path: `/fhir/Patient/${ids[i % ids.length]}`, headers }), { requests: N, concurrency: 32, expectStatus: 200 }));
          const A = Math.round(20_000 * scale);
          progress(`${engine}: audit append (${A})`);
          const audit = node.services.audit.log;
          results.push(
            await measure(`[${engine}] audit append, one durable request each`, (i) => node.services.queue.run((tx) => audit.append(tx, { agent: `Practitioner/p${i % 50}`, action: 'R', subtype: 'read', outcome: '0', patientId: `p-${i % 500}`, what: [`Observation/o${i}`] })), {
              iterations: A,
              concurrency: 512,
              warmup: 0,
            }),
          );
        } finally {
          await node.stop();
        }
      } finally {
        await chain.stop();
        tmp.remove();
      }
    }
    results.push(...(await replicaBenchmarks(progress, pg.url('{node}'), scale)));
  } finally {
    await pg.stop();
  }
  return results;
}

/** FHIR creates spread round-robin over 1, 2 and 3 replica processes (PostgreSQL) and one SQLite process. */
async function replicaBenchmarks(progress: (m: string) => void, database: string, scale: number): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const [engine, count] of [['sqlite', 1], ['postgres', 1], ['postgres', 2], ['postgres', 3]] as const) {
    const tmp = tempDir('carechain-bench-replicas-');
    const chain = await startTestChain(tmp.dir);
    const procs: { proc: CliProcess; url: string }[] = [];
    try {
      const org = await registerTestOrg(chain, tmp.dir, 'bench-replicas');
      const env = { CARECHAIN_RPC_URL: chain.anvil.rpcUrl, CARECHAIN_DATABASE: engine === 'postgres' ? database : '' };
      for (let i = 0; i < count; i++) {
        const port = await freePort();
        const proc = startCli(['node', 'start', '--org', org.slug, '--home', tmp.dir, '--port', String(port), '--log-level', 'warn'], env);
        await proc.ready;
        procs.push({ proc, url: `http://127.0.0.1:${port}` });
      }
      const token = readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim();
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };
      const N = Math.round(3000 * scale);
      progress(`${engine}: FHIR create over HTTP, ${count} process(es) (${N})`);
      const start = performance.now();
      const parts = await Promise.all(
        procs.map((p, k) => httpLoad(`part ${k}`, p.url, (i) => ({ method: 'POST', path: '/fhir/Patient', body: patient(i), headers }), { requests: Math.ceil(N / count), concurrency: Math.ceil(48 / count), expectStatus: 201 })),
      );
      const elapsed = performance.now() - start;
      const ops = parts.reduce((n, p) => n + p.ops, 0);
      const errors = parts.reduce((n, p) => n + p.errors, 0);
      const worst = (k: 'p50Ms' | 'p99Ms') => Math.max(...parts.map((p) => p[k]));
      results.push({
        operation: `[${engine}] FHIR create, ${count} replica${count > 1 ? 's' : ''} (processes), round-robin`,
        ops,
        opsPerSec: ops / (elapsed / 1000),
        p50Ms: worst('p50Ms'),
        p99Ms: worst('p99Ms'),
        note: `48 clients${errors ? `, ${errors} errors` : ''}`,
      } as BenchResult);
    } finally {
      for (const p of procs) await p.proc.stop();
      await chain.stop();
      tmp.remove();
    }
  }
  return results;
}
