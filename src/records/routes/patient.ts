/**
 * The patient API's records view: `GET /api/patient/records` answers a signed-in patient (or their
 * proxy) with their own records at this custodian, paged. Patients do not use the clinical FHIR API;
 * this route takes no patient id, so it cannot be pointed at anyone else's record.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { callerOf, type Gate } from '../../http/gate.ts';
import { parse } from '../../http/parse.ts';
import { expensive } from '../../http/rate-limits.ts';
import type { RecordService } from '../service.ts';

const pageQuery = z.object({ _count: z.coerce.number().int().min(1).max(1000).optional(), _offset: z.coerce.number().int().min(0).optional() }).strict();

export function patientRecordRoutes(app: FastifyInstance, records: RecordService, gate: Gate, opts: { expensivePerMinute: number }): void {
  app.get('/api/patient/records', { ...gate.roles('patient'), ...expensive(opts.expensivePerMinute) }, async (req) => {
    const q = parse(pageQuery, req.query, 'query');
    return records.as(callerOf(req)).mine({ count: Math.min(q._count ?? 200, records.deps.limits.maxEverythingCount), offset: q._offset ?? 0 });
  });
}
