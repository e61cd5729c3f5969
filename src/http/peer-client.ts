/**
 * Calls to other organizations' nodes (supply: shipment data, notices, verification routing, requests
 * for records; claims: submissions and answers), each signed with this organization's key
 * (src/http/org-request.ts) and sent to the endpoint the ParticipantRegistry lists, over TLS trusting
 * only the network CA when the network runs TLS (src/tls/peer-fetch.ts).
 */
import type { Hex } from 'viem';
import type { OrgKeys } from '../crypto/org-keys.ts';
import { signOrgRequest } from './org-request.ts';
import { getParticipant } from '../indexer/projectors/participants.ts';
import { DomainError, errorMessage, type ErrorKind } from '../shared/errors.ts';
import type { Sql } from '../storage/engine.ts';
import type { FetchLike } from '../tls/peer-fetch.ts';

export interface PeerAnswer<T> {
  status: number;
  body: T;
}

export class PeerClient {
  constructor(private readonly deps: { sql: Sql; keys: OrgKeys; orgId: Hex; fetch: FetchLike }) {}

  /**
   * Sends a signed request to `org`; throws a DomainError when the node is unreachable or refuses,
   * quoting the refusal's `error.message` (else its `detail` unless `detail: false`, else the first
   * `excerpt` characters of the body).
   */
  async call<T>(org: Hex, protocol: string, method: 'GET' | 'POST', path: string, payload?: unknown, timeoutMs = 30_000, refusal: { excerpt?: number; detail?: boolean } = {}): Promise<PeerAnswer<T>> {
    const p = await getParticipant(this.deps.sql, org);
    if (!p?.active) throw new DomainError('unprocessable', `organization ${org} is not an active participant`, { code: 'peer' });
    if (!p.endpoint) throw new DomainError('unprocessable', `${p.name} has no node endpoint on the ledger`, { code: 'peer' });
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const headers = await signOrgRequest(this.deps.keys.account, this.deps.orgId, { protocol, audience: org, method, path, body });
    let res: Response;
    try {
      res = await this.deps.fetch(`${p.endpoint.replace(/\/$/, '')}${path}`, {
        method,
        headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new DomainError('unavailable', `${p.name} is unreachable: ${errorMessage(err)}`, { code: 'peer' });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = { text };
    }
    if (res.status >= 400) {
      const detail = refusal.detail === false ? undefined : (json as { detail?: string })?.detail;
      const msg = (json as { error?: { message?: string } })?.error?.message ?? detail ?? text.slice(0, refusal.excerpt ?? 200);
      const kind: ErrorKind = res.status === 403 ? 'forbidden' : res.status === 401 ? 'unauthenticated' : res.status === 404 ? 'not-found' : res.status === 409 ? 'conflict' : res.status < 500 ? 'unprocessable' : 'unavailable';
      throw new DomainError(kind, `${p.name} answered ${res.status}: ${msg}`, { code: 'peer' });
    }
    return { status: res.status, body: json as T };
  }
}
