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
  return results;
}
