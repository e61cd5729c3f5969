/**
 * The EPCIS 2.0 REST binding (GS1 EPCIS 2.0 §12, its OpenAPI): capture (`POST /epcis/capture`, a
 * capture job at `GET /epcis/capture/{captureID}`, `POST /epcis/events` for one event) and query
 * (`GET /epcis/events` with the SimpleEventQuery parameters, `GET /epcis/events/{eventID}`). Errors are
 * RFC 7807 problem details with the binding's exception types; every response carries the
 * GS1-EPCIS-Version and GS1-CBV-Version headers. Behind the node's gate: staff (or admins) only.
 */
import type { FastifyInstance } from 'fastify';
import { asDomainError, STATUS } from '../../http/errors.ts';
import { callerOf, type Gate } from '../../http/gate.ts';
import { DomainError } from '../../shared/errors.ts';
import { notFound } from '../../shared/errors.ts';
import { EPCIS_CONTEXT } from '../events/build.ts';
import { parseEventQuery } from '../events/query-params.ts';
import type { SupplyService } from '../service.ts';

const EXCEPTION: Partial<Record<DomainError['kind'], string>> = {
  invalid: 'ValidationException',
  'not-supported': 'QueryParameterException',
  unauthenticated: 'SecurityException',
  forbidden: 'SecurityException',
  'not-found': 'NoSuchResourceException',
  conflict: 'ValidationException',
  'too-large': 'CaptureLimitExceededException',
  'unsupported-media': 'ValidationException',
};

/** The problem details of an error (RFC 7807, with the EPCIS exception type). */
export function epcisProblem(err: DomainError, instance: string): Record<string, unknown> {
  const query = err.kind === 'invalid' && err.code !== 'epcis-validation' && instance.startsWith('/epcis/events') && !instance.includes('/events/');
  const type = query ? 'QueryParameterException' : (EXCEPTION[err.kind] ?? 'ImplementationException');
  return { type: `epcisException:${type}`, title: type.replace(/([a-z])([A-Z])/g, '$1 $2'), status: STATUS[err.kind], detail: err.kind === 'internal' ? 'internal error' : err.message, instance };
}

export function epcisRoutes(app: FastifyInstance, supply: SupplyService, gate: Gate): void {
  void app.register(async (epcis) => {
    epcis.addContentTypeParser('application/ld+json', { parseAs: 'string', bodyLimit: 50 * 1024 * 1024 }, (_req, body, done) => {
      try {
        done(null, JSON.parse(String(body)));
      } catch (err) {
        done(new DomainError('invalid', `the body is not JSON: ${(err as Error).message}`, { code: 'epcis-validation' }), undefined);
      }
    });
    epcis.addHook('onSend', async (_req, reply) => {
      reply.header('GS1-EPCIS-Version', '2.0.0').header('GS1-CBV-Version', '2.0.0');
    });
    epcis.setErrorHandler(async (err: unknown, req, reply) => {
      const e = asDomainError(err);
      if (STATUS[e.kind] >= 500) req.log.error({ err: e.cause ?? e }, 'EPCIS request failed');
      return reply.code(STATUS[e.kind]).type('application/problem+json').send(epcisProblem(e, req.url.split('?')[0]!));
    });
    const staff = gate.roles('staff');
    const big = { bodyLimit: 50 * 1024 * 1024 };

    epcis.post('/epcis/capture', { ...staff, ...big }, async (req, reply) => {
      const r = await supply.capture.capture(callerOf(req), req.body);
      return reply.code(202).header('location', `/epcis/capture/${r.captureID}`).send(r);
    });
    epcis.get<{ Params: { captureID: string } }>('/epcis/capture/:captureID', staff, async (req) => (await supply.capture.job(req.params.captureID)) ?? Promise.reject(notFound(`capture job ${req.params.captureID}`)));
    epcis.post('/epcis/events', { ...staff, ...big }, async (req, reply) => {
      const r = await supply.capture.capture(callerOf(req), req.body);
      return reply.code(201).header('location', `/epcis/events/${encodeURIComponent(r.eventIDs[0] ?? '')}`).send(r);
    });
    epcis.get('/epcis/events', staff, async (req, reply) => {
      const q = parseEventQuery(req.query as Record<string, string>);
      const page = await supply.capture.query(callerOf(req), q, req.url);
      if (page.nextPageToken) {
        const url = new URL(req.url, 'http://node');
        url.searchParams.set('nextPageToken', page.nextPageToken);
        reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
      }
      return queryDocument(page.events.map((e) => e.event));
    });
    epcis.get<{ Params: { eventID: string } }>('/epcis/events/:eventID', staff, async (req) => {
      const events = await supply.capture.byEventId(callerOf(req), req.params.eventID);
      if (events.length === 0) throw notFound(`event ${req.params.eventID}`);
      return events.length === 1 ? events[0]!.event : queryDocument(events.map((e) => e.event));
    });
  });
}

/** An EPCISQueryDocument of query results (EPCIS 2.0 §12.2). */
export function queryDocument(eventList: unknown[]): Record<string, unknown> {
  return {
    '@context': [EPCIS_CONTEXT],
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList } } },
  };
}
