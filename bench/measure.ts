/** Timing helpers for `npm run bench`: operations per second and latency percentiles. */
import { performance } from 'node:perf_hooks';

export interface BenchResult {
  operation: string;
  ops: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  note?: string;
}

/** One suite's figures as bench/results.json keeps them. */
export interface SuiteResults {
  date: string;
  node: string;
  cpus: string;
  memoryGiB: number;
  results: BenchResult[];
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const i = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, i)]!;
}

export function summarize(operation: string, latenciesMs: number[], elapsedMs: number, note?: string): BenchResult {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    operation,
    ops: latenciesMs.length,
    opsPerSec: latenciesMs.length / (elapsedMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    ...(note ? { note } : {}),
  };
}

/** Runs `fn` `iterations` times with `concurrency` in flight, timing each call. */
export async function measure(
  operation: string,
  fn: (i: number) => unknown | Promise<unknown>,
  opts: { iterations: number; concurrency?: number; warmup?: number; note?: string },
): Promise<BenchResult> {
  for (let i = 0; i < (opts.warmup ?? Math.min(100, opts.iterations / 10)); i++) await fn(i);
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < opts.iterations) {
      const i = next++;
      const t = performance.now();
      await fn(i);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 1 }, worker));
  return summarize(operation, latencies, performance.now() - start, opts.note);
}

export function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => [r.operation, fmt(r.opsPerSec), fmtMs(r.p50Ms), fmtMs(r.p99Ms), String(r.ops), r.note ?? '']);
  const head = ['operation', 'ops/s', 'p50', 'p99', 'n', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 1 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

const fmt = (n: number) => (Number.isNaN(n) ? '-' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const fmtMs = (ms: number) => (Number.isNaN(ms) ? '-' : ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
