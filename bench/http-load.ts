/** A small closed-loop HTTP load generator (keep-alive, fixed concurrency) for the benchmarks. */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { summarize, type BenchResult } from './measure.ts';

export interface LoadRequest {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

export async function httpLoad(
  operation: string,
  baseUrl: string,
  make: (i: number) => LoadRequest,
  opts: { requests: number; concurrency: number; expectStatus: number; note?: string },
): Promise<BenchResult & { errors: number }> {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const one = (r: LoadRequest) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, method: r.method, path: r.path, agent, headers: { ...(r.body ? { 'content-length': Buffer.byteLength(r.body) } : {}), ...r.headers } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      if (r.body) req.write(r.body);
      req.end();
    });
  const start = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.requests) {
        const i = next++;
        const t = performance.now();
        const status = await one(make(i)).catch(() => 0);
        latencies.push(performance.now() - t);
        if (status !== opts.expectStatus) errors++;
      }
    }),
  );
  const elapsed = performance.now() - start;
  agent.destroy();
  return { ...summarize(operation, latencies, elapsed, `${opts.note ?? ''}${errors ? ` ${errors} errors` : ''}`.trim() || undefined), errors };
}
