/**
 * The domain error model. Services and stores throw `DomainError`s that say what went wrong in the
 * domain's words (invalid input, not found, forbidden, a conflict, …); each HTTP surface translates
 * them once (`http/errors.ts`: an OperationOutcome under /fhir, `{ error: { code, message } }` under
 * /api). Nothing below the HTTP layer knows about status codes.
 */

/** What kind of failure, independent of any transport. */
export type ErrorKind =
  | 'invalid' // the input is malformed or breaks a rule of the format (400)
  | 'unauthenticated' // no or bad credentials (401)
  | 'forbidden' // authenticated, but not allowed (403)
  | 'not-found' // no such thing (404)
  | 'not-supported' // a valid request for something this server does not do (400 / 404 for types)
  | 'not-acceptable' // cannot answer in the format asked for (406)
  | 'conflict' // clashes with current state: duplicate, version conflict (409)
  | 'gone' // existed, deleted or erased (410)
  | 'precondition-failed' // If-Match and friends (412)
  | 'too-large' // over a size or count limit (413)
  | 'unsupported-media' // a body in a format this server does not take (415)
  | 'unprocessable' // well-formed but refused by a business rule (422)
  | 'too-many' // over a rate or attempt limit (429)
  | 'storage-full' // the node's storage is full (507)
  | 'unavailable' // a dependency (database, chain, peer) cannot serve now (503)
  | 'chain' // the ledger refused or failed a transaction (502)
  | 'integrity' // stored data failed an integrity check (500, reported, never silent)
  | 'internal'; // a bug (500)

export interface ErrorOptions {
  /** Where in the input the problem is (FHIRPath-like, e.g. `Patient.birthDate`). */
  expression?: string[];
  /** Seconds after which a retry may succeed (for `too-many`, `unavailable`). */
  retryAfterSeconds?: number;
  /** A more specific machine-readable code within the kind (e.g. `duplicate`, `licence`). */
  code?: string;
  cause?: unknown;
}

export class DomainError extends Error {
  readonly expression?: string[];
  readonly retryAfterSeconds?: number;
  readonly code?: string;

  constructor(
    readonly kind: ErrorKind,
    message: string,
    options: ErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.expression = options.expression;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.code = options.code;
  }
}

export const invalid = (message: string, expression?: string[]) => new DomainError('invalid', message, { expression });
export const notFound = (what: string) => new DomainError('not-found', `${what} not found`);
export const gone = (what: string) => new DomainError('gone', `${what} was deleted`);
export const forbidden = (message: string, code?: string) => new DomainError('forbidden', message, { code });
export const conflict = (message: string, code?: string) => new DomainError('conflict', message, { code });
export const unprocessable = (message: string, code?: string) => new DomainError('unprocessable', message, { code });
export const notSupported = (message: string) => new DomainError('not-supported', message);
export const tooLarge = (message: string) => new DomainError('too-large', message);

export function isDomainError(err: unknown, kind?: ErrorKind): err is DomainError {
  return err instanceof DomainError && (kind === undefined || err.kind === kind);
}
