/**
 * HTTP clients that trust a network's CA. Nodes call each other with `peerFetch`: with TLS on, only
 * https endpoints, and only the network's CA is trusted (not the system's public roots), so a peer
 * must hold a certificate from this network. The CLI reaches nodes with `fetchTrusting`.
 */
import { Agent, fetch as undiciFetch } from 'undici';
import { CarechainError } from '../shared/errors.ts';

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<Response>;

/** fetch that trusts exactly `ca` for https (the global fetch when there is none). */
export function fetchTrusting(ca: string | undefined): FetchLike {
  if (!ca) return (url, init) => fetch(url, init);
  const dispatcher = new Agent({ connect: { ca } });
  return async (url, init) => (await undiciFetch(url, { ...init, dispatcher })) as unknown as Response;
}

export function peerFetch(networkCa: string | undefined): FetchLike {
  if (!networkCa) return fetchTrusting(undefined);
  const trusted = fetchTrusting(networkCa);
  return async (url, init) => {
    if (!url.startsWith('https://')) throw new CarechainError(`refusing to send records over plain HTTP to ${url}: TLS is on for this network`);
    return trusted(url, init);
  };
}
