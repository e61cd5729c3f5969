/** One resource: read, vread, update (or create with a client id), delete. */
import type { FastifyInstance } from 'fastify';
import { sendFhir } from '../../http/fhir-surface.ts';
import type { RecordService } from '../service.ts';
import { baseUrl, bodyResource, instancePath, parseIfMatch, pathOf, repoOf, versionOfResource, versionPath, withVersionHeaders } from './shared.ts';

export function instanceRoutes(fhir: FastifyInstance, records: RecordService): void {
  fhir.get('/:type/:id', async (req, reply) => {
    const { type, id } = pathOf(instancePath, req);
    const resource = await repoOf(records, req).read(type, id);
    return sendFhir(withVersionHeaders(reply, versionOfResource(resource)), 200, resource);
  });

  fhir.get('/:type/:id/_history/:vid', async (req, reply) => {
    const { type, id, vid } = pathOf(versionPath, req);
    const resource = await repoOf(records, req).vread(type, id, vid);
    return sendFhir(withVersionHeaders(reply, versionOfResource(resource)), 200, resource);
  });

  fhir.put('/:type/:id', async (req, reply) => {
    const { type, id } = pathOf(instancePath, req);
    const r = await repoOf(records, req).update(type, id, bodyResource(req), parseIfMatch(req));
    withVersionHeaders(reply, r);
    if (r.created) reply.header('location', `${baseUrl(req)}/${type}/${id}/_history/${r.version}`);
    return sendFhir(reply, r.created ? 201 : 200, r.resource);
  });

  fhir.delete('/:type/:id', async (req, reply) => {
    const { type, id } = pathOf(instancePath, req);
    const r = await repoOf(records, req).delete(type, id);
    if (r) withVersionHeaders(reply, r);
    return reply.code(204).send();
  });
}
