/**
 * `npm run bench -- research`: the de-identified research export (issue 16; target ≥ 5,000
 * resources/s), measured on the Synthea fixtures (test/fixtures/synthea) flattened into the resources
 * an export reads, in the same run as its references:
 * - `export pipeline`: HIPAA Safe Harbor de-identification of one study's data, subject by subject as
 *   `ResearchService.export` does (and, for comparison, all subjects in one call), plus the dataset
 *   manifest and its hash;
 * - `naive: one deidentify call per resource`: the same rules called resource by resource (the first
 *   pass that learns identifying values is repeated per call, and 90+ links across resources are lost);
 * - `plain reference: manifest only`: canonical JSON + SHA-256 of every resource and the manifest hash,
 *   i.e. the export's cost without de-identification.
 * - `end to end on a node`: the Synthea patients imported into a node, enrolled under research
 *   consents, and `POST /exports` over HTTP (read, decrypt, audit, Safe Harbor, manifest, anchor).
 * Figures are resources per second of wall time, single-threaded, and (in the note) per second of
 * this process's CPU time, which a shared machine's contention does not depress.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Hex } from 'viem';
import { deidentify, type FhirResource } from '../src/research/deid/deidentify.ts';
import { deidentifySubjects } from '../src/research/export/deidentify-subjects.ts';
import { manifestHash, manifestOf } from '../src/research/export/manifest.ts';
import { percentile, type BenchResult } from './measure.ts';

const STUDY = `0x${'5a'.repeat(32)}` as Hex;
const options = { studyId: STUDY, studySecret: Buffer.alloc(32, 7), asOf: new Date('2019-06-01T00:00:00Z') };

function timed(operation: string, seconds: number, run: () => number, note: string): BenchResult {
  const latencies: number[] = [];
  let resources = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - start < seconds * 1000) {
    const t = performance.now();
    resources += run();
    latencies.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  const busy = latencies.reduce((a, b) => a + b, 0);
  latencies.sort((a, b) => a - b);
  // On a shared machine wall time includes waiting for a core; CPU time (user + system) does not.
  const perCpuSecond = Math.round(resources / ((cpu.user + cpu.system) / 1e6));
  return { operation, ops: resources, opsPerSec: resources / (busy / 1000), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), note: `${perCpuSecond.toLocaleString('en-US')}/CPU-s; ${note}` };
}

export async function researchBenchmarks(progress: (m: string) => void, opts: { seconds?: number } = {}): Promise<BenchResult[]> {
  const seconds = opts.seconds ?? 5;
  const dir = new URL('../test/fixtures/synthea/', import.meta.url);
  const subjects = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => (JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as { entry: { resource: FhirResource }[] }).entry.map((e) => e.resource));
  const resources = subjects.flat();
  progress(`${resources.length} Synthea resources; indexing the FHIR definitions`);
  for (let i = 0; i < 3; i++) deidentify(resources, options); // definitions indexed, JIT warm

  const results: BenchResult[] = [];
  progress('export pipeline');
  results.push(
    timed('research export: Safe Harbor per subject + manifest (resources/s)', seconds, () => {
      const out = deidentifySubjects(subjects, options).resources;
      manifestHash(manifestOf(STUDY, out));
      return out.length;
    }, `${subjects.length} subjects, ${resources.length} resources per call (as ResearchService.export); p50/p99 per call`),
  );
  results.push(
    timed('research export: Safe Harbor in one call for all subjects + manifest (resources/s)', seconds, () => {
      const out = deidentify(resources, options).resources;
      manifestHash(manifestOf(STUDY, out));
      return out.length;
    }, `${resources.length} resources per call; p50/p99 per call`),
  );
  progress('naive baseline');
  results.push(
    timed('research export, naive: one deidentify call per resource (resources/s)', seconds, () => {
      const slice = resources.slice(0, 500);
      const out = slice.map((r) => deidentify([r], options).resources[0]!);
      manifestHash(manifestOf(STUDY, out));
      return out.length;
    }, '500 resources per iteration; p50/p99 per iteration'),
  );
  progress('plain reference');
  results.push(
    timed('research export, plain reference: manifest only, no de-identification (resources/s)', seconds, () => {
      manifestHash(manifestOf(STUDY, resources));
      return resources.length;
    }, `${resources.length} resources per call`),
  );
  progress('end to end on a node');
  results.push(await researchNodeBenchmark(progress));
  return results;
}

/**
 * End to end on a node (in this process, embedded Anvil, SQLite): the Synthea fixtures imported as
 * transaction Bundles, every patient enrolled under a research consent, then `POST /exports` over
 * HTTP — reading each subject's records through the caller-bound repository (decrypt, audit), Safe
 * Harbor, the manifest and its anchor transaction — timed per export.
 */
