/**
 * Record pipeline benchmarks.
 * - FHIR create over HTTP (validate + encrypt + store + record log, anchored in batches) and FHIR
 *   read over HTTP, against a node process, driven from this process (one core each);
 * - the physical reference in the same run: plain SQLite insert/select of the same JSON with the same
 *   durability (WAL, synchronous=FULL, group commit of the same size);
 * - where the time goes: each stage of a create on its own.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadKeyFile } from '../src/crypto/org-keys.ts';
import { newDataKey, seal } from '../src/crypto/envelope.ts';
import Database from 'better-sqlite3';
import { loadFhirDefinitions, validate } from '../src/fhir/validation.ts';
import { canonicalJson } from '../src/shared/canonical-json.ts';
import { freePort, registerTestOrg, startCli, startTestChain, tempDir } from '../test/helpers/env.ts';
import { httpLoad } from './http-load.ts';
import { measure, type BenchResult } from './measure.ts';

const observation = (patientId: string, i: number) => ({
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  subject: { reference: `Patient/${patientId}` },
  effectiveDateTime: `2024-01-${String((i % 28) + 1).padStart(2, '0')}T08:30:00Z`,
  valueQuantity: { value: 60 + (i % 40), unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
});

export async function recordBenchmarks(progress: (m: string) => void, scale = 1): Promise<BenchResult[]> {
  const tmp = tempDir('carechain-bench-records-');
  const chain = await startTestChain(tmp.dir);
  const results: BenchResult[] = [];
  const org = await registerTestOrg(chain, tmp.dir, 'bench-hospital');
  const port = await freePort();
  const node = startCli(['node', 'start', '--org', org.slug, '--home', tmp.dir, '--port', String(port), '--log-level', 'warn', '--anchor-interval-ms', '1000']);
  try {
    const { url } = (await node.ready) as { url: string };
    const token = readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };
    const N = Math.round(20_000 * scale);

    progress('creating patients');
    const patients: string[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${url}/fhir/Patient`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Patient', name: [{ family: `Bench${i}` }], gender: 'female' }) });
      patients.push(((await res.json()) as { id: string }).id);
    }
    progress(`FHIR create over HTTP (${N})`);
    const createdIds: string[] = [];
    const create = await httpLoad('FHIR create over HTTP (validate+encrypt+store+log)', url, (i) => ({
      method: 'POST', path: '/fhir/Observation', headers, body: JSON.stringify(observation(patients[i % patients.length]!, i)),
    }), { requests: N, concurrency: 64, expectStatus: 201 });
    results.push(create);
    // Ids for the read test.
    for (let page = 0; createdIds.length < 2000; page++) {
      const res = await fetch(`${url}/fhir/Observation?_count=1000&_offset=${page * 1000}`, { headers });
      const b = (await res.json()) as { entry?: { resource: { id: string } }[] };
      if (!b.entry?.length) break;
      createdIds.push(...b.entry.map((e) => e.resource.id));
    }
    progress(`FHIR read over HTTP (${N})`);
    results.push(
      await httpLoad('FHIR read over HTTP (decrypt+integrity checks)', url, (i) => ({ method: 'GET', path: `/fhir/Observation/${createdIds[i % createdIds.length]}`, headers }), {
        requests: N, concurrency: 64, expectStatus: 200,
      }),
    );
    const anchors = (await (await fetch(`${url}/api/anchors?org=${org.orgId}&kind=records`)).json()) as { anchors: unknown[] };
    results.push({ operation: 'record-log anchors for the run', ops: anchors.anchors.length, opsPerSec: NaN, p50Ms: NaN, p99Ms: NaN, note: `${N + 100} versions in ${anchors.anchors.length} chain transactions` });
  } finally {
    await node.stop();
    await chain.stop();
  }

  // The physical reference: the same JSON into plain SQLite, same durability and group commit.
  progress('plain SQLite reference');
  // better-sqlite3 directly, not the node's storage layer: the physical limit, not our code.
  const db = new Database(join(tmp.dir, 'plain.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE plain (id TEXT PRIMARY KEY, json TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO plain (id, json) VALUES (?, ?)');
  const groupCommit = plainGroupCommit(db);
  const ids: string[] = [];
  const N = Math.round(20_000 * scale);
  results.push(
    await measure('plain SQLite insert, same JSON (group commit)', async (i) => {
      const id = randomUUID();
      ids.push(id);
      await groupCommit(() => insert.run(id, JSON.stringify(observation('p', i))));
    }, { iterations: N, concurrency: 64 }),
  );
  const select = db.prepare('SELECT json FROM plain WHERE id = ?');
  results.push(await measure('plain SQLite select by id + JSON.parse', (i) => JSON.parse((select.get(ids[i % ids.length]) as { json: string }).json), { iterations: N }));
  db.close();

  // Where the time of one create goes.
  progress('create stages');
  loadFhirDefinitions();
  const keys = loadKeyFile(org.keyFile);
  const sample = observation('p', 1);
  results.push(await measure('  stage: FHIR validation (@medplum/core)', () => validate(sample), { iterations: 5000 }));
  results.push(await measure('  stage: canonical JSON + AES-256-GCM seal + key wraps', () => {
    const dek = newDataKey();
    const blob = seal(dek, Buffer.from(canonicalJson(sample)), Buffer.from('aad'));
    seal(keys.currentKek.key, dek, blob.subarray(0, 32));
    seal(keys.currentKek.key, dek, blob.subarray(0, 32));
  }, { iterations: 20_000 }));
  tmp.remove();
  return results;
}

/** The same group commit as the node's write queue, on a bare connection: one transaction per tick. */
function plainGroupCommit(db: Database.Database): (fn: () => unknown) => Promise<void> {
  let batch: { fn: () => unknown; done: () => void }[] = [];
  return (fn) =>
    new Promise<void>((done) => {
      batch.push({ fn, done });
      if (batch.length === 1)
        setImmediate(() => {
          const jobs = batch;
          batch = [];
          db.transaction(() => jobs.forEach((j) => j.fn()))();
          jobs.forEach((j) => j.done());
        });
    });
}
