import { statfsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../context.ts';
import type { RecordService } from '../../records/service.ts';

/** How far behind the chain head the index may be and the node still call itself ready. */
const MAX_INDEX_LAG_BLOCKS = 5;
const MAX_POLL_AGE_MS = 15_000;
/** Below this much free space (on disk, or under the database's page limit) the node is not ready. */
const MIN_FREE_BYTES = 64 * 1024 * 1024;

/** Why the node's storage cannot take writes, if it cannot. */
function storageHeadroomProblem(ctx: NodeContext): string | undefined {
  const fs = statfsSync(ctx.config.dataDir);
  const free = fs.bavail * fs.bsize;
  if (free < MIN_FREE_BYTES) return `disk nearly full: ${Math.floor(free / 1048576)} MiB free in ${ctx.config.dataDir}`;
  const pragma = (name: string) => ctx.db.pragma(name, { simple: true }) as number;
  const pageSize = pragma('page_size');
  const maxPages = pragma('max_page_count');
  const room = (maxPages - pragma('page_count') + pragma('freelist_count')) * pageSize;
  if (room < MIN_FREE_BYTES && maxPages * pageSize < free) return `database at its size limit (max_page_count): ${Math.floor(room / 1048576)} MiB left`;
  return undefined;
}

export function healthRoutes(app: FastifyInstance, ctx: NodeContext, records: RecordService) {
  // Liveness: the process answers. Orchestrators restart the node when this fails.
  app.get('/health/live', async () => ({ status: 'ok' }));

  // Readiness: the database answers, the chain was reached recently and the index is caught up.
  app.get('/health/ready', async (_req, reply) => {
    const reasons: string[] = [];
    try {
      ctx.db.prepare('SELECT 1').get();
    } catch (err) {
      reasons.push(`database: ${(err as Error).message}`);
    }
    const storage = records.queue.storageProblem ?? storageHeadroomProblem(ctx);
    if (storage) reasons.push(`storage: ${storage}`);
    const s = ctx.indexer.status();
    if (s.lastPollAt === null || Date.now() - s.lastPollAt > MAX_POLL_AGE_MS) {
      reasons.push(`chain not reached recently${s.lastError ? `: ${s.lastError}` : ''}`);
    } else if (s.lastError) {
      reasons.push(`chain unreachable: ${s.lastError}`);
    }
    for (const m of records.anchorMismatches()) reasons.push(`integrity: ${m}`);
    if (s.chainHead !== null && s.chainHead - s.indexedBlock > MAX_INDEX_LAG_BLOCKS) {
      reasons.push(`index is ${s.chainHead - s.indexedBlock} blocks behind the chain`);
    }
    const body = { status: reasons.length ? 'not-ready' : 'ready', org: ctx.config.org, indexedBlock: s.indexedBlock, chainHead: s.chainHead, reasons };
    return reply.code(reasons.length ? 503 : 200).send(body);
  });
}
