import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { getParticipant } from '../indexer/queries.ts';
import type { NodeContext } from './context.ts';
import { sendError } from './http-errors.ts';
import { storageFailure } from '../db/storage-errors.ts';
import { anchorRoutes } from './routes/anchors.ts';
import { healthRoutes } from './routes/health.ts';
import { participantRoutes } from './routes/participants.ts';
import { fhirRoutes } from '../fhir/routes.ts';
import { keyRoutes } from './routes/keys.ts';
import { auditRoutes } from '../audit/routes.ts';
import { consentRoutes } from '../consent/routes.ts';
import { authRoutes } from '../auth/routes.ts';
import { credentialRoutes } from '../credentials/routes.ts';
import { ConsentService } from '../consent/service.ts';
import { custodianRoutes } from '../exchange/custodian.ts';
import type { RecordService } from '../records/service.ts';

/** Request bodies above this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 5 * 1024 * 1024;

export function buildServer(ctx: NodeContext, records: RecordService, https?: { key: string; cert: string }): FastifyInstance {
  const app = Fastify({
    ...(https ? { https } : {}),
    logger: {
      level: ctx.config.logLevel,
      base: { org: ctx.config.org },
      redact: ['req.headers.authorization'],
    },
    bodyLimit: BODY_LIMIT_BYTES,
  });

  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, reply) => {
    const storage = storageFailure(err);
    if (storage) {
      req.log.error({ err }, 'storage failure');
      return sendError(reply, storage.status, 'storage', storage.message);
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'request failed');
    return sendError(reply, status, status === 500 ? 'internal' : (err.code ?? 'bad-request').toLowerCase(), status === 500 ? 'internal error' : err.message);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'not-found', `no route ${req.method} ${req.url.split('?')[0]}`));

  // Rate limits only where a route asks for one (logins, expensive operations; see rate-limits.ts).
  // Routes must be added in contexts registered after the limiter to see its hook.
  void app.register(rateLimit, { global: false });
  healthRoutes(app, ctx, records);
  participantRoutes(app, ctx);
  anchorRoutes(app, ctx);
  const consent = new ConsentService(ctx, records);
  fhirRoutes(app, ctx, records, consent);
  keyRoutes(app, ctx, records);
  void app.register(async (scoped) => {
    authRoutes(scoped, ctx, records);
    auditRoutes(scoped, ctx, records);
    custodianRoutes(scoped, ctx, records);
  });
  credentialRoutes(app, ctx, records);
  consentRoutes(app, ctx, records, consent);
  app.get('/api/node', async () => ({
    org: ctx.config.org,
    orgId: ctx.orgId,
    signer: ctx.sender.address,
    registered: getParticipant(ctx.db, ctx.orgId) ?? null,
    chainId: ctx.conn.chain.id,
    contracts: Object.fromEntries(Object.entries(ctx.deployment.contracts).map(([k, v]) => [k, v.address])),
    indexer: ctx.indexer.status(),
  }));
  return app;
}
