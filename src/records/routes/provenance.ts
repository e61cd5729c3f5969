/**
 * GET /fhir/Provenance?target=Type/id[/_history/v] (that parameter alone): who wrote what, derived
 * from the record log. Any other Provenance search is a search of stored Provenance resources.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sendFhir } from '../../http/fhir-surface.ts';
import { parse } from '../../http/parse.ts';
import type { RecordService } from '../service.ts';
import { queryString, repoOf, searchset } from './shared.ts';
import { searchHandler } from './type.ts';

const provenanceQuery = z.object({ target: z.string({ error: 'Provenance search needs target=Type/id' }).max(200) }).strict();

export function provenanceRoutes(fhir: FastifyInstance, records: RecordService): void {
  const storedSearch = searchHandler(records);
  fhir.get('/Provenance', async (req, reply) => {
    const keys = [...new URLSearchParams(queryString(req)).keys()];
    if (keys.length !== 1 || keys[0] !== 'target') {
      (req.params as Record<string, string>).type = 'Provenance';
      return storedSearch(req, reply);
    }
    const { target } = parse(provenanceQuery, Object.fromEntries(new URLSearchParams(queryString(req))), 'Provenance search');
    const resources = await repoOf(records, req).provenance(target, req.url);
    return sendFhir(reply, 200, searchset(resources, resources.length));
  });
}
