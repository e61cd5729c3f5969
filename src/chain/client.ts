import { createPublicClient, defineChain, http, type Chain, type PublicClient } from 'viem';
import { CarechainError, errorMessage } from '../shared/errors.ts';

/** A chain definition for any EVM JSON-RPC endpoint: Anvil, Besu (QBFT) or another. */
export function chainFor(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `carechain-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

export interface ChainConnection {
  rpcUrl: string;
  chain: Chain;
  client: PublicClient;
}

/**
 * Connects to the ledger and fails with one clear line when it does not answer.
 * `cacheTime: 0` because a node must never act on a stale block number or nonce.
 */
export async function connectChain(rpcUrl: string, timeoutMs = 5000): Promise<ChainConnection> {
  const probe = createPublicClient({ transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 1 }), cacheTime: 0 });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (err) {
    throw new CarechainError(`chain unreachable at ${rpcUrl}: ${errorMessage(err)}`);
  }
  const chain = chainFor(chainId, rpcUrl);
  const client = createPublicClient({
    chain,
    transport: http(rpcUrl, { timeout: 15_000, retryCount: 2 }),
    cacheTime: 0,
    pollingInterval: 250,
  });
  return { rpcUrl, chain, client };
}
