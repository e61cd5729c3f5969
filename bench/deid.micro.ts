/**
 * Micro-benchmark of the research export's de-identification (src/research/deid): resources per
 * second through `deidentify`, single-threaded, on the Synthea fixtures (Patient, Encounter,
 * Observation, Claim, ExplanationOfBenefit, … as transaction Bundles). The product target is
 * ≥ 5,000 resources/s.
 *
 *   npx tsx bench/deid.micro.ts [--seconds 5]
 *
 * Each iteration de-identifies one bundle (one patient's record, ~100 resources) in its own call,
 * as an export of one patient at a time would; a second figure de-identifies all fixtures in one
 * call. The FHIR definitions are indexed before timing (once per process, ~1 s).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { deidentify, type FhirResource } from '../src/research/deid/deidentify.ts';
import { percentile } from './measure.ts';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 5) || 5;
const dir = new URL('../test/fixtures/synthea/', import.meta.url);
const bundles = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as FhirResource);
const count = (b: FhirResource) => 1 + (b['entry'] as unknown[]).length;
const options = { studyId: 'bench', studySecret: Buffer.alloc(32, 1), asOf: new Date('2019-06-01T00:00:00Z') };

for (let i = 0; i < 20; i++) deidentify([bundles[i % bundles.length]!], options); // index definitions, warm up the JIT

function run(label: string, batch: (i: number) => FhirResource[]): void {
  const latencies: number[] = [];
  let resources = 0;
  const start = performance.now();
  for (let i = 0; performance.now() - start < seconds * 1000; i++) {
    const input = batch(i);
    const t = performance.now();
    const { report } = deidentify(input, options);
    latencies.push(performance.now() - t);
    resources += report.resources;
  }
  const busy = latencies.reduce((a, b) => a + b, 0);
  latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      operation: label,
      calls: latencies.length,
      resources,
      resourcesPerSec: Math.round(resources / (busy / 1000)),
      p50Ms: Number(percentile(latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    }),
  );
}

console.log(`# ${bundles.length} bundles, ${bundles.map(count).reduce((a, b) => a + b, 0)} resources; node ${process.version}`);
run('deidentify one patient bundle per call', (i) => [bundles[i % bundles.length]!]);
run('deidentify all fixture bundles in one call', () => bundles);
