/** POST Patient/$erase (privacy officer): GDPR erasure by destroying the patient's data keys. */
import type { FastifyInstance } from 'fastify';
import { sendFhir } from '../../http/fhir-surface.ts';
import type { RecordService } from '../service.ts';
import { pathOf, patientPath, repoOf } from '../routes/shared.ts';

export function eraseOperation(fhir: FastifyInstance, records: RecordService): void {
  fhir.post('/Patient/:id/$erase', async (req, reply) => {
    const { id } = pathOf(patientPath, req);
    const r = await repoOf(records, req).erase(id);
    return sendFhir(reply, 200, {
      resourceType: 'Parameters',
      parameter: [
        { name: 'patient', valueReference: { reference: `Patient/${id}` } },
        { name: 'erasedVersions', valueInteger: r.versions },
        { name: 'erasedResources', valueInteger: r.resources },
        { name: 'erasedAt', valueInstant: r.erasedAt },
        { name: 'recordLogEntry', valueInteger: r.leafIndex },
      ],
    });
  });
}
