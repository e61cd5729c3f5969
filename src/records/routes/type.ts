/** A resource type: search (GET) and create (POST). */
import type { FastifyInstance } from 'fastify';
import { sendFhir } from '../../http/fhir-surface.ts';
import { invalid } from '../../shared/errors.ts';
import type { RecordService } from '../service.ts';
import { baseUrl, bodyResource, pathOf, queryString, repoOf, searchset, typePath, withVersionHeaders } from './shared.ts';

export function typeRoutes(fhir: FastifyInstance, records: RecordService): void {
  fhir.get('/:type', async (req, reply) => {
    const { type } = pathOf(typePath, req);
    const params = new URLSearchParams(queryString(req));
    const result = await repoOf(records, req).search(type, params, req.url);
    const bundle = searchset(result.resources, result.total);
    const page = (offset: number) => {
      const p = new URLSearchParams(params);
      p.set('_count', String(result.count));
      p.set('_offset', String(offset));
      return `${baseUrl(req)}/${type}?${p}`;
    };
    bundle.link = [{ relation: 'self', url: page(result.offset) }];
    if (result.offset + result.count < result.total) bundle.link.push({ relation: 'next', url: page(result.offset + result.count) });
    return sendFhir(reply, 200, bundle);
  });

  fhir.post('/:type', async (req, reply) => {
    const { type } = pathOf(typePath, req);
    const resource = bodyResource(req);
    if (resource.resourceType !== type) throw invalid(`resourceType ${resource.resourceType} does not match the URL (${type})`, ['resourceType']);
    const r = await repoOf(records, req).create(resource);
    withVersionHeaders(reply, r).header('location', `${baseUrl(req)}/${r.type}/${r.id}/_history/${r.version}`);
    return sendFhir(reply, 201, r.resource);
  });
}
