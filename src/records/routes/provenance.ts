/** GET /fhir/Provenance?target=Type/id[/_history/v]: who wrote what, from the record log. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sendFhir } from '../../http/fhir-surface.ts';
import { parse } from '../../http/parse.ts';
import type { RecordService } from '../service.ts';
import { queryString, repoOf, searchset } from './shared.ts';

const provenanceQuery = z.object({ target: z.string({ error: 'Provenance search needs target=Type/id' }).max(200) }).strict();

export function provenanceRoutes(fhir: FastifyInstance, records: RecordService): void {
  fhir.get('/Provenance', async (req, reply) => {
    const { target } = parse(provenanceQuery, Object.fromEntries(new URLSearchParams(queryString(req))), 'Provenance search');
    const resources = await repoOf(records, req).provenance(target, req.url);
    return sendFhir(reply, 200, searchset(resources, resources.length));
  });
}
