/** FHIR errors: an HTTP status with an OperationOutcome that says what is wrong and where. */
export interface OperationOutcomeIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: string;
  diagnostics?: string;
  details?: { text?: string };
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: OperationOutcomeIssue[];
}

export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly outcome: OperationOutcome,
  ) {
    super(outcome.issue.map((i) => i.diagnostics ?? i.details?.text ?? i.code).join('; '));
    this.name = 'FhirError';
  }
}

export function outcome(code: string, diagnostics: string, expression?: string[], severity: OperationOutcomeIssue['severity'] = 'error'): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics, ...(expression ? { expression } : {}) }] };
}

export const fhirError = (status: number, code: string, diagnostics: string, expression?: string[]) =>
  new FhirError(status, outcome(code, diagnostics, expression));

export const notFound = (what: string) => fhirError(404, 'not-found', `${what} not found`);
export const gone = (what: string) => fhirError(410, 'deleted', `${what} was deleted`);
export const invalid = (diagnostics: string, expression?: string[]) => fhirError(400, 'invalid', diagnostics, expression);
