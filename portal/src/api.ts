/**
 * The portal's one way to call its node: same origin, the session's bearer token, and the node's two
 * error shapes turned into one message a person can act on (`{error:{message}}` under /api, an
 * OperationOutcome under /fhir).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  token?: string;
  /** The body's media type; FHIR writes send application/fhir+json. */
  fhir?: boolean;
}

type Json = Record<string, unknown>;

export function problemOf(status: number, body: unknown): string {
  const b = (body ?? {}) as Json;
  const err = b.error as { message?: string } | undefined;
  if (err?.message) return err.message;
  const issue = (b.issue as { diagnostics?: string; details?: { text?: string } }[] | undefined)?.[0];
  if (issue) return issue.diagnostics ?? issue.details?.text ?? `HTTP ${status}`;
  if (status === 401) return 'your session has ended: sign in again';
  return `the node answered HTTP ${status}`;
}

export async function api<T>(path: string, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = opts.fhir ? 'application/fhir+json' : 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'), headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  } catch {
    throw new ApiError(0, 'the node cannot be reached: check your connection and try again');
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!res.ok) throw new ApiError(res.status, problemOf(res.status, body));
  return body as T;
}
