/** Every record route and operation of the FHIR surface. */
import type { FastifyInstance } from 'fastify';
import { eraseOperation } from '../operations/erase.ts';
import { everythingOperation } from '../operations/everything.ts';
import { metadataRoute } from '../operations/capabilities.ts';
import { verifyOperation } from '../operations/verify.ts';
import type { RecordService } from '../service.ts';
import { bundleRoutes } from './bundle.ts';
import { historyRoutes } from './history.ts';
import { instanceRoutes } from './instance.ts';
import { provenanceRoutes } from './provenance.ts';
import { typeRoutes } from './type.ts';
import { unsupportedRoutes } from './unsupported.ts';

export function recordRoutes(fhir: FastifyInstance, records: RecordService, opts: { org: string; expensivePerMinute: number }): void {
  metadataRoute(fhir, opts.org);
  bundleRoutes(fhir, records, opts);
  provenanceRoutes(fhir, records);
  typeRoutes(fhir, records);
  instanceRoutes(fhir, records);
  historyRoutes(fhir, records);
  everythingOperation(fhir, records, opts);
  eraseOperation(fhir, records);
  verifyOperation(fhir, records);
  unsupportedRoutes(fhir);
}
