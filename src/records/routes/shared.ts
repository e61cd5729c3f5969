/** What the record routes share: path parameters, version headers and search result Bundles. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ID_PATTERN, type Bundle, type Resource } from '../../fhir/types.ts';
import { callerOf } from '../../http/gate.ts';
import { parse } from '../../http/parse.ts';
import { invalid } from '../../shared/errors.ts';
import type { FhirRepository } from '../repository.ts';
import type { RecordService } from '../service.ts';

const id = z.string().regex(ID_PATTERN, 'an id is 1-64 letters, digits, dashes and dots');
export const typePath = z.object({ type: z.string().regex(/^[A-Z][A-Za-z]{1,63}$/, 'a FHIR resource type') });
export const instancePath = typePath.extend({ id });
export const versionPath = instancePath.extend({ vid: z.string().regex(/^[1-9]\d{0,9}$/, 'a version number').transform(Number) });
export const patientPath = z.object({ id });

/** The caller-bound repository of this request. */
export const repoOf = (records: RecordService, req: FastifyRequest): FhirRepository => records.as(callerOf(req));

export const pathOf = <S extends z.ZodType>(schema: S, req: FastifyRequest): z.infer<S> => parse(schema, req.params, 'path');

export const queryString = (req: FastifyRequest) => req.url.split('?')[1] ?? '';

/** The base URL of this FHIR server as the client reached it. */
export const baseUrl = (req: FastifyRequest) => `${req.protocol}://${req.host}/fhir`;

export function withVersionHeaders(reply: FastifyReply, r: { version: number; lastUpdated: string }): FastifyReply {
  return reply.header('etag', `W/"${r.version}"`).header('last-modified', new Date(r.lastUpdated).toUTCString());
}

export function versionOfResource(resource: Resource): { version: number; lastUpdated: string } {
  return { version: Number(resource.meta!.versionId), lastUpdated: String(resource.meta!.lastUpdated) };
}

export function parseIfMatch(req: FastifyRequest): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined) return undefined;
  const m = /^(?:W\/)?"(\d+)"$/.exec(String(h));
  if (!m) throw invalid(`If-Match must be a version ETag like W/"3", got ${h}`);
  return Number(m[1]);
}

/** The request body as a FHIR resource, or an `invalid` error. */
export function bodyResource(req: FastifyRequest): Resource {
  const body = req.body as Resource | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.resourceType !== 'string') {
    throw invalid('the request body must be a FHIR resource (a JSON object with resourceType)');
  }
  return body;
}

export function searchset(resources: Resource[], total: number): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    entry: resources.map((r) => ({ fullUrl: `${r.resourceType}/${r.id}`, resource: r, search: { mode: 'match' } })),
  };
}
