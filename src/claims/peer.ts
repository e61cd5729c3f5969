/**
 * Calls between a provider's and an insurer's nodes, signed organization-to-organization
 * (src/http/org-request.ts: EIP-191 over the protocol, both organizations, method, path, time, nonce
 * and body) and sent to the endpoint the ParticipantRegistry lists, over the network's TLS.
 */
import type { Hex } from 'viem';
import type { OrgKeys } from '../crypto/org-keys.ts';
import { signOrgRequest } from '../http/org-request.ts';
import { getParticipant } from '../indexer/projectors/participants.ts';
import { DomainError, errorMessage, type ErrorKind } from '../shared/errors.ts';
import type { Sql } from '../storage/engine.ts';
import type { FetchLike } from '../tls/peer-fetch.ts';

export class ClaimsPeer {
  constructor(private readonly deps: { sql: Sql; keys: OrgKeys; orgId: Hex; fetch: FetchLike }) {}

  /** POSTs `payload` to `path` at `org`'s node; throws a DomainError when unreachable or refused. */
  async post<T>(org: Hex, protocol: string, path: string, payload: unknown): Promise<T> {
    const p = await getParticipant(this.deps.sql, org);
    if (!p?.active) throw new DomainError('unprocessable', `organization ${org} is not an active participant`, { code: 'peer' });
    if (!p.endpoint) throw new DomainError('unprocessable', `${p.name} has no node endpoint on the ledger`, { code: 'peer' });
    const body = JSON.stringify(payload);
    const headers = await signOrgRequest(this.deps.keys.account, this.deps.orgId, { protocol, audience: org, method: 'POST', path, body });
    let res: Response;
    try {
      res = await this.deps.fetch(`${p.endpoint.replace(/\/$/, '')}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(60_000) });
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
      const msg = (json as { error?: { message?: string } })?.error?.message ?? text.slice(0, 300);
      const kind: ErrorKind = res.status === 403 ? 'forbidden' : res.status === 401 ? 'unauthenticated' : res.status === 404 ? 'not-found' : res.status === 409 ? 'conflict' : res.status < 500 ? 'unprocessable' : 'unavailable';
      throw new DomainError(kind, `${p.name} answered ${res.status}: ${msg}`, { code: 'peer' });
    }
    return json as T;
  }
}
