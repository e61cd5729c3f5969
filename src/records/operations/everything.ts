/**
 * Patient/$everything (R4 patient-operation-everything): the patient and their compartment, paged
 * (`_count`, at most the node's cap; `_offset`; next / previous links), optionally only resources
 * changed `_since` an instant and of some `_type`s. Rate-limited: it is expensive.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isResourceType } from '../../fhir/search/index.ts';
import { sendFhir } from '../../http/fhir-surface.ts';
import { parse } from '../../http/parse.ts';
import { expensive } from '../../http/rate-limits.ts';
import type { RecordService } from '../service.ts';
import { baseUrl, pageLink, pathOf, patientPath, queryString, repoOf } from '../routes/shared.ts';

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
  fhir.get('/Patient/:id/$everything', expensive(opts.expensivePerMinute), async (req, reply) => {
    const { id } = pathOf(patientPath, req);
    const params = new URLSearchParams(queryString(req));
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
  });
}
