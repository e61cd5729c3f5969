/** One resource: read, vread, update (or create with a client id), JSON Patch, delete. */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../shared/errors.ts';
import { sendFhir } from '../../http/fhir-surface.ts';
import type { RecordService } from '../service.ts';
import { bodyResource, instancePath, parseIfMatch, pathOf, repoOf, sendWrite, versionOfResource, versionPath, withVersionHeaders } from './shared.ts';

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
    return sendWrite(req, reply, r.created ? 201 : 200, r, r.created ? 'created' : 'updated');
  });

  fhir.patch('/:type/:id', async (req, reply) => {
    const { type, id } = pathOf(instancePath, req);
    const contentType = String(req.headers['content-type'] ?? '');
    if (!contentType.startsWith('application/json-patch+json')) {
      throw new DomainError('unsupported-media', `PATCH takes a JSON Patch (application/json-patch+json), not ${contentType || 'no content type'}`);
    }
    const r = await repoOf(records, req).patch(type, id, req.body, parseIfMatch(req));
    return sendWrite(req, reply, 200, r, 'patched');
  });

  fhir.delete('/:type/:id', async (req, reply) => {
    const { type, id } = pathOf(instancePath, req);
    const r = await repoOf(records, req).delete(type, id);
    if (r) withVersionHeaders(reply, r);
    return reply.code(204).send();
  });
}
