/** FHIR OperationOutcome: the shape every FHIR failure (and a validator's report) takes. */

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

export function outcome(code: string, diagnostics: string, expression?: string[], severity: OperationOutcomeIssue['severity'] = 'error'): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics, ...(expression?.length ? { expression } : {}) }] };
}

/**
 * An OperationOutcome carried as a DomainError's cause (a validator's full report, a Bundle entry's
 * issues), so the FHIR surface answers with it verbatim.
 */
export class OutcomeCarrier extends Error {
  constructor(readonly outcome: OperationOutcome) {
    super(outcome.issue.map((i) => i.diagnostics ?? i.details?.text ?? i.code).join('; '));
    this.name = 'OutcomeCarrier';
  }
}
