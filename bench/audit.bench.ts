/**
 * Audit benchmarks: append throughput (AuditEvent + Merkle leaf + index row, group-committed with
 * synchronous=FULL), inclusion-proof generation and verification, and chain transactions used for
 * 100,000 audited events with batched anchoring versus one transaction per event.
 */
import { loadNodeConfig } from '../src/config/node-config.ts';
import { leafHash } from '../src/merkle/hasher.ts';
import { inclusionProof } from '../src/merkle/proofs.ts';
import { verifyInclusion } from '../src/merkle/verify.ts';
import { startNode } from '../src/node/start.ts';
import { registerTestOrg, startTestChain, tempDir } from '../test/helpers/env.ts';
import { measure, type BenchResult } from './measure.ts';

export async function auditBenchmarks(progress: (m: string) => void, scale = 1): Promise<BenchResult[]> {
  const tmp = tempDir('carechain-bench-audit-');
  const chain = await startTestChain(tmp.dir);
  const results: BenchResult[] = [];
  try {
    const org = await registerTestOrg(chain, tmp.dir, 'bench-audit');
    const node = await startNode(loadNodeConfig({ org: org.slug, home: tmp.dir, port: 0, rpcUrl: chain.anvil.rpcUrl, logLevel: 'silent' }, {}));
    const { queue } = node.services;
    const audit = node.services.audit.log;
    const N = Math.round(100_000 * scale);
    progress(`appending ${N} audit events, one durable request each`);
    const input = (i: number) => ({
      agent: `Practitioner/p${i % 50}`,
      network: '10.0.0.7',
      purpose: 'TREAT',
      action: 'R' as const,
      subtype: 'read',
      outcome: '0' as const,
      patientId: `patient-${i % 5000}`,
      what: [`Observation/o${i}/_history/1`],
    });
    results.push(await measure('audit append (AuditEvent + leaf + index, durable)', (i) => queue.run((tx) => audit.append(tx, input(i))), { iterations: N, concurrency: 512, warmup: 0 }));

    // The engine's ceiling: appends of 1,000 events per job (e.g. a node ingesting a peer's batch).
    results.push(
      await measure('audit append, 1,000 per transaction (per event)', (i) => queue.run(async (tx) => {
        for (let j = 0; j < 1000; j++) await audit.append(tx, input(i * 1000 + j));
      }), { iterations: Math.max(1, Math.round(N / 1000)), warmup: 0 }).then((r) => ({ ...r, ops: r.ops * 1000, opsPerSec: r.opsPerSec * 1000, p50Ms: r.p50Ms / 1000, p99Ms: r.p99Ms / 1000 })),
    );
    progress('waiting for the audit log to be anchored');
    await node.services.anchorers.audit.maybeAnchor(true);
    const anchors = node.services.anchorers.audit.sent;
    results.push({
      operation: `chain txs for ${audit.log.size.toLocaleString('en-US')} audited events`,
      ops: anchors,
      opsPerSec: NaN,
      p50Ms: NaN,
      p99Ms: NaN,
      note: `${anchors} anchor txs vs ${audit.log.size.toLocaleString('en-US')} one-per-event: ${Math.round(audit.log.size / Math.max(anchors, 1)).toLocaleString('en-US')}x fewer`,
    });

    const size = audit.log.size;
    const tree = audit.log.tree;
    const root = tree.root(size);
    progress('proofs');
    results.push(await measure('inclusion proof generation (tree of ' + size.toLocaleString('en-US') + ')', (i) => inclusionProof(tree, (i * 7919) % size, size), { iterations: 20_000 }));
    const proofs = Array.from({ length: 1000 }, (_, i) => {
      const idx = (i * 104729) % size;
      return { idx, leaf: tree.leafHashAt(idx), proof: inclusionProof(tree, idx, size) };
    });
    results.push(
      await measure('inclusion proof verification', (i) => {
        const p = proofs[i % proofs.length]!;
        if (!verifyInclusion(p.idx, size, p.leaf, p.proof, root).ok) throw new Error('proof failed');
      }, { iterations: 20_000 }),
    );
    results.push(await measure('leaf hash (SHA-256 of a 600-byte AuditEvent)', () => leafHash(Buffer.alloc(600, 7)), { iterations: 50_000 }));
    await node.stop();
  } finally {
    await chain.stop();
    tmp.remove();
  }
  return results;
}
