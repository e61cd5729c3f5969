import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CarechainError, errorMessage } from '../shared/errors.ts';
import { caFiles } from '../tls/certificates.ts';
import { fetchTrusting, type FetchLike } from '../tls/peer-fetch.ts';

export interface NodeTarget {
  url: string;
  token: string;
  /** How to reach it: over https, trusting the network CA in <home>/tls when there is one. */
  fetch?: FetchLike;
}

/** The network CA under `home`, if TLS was set up there. */
export function networkCa(home = '.carechain'): string | undefined {
  const file = caFiles(resolve(home)).cert;
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Where a CLI command reaches a node: --node URL, and the admin token from --token or the org's data dir. */
export function nodeTarget(opts: { node: string; token?: string; org?: string; home?: string }): NodeTarget {
  let token = opts.token ?? process.env.CARECHAIN_TOKEN;
  if (!token && opts.org) {
    const file = join(resolve(opts.home ?? '.carechain'), 'orgs', opts.org, 'admin-token');
    if (!existsSync(file)) throw new CarechainError(`no organization "${opts.org}" here: ${file} does not exist; start the network first (npm start), or pass the --home it runs with, or --token`, 2);
    token = readFileSync(file, 'utf8').trim();
  }
  if (!token) throw new CarechainError('no token: pass --token, set CARECHAIN_TOKEN, or --org (with --home) to read the admin token', 2);
  return { url: opts.node.replace(/\/$/, ''), token, fetch: opts.node.startsWith('https://') ? fetchTrusting(networkCa(opts.home)) : undefined };
}

/** A node reached without a token (the public patient endpoints). */
export function publicTarget(opts: { node: string; home?: string }): NodeTarget {
  return { url: opts.node.replace(/\/$/, ''), token: '', fetch: opts.node.startsWith('https://') ? fetchTrusting(networkCa(opts.home)) : undefined };
}

export async function callNode(target: NodeTarget, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  let res: Response;
  try {
    res = await (target.fetch ?? fetch)(`${target.url}${path}`, {
      method,
      headers: { ...(target.token ? { authorization: `Bearer ${target.token}` } : {}), ...(body !== undefined ? { 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new CarechainError(`node unreachable at ${target.url}: ${errorMessage(err)}`);
  }
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { text };
  }
  return { status: res.status, json };
}

/** The first diagnostics of an OperationOutcome (or platform error) body, for one-line messages. */
export function problemOf(json: any): string {
  if (json?.resourceType === 'OperationOutcome') return json.issue?.map((i: any) => i.diagnostics ?? i.details?.text ?? i.code).join('; ');
  return json?.error?.message ?? JSON.stringify(json)?.slice(0, 300);
}
