/** Liveness and readiness: the database, the storage's headroom, the chain, the index, the logs' integrity. */
import type { FastifyInstance } from 'fastify';
import type { Indexer } from '../../indexer/indexer.ts';
import type { Storage } from '../../storage/engine.ts';
import type { WriteQueue } from '../../storage/write-queue.ts';

/** How far behind the chain head the index may be and the node still call itself ready. */
const MAX_INDEX_LAG_BLOCKS = 5;
const MAX_POLL_AGE_MS = 15_000;

export interface HealthDeps {
  org: string;
  storage: Storage;
  queue: WriteQueue;
  indexer: Indexer;
  anchorMismatches(): Promise<string[]>;
}

export function healthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  // Liveness: the process answers. Orchestrators restart the node when this fails.
  app.get('/health/live', async () => ({ status: 'ok' }));

  // Readiness: the database answers, the chain was reached recently and the index is caught up.
  app.get('/health/ready', async (_req, reply) => {
    const reasons: string[] = [];
    try {
      await deps.storage.ping();
    } catch (err) {
      reasons.push(`database: ${(err as Error).message}`);
    }
    const storage = deps.queue.storageProblem ?? (await deps.storage.headroom()).problem;
    if (storage) reasons.push(`storage: ${storage}`);
    const s = deps.indexer.status();
    if (s.lastPollAt === null || Date.now() - s.lastPollAt > MAX_POLL_AGE_MS) reasons.push(`chain not reached recently${s.lastError ? `: ${s.lastError}` : ''}`);
    else if (s.lastError) reasons.push(`chain unreachable: ${s.lastError}`);
    for (const m of await deps.anchorMismatches()) reasons.push(`integrity: ${m}`);
    if (s.chainHead !== null && s.chainHead - s.indexedBlock > MAX_INDEX_LAG_BLOCKS) reasons.push(`index is ${s.chainHead - s.indexedBlock} blocks behind the chain`);
    const body = { status: reasons.length ? 'not-ready' : 'ready', org: deps.org, indexedBlock: s.indexedBlock, chainHead: s.chainHead, reasons };
    return reply.code(reasons.length ? 503 : 200).send(body);
  });
}
