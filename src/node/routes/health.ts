import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../context.ts';
import type { RecordService } from '../../records/service.ts';

/** How far behind the chain head the index may be and the node still call itself ready. */
const MAX_INDEX_LAG_BLOCKS = 5;
const MAX_POLL_AGE_MS = 15_000;

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
    const s = ctx.indexer.status();
    if (s.lastPollAt === null || Date.now() - s.lastPollAt > MAX_POLL_AGE_MS) {
      reasons.push(`chain not reached recently${s.lastError ? `: ${s.lastError}` : ''}`);
    }
    for (const m of records.anchorMismatches()) reasons.push(`integrity: ${m}`);
    if (s.chainHead !== null && s.chainHead - s.indexedBlock > MAX_INDEX_LAG_BLOCKS) {
      reasons.push(`index is ${s.chainHead - s.indexedBlock} blocks behind the chain`);
    }
    const body = { status: reasons.length ? 'not-ready' : 'ready', org: ctx.config.org, indexedBlock: s.indexedBlock, chainHead: s.chainHead, reasons };
    return reply.code(reasons.length ? 503 : 200).send(body);
  });
}
