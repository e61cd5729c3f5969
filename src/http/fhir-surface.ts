/**
 * The FHIR R4 surface at /fhir: JSON bodies (`application/fhir+json`, `application/json`, JSON Patch),
 * forms (search by POST),
 * content negotiation (XML is refused with 406, other bodies with 415), the authentication gate on
 * everything but the CapabilityStatement, and one error handler that answers every failure with an
 * OperationOutcome and makes sure it is audited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, invalid } from '../shared/errors.ts';
import { asDomainError, fhirOutcomeOf, STATUS } from './errors.ts';
import type { Gate } from './gate.ts';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';


export interface FhirSurfaceOptions {
  gate: Gate;
  /** Paths (after /fhir) that need no caller. */
  publicPaths: string[];
  /** Audits a failure the feature did not audit itself (malformed body, unknown route, …). */
  onFailure?(req: FastifyRequest, err: DomainError): Promise<void>;
  /** Registers the feature routes inside the surface. */
  routes(fhir: FastifyInstance): void;
}

export function sendFhir(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(FHIR_JSON).send(body);
}

const XML = /(application|text)\/(fhir\+)?xml/;
const JSON_TYPE = /(application\/(fhir\+)?json|application\/json-patch\+json|\*\/\*|application\/\*)/;

/** 406 when the client accepts only XML (by Accept or `_format`): this server speaks JSON. */
function checkAcceptable(req: FastifyRequest): void {
  const format = new URLSearchParams(req.url.split('?')[1] ?? '').get('_format');
  if (format && (XML.test(format) || format === 'xml')) throw new DomainError('not-acceptable', `_format ${format}: this server answers in JSON only (application/fhir+json)`);
  if (format && !(JSON_TYPE.test(format) || format === 'json')) throw new DomainError('not-acceptable', `_format ${format} is not a format this server answers in (json, application/fhir+json)`);
  const accept = req.headers.accept;
  if (accept && XML.test(accept) && !JSON_TYPE.test(accept)) throw new DomainError('not-acceptable', `Accept: ${accept}: this server answers in JSON only (application/fhir+json)`);
}

export function fhirSurface(opts: FhirSurfaceOptions) {
  return async (fhir: FastifyInstance) => {
    // No parser-wide limit: single resources get the server's limit, Bundles (POST /fhir) their own.
    fhir.addContentTypeParser(['application/fhir+json', 'application/json', 'application/json-patch+json'], { parseAs: 'string' }, (_req, body, done) => {
      // An empty body (POST $everything with no Parameters) is no body, not malformed JSON.
      if (body === '') return done(null, undefined);
      try {
        done(null, JSON.parse(body as string));
      } catch (err) {
        done(invalid(`malformed JSON: ${(err as Error).message}`), undefined);
      }
    });
    // Search by POST (`Type/_search`) takes its parameters as a form; the route reads the string.
    fhir.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    fhir.addHook('onRequest', async (req) => {
      checkAcceptable(req);
      if (opts.publicPaths.includes(req.url.split('?')[0]!.slice('/fhir'.length))) return;
      await opts.gate.identify(req);
    });
    fhir.setErrorHandler(async (err: unknown, req, reply) => {
      const e = asDomainError(err);
      if (!e.audited && opts.onFailure) await opts.onFailure(req, e).catch((x: unknown) => req.log.error({ err: x }, 'could not audit a failed request'));
      const status = STATUS[e.kind];
      if (status >= 500) req.log.error({ err: e.cause ?? e }, 'FHIR request failed');
      if (e.kind === 'unauthenticated') reply.header('www-authenticate', 'Bearer');
      if (e.retryAfterSeconds !== undefined) reply.header('retry-after', String(e.retryAfterSeconds));
      return sendFhir(reply, status, fhirOutcomeOf(e));
    });
    fhir.setNotFoundHandler((req) => {
      throw new DomainError('not-found', `no FHIR interaction ${req.method} ${req.url.split('?')[0]}`);
    });
    opts.routes(fhir);
  };
}
