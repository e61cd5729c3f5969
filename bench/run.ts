/**
 * `npm run bench`: runs the benchmark suites, prints one table (operation, ops/s, p50, p99) and
 * records each suite's figures, with the date and machine, in bench/results.json.
 * `npm run bench -- fhir --fhir-sizes 10000,100000,1000000 --synthea <folder>` runs only the FHIR
 * suite, grown to those sizes, importing that Synthea folder (default: the committed fixtures).
 * `npm run bench -- claims [--synthea <folder>]` adjudicates claims with every rule on and off, then
 * every Claim of the Synthea bundles with its flag counts per rule.
 * `npm run bench -- research`: the de-identified research export with its naive and plain references.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ledgerBenchmarks } from './ledger.bench.ts';
import { recordBenchmarks } from './records.bench.ts';
import { auditBenchmarks } from './audit.bench.ts';
import { consentBenchmarks } from './consent.bench.ts';
import { credentialBenchmarks } from './credentials.bench.ts';
import { loadBenchmarks } from './load.bench.ts';
import { storageBenchmarks } from './storage.bench.ts';
import { supplyBenchmarks } from './supply.bench.ts';
import { fhirBenchmarks } from './fhir.bench.ts';
import { claimsBenchmarks } from './claims.bench.ts';
import { researchBenchmarks } from './research.bench.ts';
import { printTable, type BenchResult, type SuiteResults } from './measure.ts';

const progress = (m: string) => process.stderr.write(`  … ${m}\n`);
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const seconds = Number(flag('--seconds') ?? 30);
const VALUED = ['--seconds', '--fhir-sizes', '--synthea'];
const only = args.filter((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1] ?? ''));
// The FHIR suite: population sizes to measure at (1,000,000 takes a while), and a Synthea folder to import.
const fhirSizes = (flag('--fhir-sizes') ?? '10000,100000').split(',').map(Number);
const synthea = flag('--synthea');
if (args.includes('--load')) only.push('load');
const suites: [string, (p: typeof progress) => Promise<BenchResult[]>][] = (
  [
    ['ledger', ledgerBenchmarks],
    ['records', recordBenchmarks],
    ['audit', auditBenchmarks],
    ['consent', consentBenchmarks],
    ['credentials', credentialBenchmarks],
    ['storage', storageBenchmarks],
    ['supply', supplyBenchmarks],
    ['research', (p: typeof progress) => researchBenchmarks(p)],
    ['fhir', (p: typeof progress) => fhirBenchmarks(p, { sizes: fhirSizes, ...(synthea ? { synthea } : {}) })],
    ['claims', (p: typeof progress) => claimsBenchmarks(p, synthea ? { synthea } : {})],
    ['load', (p: typeof progress) => loadBenchmarks(p, { seconds })],
  ] as [string, (p: typeof progress) => Promise<BenchResult[]>][]
).filter(([name]) => (only.length === 0 ? name !== 'load' : only.includes(name)));

// Results are kept per suite: a run of some suites updates theirs and keeps the others' last figures.
const out = fileURLToPath(new URL('./results.json', import.meta.url));
const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { suites?: Record<string, SuiteResults> }) : {};
const stored: Record<string, SuiteResults> = previous.suites ?? {};
const machine = { node: process.version, cpus: `${cpus().length} × ${cpus()[0]?.model}`, memoryGiB: Math.round(totalmem() / 2 ** 30) };

const results: BenchResult[] = [];
for (const [name, run] of suites) {
  process.stderr.write(`suite ${name}\n`);
  const suiteResults = await run(progress);
  results.push(...suiteResults);
  stored[name] = { date: new Date().toISOString(), ...machine, results: suiteResults };
}
console.log();
printTable(results);
writeFileSync(out, JSON.stringify({ updated: new Date().toISOString(), suites: stored }, null, 2) + '\n');
console.log(`\nwrote ${out}`);
process.exit(0);
