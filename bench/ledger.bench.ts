/**
 * Ledger benchmarks on a real Anvil (block time 1 s):
 * - anchor throughput: roots anchored per second when several organizations anchor at once, each
 *   pipelining its transactions through its journal;
 * - registry read latency: the node's indexed copy (SQLite) against an eth_call to the chain.
 */
import { performance } from 'node:perf_hooks';
import { keccak256, stringToHex } from 'viem';
import { anchorRegistryAbi, participantRegistryAbi } from '../src/chain/generated/contracts.ts';
import { logIdOf, logKindToChain } from '../src/chain/ids.ts';
import { journalMigrations, TxSender } from '../src/chain/journal.ts';
import { openSqlite } from '../src/storage/sqlite.ts';
import { Indexer, indexerMigrations } from '../src/indexer/indexer.ts';
import { getParticipant } from '../src/indexer/projectors/participants.ts';
import { registerTestOrg, startTestChain, tempDir } from '../test/helpers/env.ts';
import { measure, summarize, type BenchResult } from './measure.ts';

export async function ledgerBenchmarks(progress: (m: string) => void): Promise<BenchResult[]> {
  const tmp = tempDir('carechain-bench-');
  const chain = await startTestChain(tmp.dir);
  const results: BenchResult[] = [];
  try {
    progress('registering 4 organizations');
    const orgs = await Promise.all(['bench-a', 'bench-b', 'bench-c', 'bench-d'].map((s) => registerTestOrg(chain, tmp.dir, s)));

    const perOrg = 150;
    progress(`anchoring ${perOrg * orgs.length} roots from ${orgs.length} organizations`);
    const latencies: number[] = [];
    const start = performance.now();
    await Promise.all(
      orgs.map(async (org) => {
        const sender = new TxSender(await openSqlite(':memory:', { journal: journalMigrations }), chain.conn, org.keys.account);
        await Promise.all(
          Array.from({ length: perOrg }, async (_, i) => {
            const t = performance.now();
            await sender.sendContract({
              address: chain.deployment.contracts.AnchorRegistry.address,
              abi: anchorRegistryAbi,
              functionName: 'anchor',
              args: [logKindToChain('audit'), logIdOf(`bench-${i}`), 1n, keccak256(stringToHex(`${org.slug}-${i}`))],
            });
            latencies.push(performance.now() - t);
          }),
        );
      }),
    );
    results.push(summarize('anchor a Merkle root (journalled tx to receipt)', latencies, performance.now() - start, 'roots/s; block time 1 s'));

    progress('indexing');
    const db = await openSqlite(':memory:', indexerMigrations);
    const indexer = await Indexer.open(db, chain.conn, chain.deployment);
    await indexer.poll();
    const ids = orgs.map((o) => o.orgId);
    progress('registry reads');
    results.push(
      await measure('registry read from the index (SQLite)', async (i) => {
        if (!(await getParticipant(db, ids[i % ids.length]!))) throw new Error('missing');
      }, { iterations: 50_000 }),
    );
    results.push(
      await measure('registry read by eth_call (JSON-RPC)', (i) =>
        chain.conn.client.readContract({
          address: chain.deployment.contracts.ParticipantRegistry.address,
          abi: participantRegistryAbi,
          functionName: 'getOrganization',
          args: [ids[i % ids.length]!],
        }), { iterations: 1000 }),
    );
    await db.close();
  } finally {
    await chain.stop();
    tmp.remove();
  }
  return results;
}
