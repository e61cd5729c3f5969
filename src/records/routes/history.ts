/**
 * `_history` (R4 http.html#history) of a resource, a type or the whole system: every version, newest
 * first, deleted and erased ones marked; type and system history paged (`_count`, `_offset`) and
 * filtered (`_since`). Each patient whose version is returned gets an audit entry.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Bundle } from '../../fhir/types.ts';
import { sendFhir } from '../../http/fhir-surface.ts';
import { parse } from '../../http/parse.ts';
import type { HistoryEntry } from '../repository.ts';
import type { RecordService } from '../service.ts';
import { baseUrl, instancePath, pageLink, pathOf, queryString, repoOf, typePath } from './shared.ts';

const historyQuery = z
  .object({
    _count: z.coerce.number().int().min(1).max(1000).default(100),
    _offset: z.coerce.number().int().min(0).max(100_000).default(0),
    _since: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, 'an instant (YYYY-MM-DDThh:mm:ss[.sss]Z or ±hh:mm)').optional(),
    _format: z.string().optional(),
    _pretty: z.string().optional(),
  })
  .strict();

function historyBundle(fhirBase: string, entries: HistoryEntry[], extra: Partial<Bundle> = {}): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'history',
    ...extra,
    entry: entries.map(({ row: r, resource }) => ({
      fullUrl: `${fhirBase}/${r.type}/${r.id}`,
      ...(resource ? { resource } : {}),
      request: { method: r.op === 'delete' ? 'DELETE' : r.version === 1 ? 'POST' : 'PUT', url: r.version === 1 && r.op !== 'delete' ? r.type : `${r.type}/${r.id}` },
      response: { status: r.erased ? '410 Gone' : r.op === 'delete' ? '204 No Content' : r.version === 1 ? '201 Created' : '200 OK', etag: `W/"${r.version}"`, lastModified: r.last_updated },
    })),
  };
}

export function historyRoutes(fhir: FastifyInstance, records: RecordService): void {
  fhir.get('/:type/:id/_history', async (req, reply) => {
    const { type, id } = pathOf(instancePath, req);
    const versions = await repoOf(records, req).history(type, id);
    return sendFhir(reply, 200, historyBundle(baseUrl(req), versions, { total: versions.length }));
  });

  const listing = (type: string | undefined) => async (req: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const params = new URLSearchParams(queryString(req));
    const q = parse(historyQuery, Object.fromEntries(params), '_history parameters');
    const since = q._since === undefined ? undefined : new Date(q._since).toISOString();
    const { entries, more } = await repoOf(records, req).historyOf(type, { count: q._count, offset: q._offset, ...(since ? { since } : {}) }, req.url);
    const base = `${baseUrl(req)}/${type ? `${type}/` : ''}_history`;
    const link = [{ relation: 'self', url: pageLink(base, params, q._count, q._offset) }];
    if (q._offset > 0) link.push({ relation: 'previous', url: pageLink(base, params, q._count, Math.max(0, q._offset - q._count)) });
    if (more) link.push({ relation: 'next', url: pageLink(base, params, q._count, q._offset + q._count) });
    return sendFhir(reply, 200, historyBundle(baseUrl(req), entries, { link }));
  };
  fhir.get('/_history', listing(undefined));
  fhir.get('/:type/_history', async (req, reply) => listing(pathOf(typePath, req).type)(req, reply));
}
