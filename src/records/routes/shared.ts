/** What the record routes share: path parameters, version headers and search result Bundles. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { applyElements, applySummary } from '../../fhir/search/index.ts';
import { outcome } from '../../fhir/outcome.ts';
import { ID_PATTERN, type Bundle, type BundleEntry, type Resource } from '../../fhir/types.ts';
import { sendFhir } from '../../http/fhir-surface.ts';
import { callerOf } from '../../http/gate.ts';
import { parse } from '../../http/parse.ts';
import { invalid } from '../../shared/errors.ts';
import type { FhirRepository, SearchResult } from '../repository.ts';
import type { RecordService } from '../service.ts';
import type { WriteResult } from '../store.ts';

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

/** A paging link: the same search with `_count` and `_offset` set. */
export function pageLink(base: string, params: URLSearchParams, count: number, offset: number): string {
  const p = new URLSearchParams([...params].filter(([k]) => k !== '_count' && k !== '_offset'));
  p.set('_count', String(count));
  p.set('_offset', String(offset));
  return `${base}?${p}`;
}

/**
 * The searchset Bundle of a search (search.html#return): matches then includes, `_summary` /
 * `_elements` applied, total when known, self / first / previous / next links, and a warning when
 * includes were cut at the cap.
 */
export function searchBundle(fhirBase: string, path: string, params: URLSearchParams, r: SearchResult): Bundle {
  const base = `${fhirBase}/${path}`;
  const { parsed } = r;
  const shape = (res: Resource) =>
    parsed.elements ? applyElements(res, parsed.elements) : parsed.summary && parsed.summary !== 'count' ? applySummary(res, parsed.summary) : res;
  const entry: BundleEntry[] = [];
  if (parsed.summary !== 'count') {
    for (const res of r.resources) entry.push({ fullUrl: `${fhirBase}/${res.resourceType}/${res.id}`, resource: shape(res), search: { mode: 'match' } });
    for (const res of r.included) entry.push({ fullUrl: `${fhirBase}/${res.resourceType}/${res.id}`, resource: shape(res), search: { mode: 'include' } });
    if (r.includesTruncated) {
      entry.push({ resource: outcome('too-costly', 'only the first included resources are returned: narrow the search or its includes', undefined, 'warning') as unknown as Resource, search: { mode: 'outcome' } });
    }
  }
  const link = [{ relation: 'self', url: pageLink(base, params, r.count, r.offset) }];
  if (parsed.summary !== 'count') {
    link.push({ relation: 'first', url: pageLink(base, params, r.count, 0) });
    if (r.offset > 0) link.push({ relation: 'previous', url: pageLink(base, params, r.count, Math.max(0, r.offset - r.count)) });
    const more = r.total !== undefined ? r.offset + r.count < r.total : r.matches.length === r.count;
    if (more && r.count > 0) link.push({ relation: 'next', url: pageLink(base, params, r.count, r.offset + r.count) });
  }
  return { resourceType: 'Bundle', type: 'searchset', ...(r.total === undefined ? {} : { total: r.total }), link, entry };
}

/** `Prefer: return=…` (R4 http.html#ops): minimal, representation (the default) or OperationOutcome. */
export function preferredReturn(req: FastifyRequest): 'minimal' | 'representation' | 'OperationOutcome' {
  const m = /return=(minimal|representation|OperationOutcome)/.exec(String(req.headers.prefer ?? ''));
  return (m?.[1] as 'minimal' | 'representation' | 'OperationOutcome' | undefined) ?? 'representation';
}

/** Answers a create / update / patch as the client preferred, with version headers (and Location when created). */
export function sendWrite(req: FastifyRequest, reply: FastifyReply, status: number, r: WriteResult, what: string): FastifyReply {
  withVersionHeaders(reply, r);
  if (status === 201) reply.header('location', `${baseUrl(req)}/${r.type}/${r.id}/_history/${r.version}`);
  switch (preferredReturn(req)) {
    case 'minimal':
      return reply.code(status).send();
    case 'OperationOutcome':
      return sendFhir(reply, status, outcome('informational', `${what} ${r.type}/${r.id}/_history/${r.version}`, undefined, 'information'));
    case 'representation':
      return sendFhir(reply, status, r.resource);
  }
}
