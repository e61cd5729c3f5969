/**
 * Micro-benchmark of the write-time sensitivity classifier (src/fhir/sensitivity): `sensitivityOf`
 * and `withSecurityLabels` over every resource of the Synthea fixture bundles, per resource type.
 * Plain `performance.now()` loops (no per-call timing, which would cost more than the call).
 * Target: ≤ 5 µs for a typical resource. Run: `npx tsx bench/sensitivity.bench.ts [--seconds 1]`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Bundle, Resource } from '../src/fhir/types.ts';
import { sensitivityOf } from '../src/fhir/sensitivity/classify.ts';
import { withSecurityLabels } from '../src/fhir/sensitivity/labels.ts';
import type { BenchResult } from './measure.ts';

const fixtures = fileURLToPath(new URL('../test/fixtures/synthea/', import.meta.url));

function loadResources(): Resource[] {
  const out: Resource[] = [];
  for (const f of readdirSync(fixtures).filter((f) => f.endsWith('.json')).sort()) {
    const bundle = JSON.parse(readFileSync(fixtures + f, 'utf8')) as Bundle;
    for (const e of bundle.entry ?? []) if (e.resource) out.push(e.resource);
  }
  return out;
}

/** Runs `fn` over `items` in a loop for about `seconds`; returns ns per item. */
function nsPerItem(items: readonly Resource[], fn: (r: Resource) => unknown, seconds: number): { ns: number; calls: number } {
  let sink = 0;
  for (let w = 0; w < 3; w++) for (const r of items) sink += fn(r) ? 1 : 0; // warm-up (JIT)
  let calls = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    for (const r of items) sink += fn(r) ? 1 : 0;
    calls += items.length;
  }
  const elapsed = performance.now() - start;
  if (sink < 0) console.log(sink); // keep the results alive
  return { ns: (elapsed * 1e6) / calls, calls };
}

export async function sensitivityBenchmarks(progress: (m: string) => void, seconds = 1): Promise<BenchResult[]> {
  const resources = loadResources();
  const byType = new Map<string, Resource[]>();
  for (const r of resources) (byType.get(r.resourceType) ?? byType.set(r.resourceType, []).get(r.resourceType)!).push(r);
  const results: BenchResult[] = [];
  const row = (operation: string, items: Resource[], fn: (r: Resource) => unknown, note: string) => {
    progress(operation);
    const { ns, calls } = nsPerItem(items, fn, seconds);
    const bytes = items.reduce((n, r) => n + JSON.stringify(r).length, 0) / items.length;
    results.push({ operation, ops: calls, opsPerSec: 1e9 / ns, p50Ms: ns / 1e6, p99Ms: NaN, note: `${note}; mean ${(ns / 1000).toFixed(2)} µs/resource, ${items.length} resources, ~${Math.round(bytes)} B JSON each` });
  };
  row('sensitivityOf, all fixture resources', resources, (r) => sensitivityOf(r).length, 'mixed Synthea bundle content');
  for (const [type, items] of [...byType].sort((a, b) => b[1].length - a[1].length)) row(`sensitivityOf, ${type}`, items, (r) => sensitivityOf(r).length, type);
  row('withSecurityLabels, all fixture resources', resources, (r) => withSecurityLabels(r), 'classify + add labels (copy only when labels are missing)');
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--seconds');
  const seconds = i > 0 ? Number(process.argv[i + 1]) : 1;
  const results = await sensitivityBenchmarks((m) => process.stderr.write(`  … ${m}\n`), seconds);
  for (const r of results) console.log(`${r.operation.padEnd(48)} ${Math.round(r.opsPerSec).toLocaleString('en').padStart(12)} ops/s  ${r.note}`);
}
