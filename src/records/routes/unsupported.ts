/**
 * Interactions of R4 http.html this server does not implement, answered with a 400 `not-supported`
 * OperationOutcome that says what to do instead, rather than a bare 404: system-level search
 * (`GET [base]?…`, `[base]/_search`) and compartment search (`GET [base]/Patient/[id]/[type]`).
 */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../shared/errors.ts';
import { instancePath, pathOf } from './shared.ts';

export function unsupportedRoutes(fhir: FastifyInstance): void {
  const systemSearch = async () => {
    throw new DomainError('not-supported', 'system-level search is not supported by this server: search one type (GET [base]/[type]?…)');
  };
  fhir.get('/', systemSearch);
  fhir.post('/_search', systemSearch);
  fhir.get('/:type/:id/:compartmentType', async (req) => {
    const { type, id } = pathOf(instancePath, req);
    const target = String((req.params as { compartmentType: string }).compartmentType);
    if (target.startsWith('$')) throw new DomainError('not-supported', `GET ${type}/[id]/${target} is not an operation of this server (the CapabilityStatement at [base]/metadata lists the operations and how to invoke them)`);
    throw new DomainError(
      'not-supported',
      `compartment search is not supported by this server: search ${target}?patient=${id} (or ${type}/${id}/$everything for the whole compartment)`,
    );
  });
}
