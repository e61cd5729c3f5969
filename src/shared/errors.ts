import { BaseError, ContractFunctionRevertedError } from 'viem';

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

/**
 * The HTTP status of each kind. Kept with the model because FHIR itself carries statuses in its data
 * (a batch Bundle's entry.response.status); only the HTTP surfaces and that format use it.
 */
export const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'not-supported': 400,
  'not-acceptable': 406,
  conflict: 409,
  gone: 410,
  'precondition-failed': 412,
  'too-large': 413,
  'unsupported-media': 415,
  unprocessable: 422,
  'too-many': 429,
  'storage-full': 507,
  unavailable: 503,
  chain: 502,
  integrity: 500,
  internal: 500,
};

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
  /** Set once the failure has been written to the audit trail (so a surface does not audit it again). */
  audited = false;

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

/**
 * An error meant for the operator of a command or a starting node: one line that says what is wrong
 * and, where possible, what to do. The CLI prints `carechain: error: <message>` and exits with
 * `exitCode`, without a stack trace.
 */
export class CarechainError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CarechainError';
  }
}

/** Invalid configuration or arguments (exit code 2). */
export class ConfigError extends CarechainError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'ConfigError';
  }
}

/** One line for any error: viem's long messages shortened to the decoded revert. */
export function errorMessage(err: unknown): string {
  if (err instanceof BaseError) {
    const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
    const name = revert instanceof ContractFunctionRevertedError ? (revert.data?.errorName ?? revert.reason) : undefined;
    return `${err.shortMessage.split('\n')[0]}${name ? ` (${name})` : ''}`;
  }
  if (err instanceof Error) return err.message.split('\n')[0]!;
  return String(err);
}
