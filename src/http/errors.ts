/**
 * The one translation of errors into HTTP: every DomainError kind has one status, and each surface
 * renders it once: an OperationOutcome under /fhir, `{ error: { code, message } }` under /api.
 * Framework errors (bad JSON, too large, rate limited) are mapped to the same kinds first.
 */
import { outcome, OutcomeCarrier, type OperationOutcome } from '../fhir/outcome.ts';
import { DomainError, HTTP_STATUS, type ErrorKind } from '../shared/errors.ts';

export const STATUS = HTTP_STATUS;

/** FHIR IssueType per kind (R4 ValueSet issue-type). */
const ISSUE_TYPE: Record<ErrorKind, string> = {
  invalid: 'invalid',
  unauthenticated: 'login',
  forbidden: 'forbidden',
  'not-found': 'not-found',
  'not-supported': 'not-supported',
  'not-acceptable': 'not-supported',
  conflict: 'conflict',
  gone: 'deleted',
  'precondition-failed': 'conflict',
  'too-large': 'too-costly',
  'unsupported-media': 'not-supported',
  unprocessable: 'business-rule',
  'too-many': 'throttled',
  'storage-full': 'transient',
  unavailable: 'transient',
  chain: 'exception',
  integrity: 'exception',
  internal: 'exception',
};

const ISSUE_TYPES = new Set([
  'invalid', 'structure', 'required', 'value', 'invariant', 'security', 'login', 'unknown', 'expired', 'forbidden', 'suppressed',
  'processing', 'not-supported', 'duplicate', 'multiple-matches', 'not-found', 'deleted', 'too-long', 'code-invalid', 'extension',
  'too-costly', 'business-rule', 'conflict', 'transient', 'lock-error', 'no-store', 'exception', 'timeout', 'incomplete', 'throttled', 'informational',
]);

const KIND_OF_STATUS: Record<number, ErrorKind> = {
  400: 'invalid', 401: 'unauthenticated', 403: 'forbidden', 404: 'not-found', 406: 'not-acceptable', 409: 'conflict',
  410: 'gone', 412: 'precondition-failed', 413: 'too-large', 415: 'unsupported-media', 422: 'unprocessable', 429: 'too-many',
};

/** Any error as a DomainError: framework 4xx by status; anything else is internal (its message hidden). */
export function asDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  const e = err as { statusCode?: number; message?: string; code?: string };
  const kind = e.statusCode ? KIND_OF_STATUS[e.statusCode] : undefined;
  if (kind) {
    const message = e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? `unsupported body format: ${e.message}` : (e.message ?? kind);
    return new DomainError(kind, message, { cause: err });
  }
  return new DomainError('internal', 'internal error', { cause: err });
}

/** What the client reads: an integrity failure says so first (it is never a client's fault). */
const messageOf = (err: DomainError) => (err.kind === 'integrity' ? `integrity check failed: ${err.message}` : err.message);

export function fhirOutcomeOf(err: DomainError): OperationOutcome {
  if (err.cause instanceof OutcomeCarrier) return err.cause.outcome;
  const code = err.code && ISSUE_TYPES.has(err.code) ? err.code : ISSUE_TYPE[err.kind];
  return outcome(code, messageOf(err), err.expression);
}

export function apiErrorOf(err: DomainError): { error: { code: string; message: string } } {
  return { error: { code: err.code ?? err.kind, message: messageOf(err) } };
}
