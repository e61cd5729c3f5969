/**
 * Patient/$everything (R4 patient-operation-everything): the patient and their compartment, paged
 * (`_count`, at most the node's cap; `_offset`; next / previous links), optionally only resources
 * changed `_since` an instant and of some `_type`s. By GET, or by POST with the same parameters in a
 * `Parameters` body (an operation that changes nothing may be invoked either way, R4 operations.html#request).
 * Rate-limited: it is expensive.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isResourceType } from '../../fhir/search/index.ts';
import { sendFhir } from '../../http/fhir-surface.ts';
import { parse } from '../../http/parse.ts';
import { expensive } from '../../http/rate-limits.ts';
import { invalid } from '../../shared/errors.ts';
import type { RecordService } from '../service.ts';
import { baseUrl, pageLink, pathOf, patientPath, queryString, repoOf } from '../routes/shared.ts';

/** The operation's parameters: the query string, and for POST those of a `Parameters` body (valueX as text). */
function operationParams(req: FastifyRequest): URLSearchParams {
  const params = new URLSearchParams(queryString(req));
  if (req.method !== 'POST' || req.body === undefined || req.body === null) return params;
  const body = req.body as { resourceType?: unknown; parameter?: unknown };
  if (body.resourceType !== 'Parameters') throw invalid('POST $everything takes a Parameters resource (or no body)', ['resourceType']);
  for (const p of Array.isArray(body.parameter) ? (body.parameter as Record<string, unknown>[]) : []) {
    const value = Object.entries(p).find(([k]) => k.startsWith('value'))?.[1];
    if (typeof p.name === 'string' && (typeof value === 'string' || typeof value === 'number')) params.append(p.name, String(value));
  }
  return params;
}

export function everythingOperation(fhir: FastifyInstance, records: RecordService, opts: { expensivePerMinute: number }): void {
  const max = records.limits.maxEverythingCount;
  const query = z
    .object({
      _count: z.coerce.number().int().min(1).default(Math.min(100, max)).transform((n) => Math.min(n, max)),
      _offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      _since: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, 'an instant').optional(),
      _type: z.string().refine((t) => t.split(',').every(isResourceType), 'a comma-separated list of FHIR resource types').optional(),
      _format: z.string().optional(),
      _pretty: z.string().optional(),
    })
    .strict();
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const { id } = pathOf(patientPath, req);
    const params = operationParams(req);
    const q = parse(query, Object.fromEntries(params), '$everything parameters');
    const r = await repoOf(records, req).everything(id, {
      count: q._count,
      offset: q._offset,
      ...(q._since ? { sinceMs: Date.parse(q._since) } : {}),
      ...(q._type ? { types: q._type.split(',') } : {}),
    });
    const base = `${baseUrl(req)}/Patient/${id}/$everything`;
    const link = [{ relation: 'self', url: pageLink(base, params, r.count, r.offset) }];
    if (r.offset > 0) link.push({ relation: 'previous', url: pageLink(base, params, r.count, Math.max(0, r.offset - r.count)) });
    if (r.offset + r.count < r.total) link.push({ relation: 'next', url: pageLink(base, params, r.count, r.offset + r.count) });
    return sendFhir(reply, 200, {
      resourceType: 'Bundle',
      type: 'searchset',
      total: r.total,
      link,
      entry: r.resources.map((res) => ({ fullUrl: `${baseUrl(req)}/${res.resourceType}/${res.id}`, resource: res, search: { mode: 'match' } })),
    });
  };
  fhir.get('/Patient/:id/$everything', expensive(opts.expensivePerMinute), handler);
  fhir.post('/Patient/:id/$everything', expensive(opts.expensivePerMinute), handler);
}
