/**
 * Calls between a provider's and an insurer's nodes, signed organization-to-organization
 * (src/http/org-request.ts: EIP-191 over the protocol, both organizations, method, path, time, nonce
 * and body) and sent to the endpoint the ParticipantRegistry lists, over the network's TLS.
 */
import type { Hex } from 'viem';
import type { OrgKeys } from '../crypto/org-keys.ts';
import { PeerClient } from '../http/peer-client.ts';
import type { Sql } from '../storage/engine.ts';
import type { FetchLike } from '../tls/peer-fetch.ts';

export class ClaimsPeer {
  private readonly peer: PeerClient;

  constructor(deps: { sql: Sql; keys: OrgKeys; orgId: Hex; fetch: FetchLike }) {
    this.peer = new PeerClient(deps);
  }

  /** POSTs `payload` to `path` at `org`'s node; throws a DomainError when unreachable or refused. */
  async post<T>(org: Hex, protocol: string, path: string, payload: unknown): Promise<T> {
    return (await this.peer.call<T>(org, protocol, 'POST', path, payload, 60_000, { excerpt: 300, detail: false })).body;
  }
}
