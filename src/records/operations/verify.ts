/** GET Type/id/_history/v/$verify: the version's inclusion proof to an anchored root. */
import type { FastifyInstance } from 'fastify';
import { sendFhir } from '../../http/fhir-surface.ts';
import type { RecordService } from '../service.ts';
import { pathOf, repoOf, versionPath } from '../routes/shared.ts';

export function verifyOperation(fhir: FastifyInstance, records: RecordService): void {
  fhir.get('/:type/:id/_history/:vid/$verify', async (req, reply) => {
    const { type, id, vid } = pathOf(versionPath, req);
    return sendFhir(reply, 200, await repoOf(records, req).verify(type, id, vid));
  });
}
