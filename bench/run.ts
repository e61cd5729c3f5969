/**
 * `npm run bench`: runs the benchmark suites, prints one table (operation, ops/s, p50, p99) and
 * writes bench/results.json with the machine it ran on.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ledgerBenchmarks } from './ledger.bench.ts';
import { recordBenchmarks } from './records.bench.ts';
import { auditBenchmarks } from './audit.bench.ts';
import { consentBenchmarks } from './consent.bench.ts';
import { credentialBenchmarks } from './credentials.bench.ts';
import { loadBenchmarks } from './load.bench.ts';
import { printTable, type BenchResult } from './measure.ts';

const progress = (m: string) => process.stderr.write(`  … ${m}\n`);
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const seconds = Number(flag('--seconds') ?? 30);
const only = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--seconds');
if (args.includes('--load')) only.push('load');
const suites: [string, (p: typeof progress) => Promise<BenchResult[]>][] = (
  [
    ['ledger', ledgerBenchmarks],
    ['records', recordBenchmarks],
    ['audit', auditBenchmarks],
    ['consent', consentBenchmarks],
    ['credentials', credentialBenchmarks],
    ['load', (p: typeof progress) => loadBenchmarks(p, { seconds })],
  ] as [string, (p: typeof progress) => Promise<BenchResult[]>][]
).filter(([name]) => (only.length === 0 ? name !== 'load' : only.includes(name)));

const results: BenchResult[] = [];
for (const [name, run] of suites) {
  process.stderr.write(`suite ${name}\n`);
  results.push(...(await run(progress)));
}
console.log();
printTable(results);
const out = fileURLToPath(new URL('./results.json', import.meta.url));
writeFileSync(
  out,
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, cpus: `${cpus().length} × ${cpus()[0]?.model}`, memoryGiB: Math.round(totalmem() / 2 ** 30), results },
    null,
    2,
  ) + '\n',
);
console.log(`\nwrote ${out}`);
process.exit(0);