export async function researchNodeBenchmark(progress: (m: string) => void, exports = 3): Promise<BenchResult> {
  const { startTestNode, tempDir } = await import('../test/helpers/env.ts');
  const { custodyPatient } = await import('../test/helpers/patients.ts');
  const { SENSITIVE_CLASSES } = await import('../src/fhir/sensitivity/classes.ts');
  const tmp = tempDir('carechain-bench-research-');
  const { chain, org, node, token } = await startTestNode(tmp.dir, 'bench-site');
  try {
    const call = async (method: string, path: string, body?: unknown, auth = true) => {
      const res = await fetch(`${node.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
      const json = (await res.json()) as any;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
      return json;
    };
    const dir = new URL('../test/fixtures/synthea/', import.meta.url);
    const bundles = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as { entry: { resource: FhirResource }[] });
    const types = [...new Set(bundles.flatMap((b) => b.entry.map((e) => e.resource.resourceType)))].filter((t) => t !== 'Patient').sort();
    progress(`importing ${bundles.length} Synthea patients`);
    const patients: string[] = [];
    for (const b of bundles) {
      const r = await call('POST', '/fhir', b);
      const loc = (r.entry as { response: { location: string } }[]).map((e) => e.response.location).find((l) => l.startsWith('Patient/'))!;
      const id = loc.split('/')[1]!;
      const p = await call('GET', `/fhir/Patient/${id}`);
      await call('PUT', `/fhir/Patient/${id}`, { ...p, telecom: [{ system: 'sms', value: '+1 555 0100' }] });
      patients.push(id);
    }
    const reg = await call('POST', '/api/research/studies', {
      study: { resourceType: 'ResearchStudy', status: 'active', title: 'bench' },
      protocol: { document: 'bench protocol', outcomes: [{ name: 'x', measure: 'y', timeFrame: '1 year', kind: 'primary' }], scope: { resourceTypes: types, sensitive: [...SENSITIVE_CLASSES] } },
    });
    progress(`enrolling ${patients.length} subjects`);
    for (const id of patients) {
      await custodyPatient({ url: node.url, token, dataDir: org.dataDir }, id, 'bench passphrase');
      const c = await call('POST', `/api/research/studies/${reg.studyId}/consent`, { patientId: id, passphrase: 'bench passphrase', days: 1 }, false);
      await call('POST', `/api/research/studies/${reg.studyId}/subjects`, { patientId: id, grantId: c.grantId });
    }
    progress('exporting');
    const latencies: number[] = [];
    const parts = { read: 0, deidentify: 0, anchor: 0 };
    let resources = 0;
    for (let i = 0; i < exports; i++) {
      const t = performance.now();
      const ex = await call('POST', `/api/research/studies/${reg.studyId}/exports`, {});
      latencies.push(performance.now() - t);
      resources += (ex.resources as unknown[]).length;
      for (const k of ['read', 'deidentify', 'anchor'] as const) parts[k] += ex.timingsMs[k] / exports;
    }
    latencies.sort((a, b) => a - b);
    const busy = latencies.reduce((a, b) => a + b, 0);
    return { operation: 'research export end to end on a node, over HTTP (resources/s)', ops: resources, opsPerSec: resources / (busy / 1000), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), note: `${patients.length} subjects, ${resources / exports} resources per export; mean ms: read+decrypt+audit ${Math.round(parts.read)}, Safe Harbor+manifest ${Math.round(parts.deidentify)}, anchor tx+index ${Math.round(parts.anchor)}` };
  } finally {
    await node.stop();
    await chain.stop();
    tmp.remove();
  }
}
