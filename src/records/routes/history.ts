/** A resource's history: every version, deleted and erased ones marked. */
import type { FastifyInstance } from 'fastify';
import type { Bundle } from '../../fhir/types.ts';
import { sendFhir } from '../../http/fhir-surface.ts';
import type { RecordService } from '../service.ts';
import { instancePath, pathOf, repoOf } from './shared.ts';

export function historyRoutes(fhir: FastifyInstance, records: RecordService): void {
  fhir.get('/:type/:id/_history', async (req, reply) => {
    const { type, id } = pathOf(instancePath, req);
    const versions = await repoOf(records, req).history(type, id);
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'history',
      total: versions.length,
      entry: versions.map(({ row: r, resource }) => ({
        fullUrl: `${r.type}/${r.id}`,
        ...(resource ? { resource } : {}),
        request: { method: r.op === 'delete' ? 'DELETE' : r.version === 1 ? 'POST' : 'PUT', url: r.version === 1 ? r.type : `${r.type}/${r.id}` },
        response: { status: r.erased ? '410 Gone' : r.op === 'delete' ? '204 No Content' : r.version === 1 ? '201 Created' : '200 OK', etag: `W/"${r.version}"`, lastModified: r.last_updated },
      })),
    };
    return sendFhir(reply, 200, bundle);
  });
}
