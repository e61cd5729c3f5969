/**
 * Health metrics in the Prometheus text exposition format at `GET /metrics` (prom-client): requests
 * and their latencies by route template (never the raw URL: no ids, no PHI), write-queue batch sizes,
 * storage headroom, indexer lag, anchor lag per log, journal transactions pending, and whether this
 * replica leads. Values that live in the database are read when scraped. The endpoint needs no token,
 * like /health: keep it on the operations network (see docs/production.md).
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NodeServices } from './services.ts';

export function metricsRoutes(app: FastifyInstance, s: NodeServices): void {
  const registry = new Registry();
  registry.setDefaultLabels({ org: s.config.org });
  collectDefaultMetrics({ register: registry, prefix: 'carechain_' });

  const requests = new Counter({ name: 'carechain_http_requests_total', help: 'HTTP requests answered, by method, route template and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'carechain_http_request_duration_seconds',
    help: 'HTTP request latency, by method and route template',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const batches = new Histogram({ name: 'carechain_write_queue_batch_size', help: 'Jobs per committed write-queue batch (group commit)', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], registers: [registry] });
  s.queue.onBatch = (n) => batches.observe(n);

  new Gauge({
    name: 'carechain_storage_headroom_ok',
    help: '1 when the storage can take writes, 0 when it cannot (full, read-only, at its connection limit)',
    registers: [registry],
    async collect() {
      const problem = s.queue.storageProblem ?? (await s.storage.headroom().catch((e: Error) => ({ problem: e.message }))).problem;
      this.set(problem ? 0 : 1);
    },
  });
  new Gauge({
    name: 'carechain_indexer_lag_blocks',
    help: 'Blocks between the chain head and the last block indexed',
    registers: [registry],
    collect() {
      const st = s.indexer.status();
      this.set(st.chainHead === null ? 0 : Math.max(0, st.chainHead - st.indexedBlock));
    },
  });
  new Gauge({
    name: 'carechain_indexer_reorgs',
    help: 'Times this process rebuilt the index because the chain reorganized below it',
    registers: [registry],
    collect() {
      this.set(s.indexer.status().reorgs);
    },
  });
  new Gauge({
    name: 'carechain_indexed_block',
    help: 'Last block whose events are all indexed',
    registers: [registry],
    collect() {
      this.set(s.indexer.indexedBlock);
    },
  });
  new Gauge({
    name: 'carechain_anchor_lag_entries',
    help: 'Log entries not yet covered by an anchored root, per log',
    labelNames: ['log'],
    registers: [registry],
    async collect() {
      for (const [name, anchorer, log] of [['records', s.anchorers.records, s.store.log], ['audit', s.anchorers.audit, s.audit.log.log]] as const) {
        await log.refresh().catch(() => {});
        const anchored = (await anchorer.latest().catch(() => undefined))?.treeSize ?? 0;
        this.set({ log: name }, Math.max(0, log.size - anchored));
      }
    },
  });
  new Gauge({
    name: 'carechain_journal_pending',
    help: 'Ledger transactions journalled and not yet mined',
    registers: [registry],
    async collect() {
      this.set(await s.journal.pendingCount().catch(() => 0));
    },
  });
  new Gauge({
    name: 'carechain_leader',
    help: '1 when this replica runs the singletons (indexer, anchorers, journal re-broadcaster)',
    registers: [registry],
    collect() {
      this.set(s.leadership?.isLeader === false ? 0 : 1);
    },
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}
