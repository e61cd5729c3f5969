/** Patient/$everything: the patient's whole compartment (rate-limited: it is expensive). */
import type { FastifyInstance } from 'fastify';
import { sendFhir } from '../../http/fhir-surface.ts';
import { expensive } from '../../http/rate-limits.ts';
import type { RecordService } from '../service.ts';
import { pathOf, patientPath, repoOf, searchset } from '../routes/shared.ts';

export function everythingOperation(fhir: FastifyInstance, records: RecordService, opts: { expensivePerMinute: number }): void {
  fhir.get('/Patient/:id/$everything', expensive(opts.expensivePerMinute), async (req, reply) => {
    const { id } = pathOf(patientPath, req);
    const resources = await repoOf(records, req).everything(id);
    return sendFhir(reply, 200, searchset(resources, resources.length));
  });
}
