/**
 * The node's HTTP server: the platform API (/api, /health) and the FHIR surface (/fhir), each with
 * its one error shape, every feature's routes registered behind the one authentication gate.
 */
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { auditRoutes } from '../audit/routes.ts';
import { authRoutes } from '../auth/routes.ts';
import { consentFhirRoutes } from '../consent/fhir-consent.ts';
import { consentRoutes } from '../consent/routes.ts';
import { practitionerRoleRoute } from '../credentials/fhir-practitioner-role.ts';
import { credentialRoutes } from '../credentials/routes.ts';
import { exchangeRoutes } from '../exchange/routes.ts';
import { apiSurface } from '../http/api-surface.ts';
import { fhirSurface } from '../http/fhir-surface.ts';
import { documented, OpenApiCollector } from '../http/openapi.ts';
import { getParticipant } from '../indexer/projectors/participants.ts';
import { recordRoutes } from '../records/routes/index.ts';
import { claimsRoutes } from '../claims/routes.ts';
import { patientRecordRoutes } from '../records/routes/patient.ts';
import { researchRoutes } from '../research/routes.ts';
import { epcisRoutes } from '../supply/routes/epcis.ts';
import { supplyPeerRoutes } from '../supply/routes/peer.ts';
import { supplyRoutes } from '../supply/routes/supply.ts';
import { anchorRoutes } from './routes/anchors.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './metrics.ts';
import { keyRoutes } from './routes/keys.ts';
import { participantRoutes } from './routes/participants.ts';
import { portalRoutes } from './portal.ts';
import type { NodeServices } from './services.ts';

const ROUTES = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/** The routes a node's server registered. */
export const routesOf = (app: FastifyInstance): { method: string; url: string }[] => ROUTES.get(app) ?? [];

/** A URL as logged: the path, and `?…` in place of any query. */
export const redactQuery = (url: string): string => (url.includes('?') ? `${url.slice(0, url.indexOf('?'))}?…` : url);

/** Request bodies above this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 5 * 1024 * 1024;

export function buildServer(s: NodeServices, https?: { key: string; cert: string }): FastifyInstance {
  const { config, gate } = s;
  // Node checks request deadlines every connectionsCheckingInterval (30 s by default): check each
  // second so a slow request is cut off close to requestTimeoutMs.
  const serverOptions = { requestTimeout: config.requestTimeoutMs, headersTimeout: Math.min(config.requestTimeoutMs, 60_000), connectionsCheckingInterval: 1_000, keepAliveTimeout: 5_000 };
  const app = Fastify({
    serverFactory: (handler) => (https ? createHttpsServer({ ...https, ...serverOptions }, handler) : createHttpServer(serverOptions, handler)),
    // Logged requests carry no query string: a search (`?code=86406008`) would put a diagnosis next to
    // the caller in the log. Only the path, which names no patient data beyond resource ids.
    logger: {
      level: config.logLevel,
      base: { org: config.org },
      serializers: { req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactQuery(req.url), remoteAddress: req.ip }) },
    },
    bodyLimit: BODY_LIMIT_BYTES,
    // Slow clients cannot hold connections (a body sent a byte at a time): the whole request within
    // requestTimeoutMs, idle keep-alive sockets closed after 5 s.
    connectionTimeout: config.requestTimeoutMs * 2,
  });
  app.server.maxConnections = config.maxConnections;
  // Every route, as registered (for the authorization walk in the tests and the route list in the docs).
  const routes: { method: string; url: string }[] = [];
  ROUTES.set(app, routes);
  const openapi = new OpenApiCollector();
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push({ method: m, url: r.url });
    openapi.onRoute(r);
  });
  apiSurface(app);
  metricsRoutes(app, s);
  const indexedBlock = () => s.indexer.indexedBlock;
  const limits = { expensivePerMinute: config.expensivePerMinute };

  // Rate limits only where a route asks for one (logins, expensive operations; see http/rate-limits.ts).
  // Routes must be added in contexts registered after the limiter to see its hook.
  void app.register(rateLimit, { global: false });
  void app.register(async (api) => {
    // The platform API's OpenAPI 3.1 document, from the zod schemas the routes validate with.
    api.get('/api/openapi.json', documented({ summary: 'this document', access: 'public' }), async () =>
      openapi.document({ title: `Carechain node API (${config.org})`, version: '0.1.0', description: 'The platform API of a Carechain node. FHIR R4 is at /fhir (CapabilityStatement at /fhir/metadata).' }),
    );
    portalRoutes(api);
    healthRoutes(api, { org: config.org, storage: s.storage, queue: s.queue, indexer: s.indexer, anchorMismatches: () => s.records.anchorMismatches() });
    participantRoutes(api, s.storage, indexedBlock);
    anchorRoutes(api, { storage: s.storage, ledger: s.ledger, journal: s.journal, deployment: s.deployment, gate, indexedBlock });
    keyRoutes(api, { keyFile: config.keyFile, store: s.store, queue: s.queue, gate, alsoSeal: [s.supply.ctx.events] });
    authRoutes(api, s.logins);
    auditRoutes(api, s.auditService, gate, limits);
    credentialRoutes(api, s.credentials, gate);
    consentRoutes(api, s.consent, gate);
    exchangeRoutes(api, s.exchange, gate, limits);
    patientRecordRoutes(api, s.records, gate, limits);
    supplyRoutes(api, s.supply, gate);
    supplyPeerRoutes(api, s.supply, gate);
    epcisRoutes(api, s.supply, gate);
    claimsRoutes(api, s.claims, s.claimTables, gate);
    researchRoutes(api, s.research, gate);
    api.get('/api/node', async () => ({
      org: config.org,
      orgId: s.orgId,
      signer: s.journal.address,
      registered: (await getParticipant(s.storage, s.orgId)) ?? null,
      chainId: s.conn.chain.id,
      contracts: Object.fromEntries(Object.entries(s.deployment.contracts).map(([k, v]) => [k, v.address])),
      indexer: s.indexer.status(),
      leader: s.leadership?.isLeader ?? true,
    }));
    void api.register(
      fhirSurface({
        gate,
        publicPaths: ['/metadata'],
        onFailure: (req, err) =>
          s.audit.recordFailure(req.caller ?? { agent: 'Device/unauthenticated', network: req.ip }, { kind: err.kind, message: err.message, serious: err.kind === 'internal', url: req.url }).then(() => {}),
        routes: (fhir) => {
          recordRoutes(fhir, s.records, { org: config.org, ...limits });
          consentFhirRoutes(fhir, s.consentView);
          practitionerRoleRoute(fhir, s.credentials, config.org);
        },
      }),
      { prefix: '/fhir' },
    );
  });
  return app;
}
