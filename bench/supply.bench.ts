/**
 * `npm run bench -- supply`: the DSCSA figures of issue 14 on a real Anvil and real nodes.
 * - commissioning a lot of SUPPLY_BENCH_SERIALS serials (default 1,000,000) in cases of 10, with the
 *   ledger transactions it took beside the naive one-per-serial count (items only: packing into
 *   cases adds one AggregationEvent per case, measured in the custody-chain lot);
 * - verifications per second answered from the node's own data and its index of the ledger
 *   (`verifyLocal`, no chain round trip), on random serials of that lot;
 * - a 10-step custody chain (manufacturer → distributor A → B → A → … over HTTP, each step a shipment
 *   confirmed by its receiver), then the product verified end to end at its last holder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { credentialStatusAbi, serialRegistryAbi } from '../src/chain/generated/contracts.ts';
import { loadNodeConfig } from '../src/config/node-config.ts';
import { startNode, type RunningNode } from '../src/node/start.ts';
import { unitDl } from '../src/supply/events/build.ts';
import { gs1CheckDigit } from '../src/supply/gs1/index.ts';
import { jurisdictionIdOf, TRADING_LICENCE_TYPE } from '../src/supply/ledger/registry.ts';
import { freePort, registerTestOrg, startTestChain, tempDir } from '../test/helpers/env.ts';
import { measure, type BenchResult } from './measure.ts';

const PREFIX = '0614141';
const withCheck = (body: string) => `${body}${gs1CheckDigit(body)}`;
const actor = { agent: 'Device/bench' };

export async function supplyBenchmarks(progress: (m: string) => void): Promise<BenchResult[]> {
  const tmp = tempDir('carechain-bench-supply-');
  const chain = await startTestChain(tmp.dir);
  const nodes: RunningNode[] = [];
  const party = async (slug: string, kind: 'manufacturer' | 'distributor' | 'regulator') => {
    const port = await freePort();
    const org = await registerTestOrg(chain, tmp.dir, slug, kind, `http://127.0.0.1:${port}`);
    const node = await startNode(loadNodeConfig({ org: slug, home: tmp.dir, port, rpcUrl: chain.anvil.rpcUrl, logLevel: 'silent', indexerPollMs: 50 }, {}));
    nodes.push(node);
    return { org, node, token: readFileSync(join(org.dataDir, 'admin-token'), 'utf8').trim() };
  };
  try {
    progress('starting a manufacturer, two distributors and a regulator');
    const maker = await party('bench-maker', 'manufacturer');
    const a = await party('bench-distributor-a', 'distributor');
    const b = await party('bench-distributor-b', 'distributor');
    const fda = await party('bench-fda', 'regulator');
    await chain.governance.sendContract({ address: chain.deployment.contracts.SerialRegistry.address, abi: serialRegistryAbi, functionName: 'setCompanyPrefix', args: [PREFIX, maker.org.orgId] });
    await chain.governance.sendContract({ address: chain.deployment.contracts.CredentialStatus.address, abi: credentialStatusAbi, functionName: 'setIssuerScope', args: [fda.org.orgId, TRADING_LICENCE_TYPE, jurisdictionIdOf('US-CA'), true] });
    for (const p of [maker, a, b]) await fda.node.services.supply.issueLicence(actor, { org: p.org.orgId, jurisdiction: 'US-CA' });
    const head = Number(await chain.conn.client.getBlockNumber());
    await Promise.all(nodes.map((n) => n.services.indexer.waitForBlock(head, 30_000)));
    const results: BenchResult[] = [];

    // Commissioning.
    const count = Number(process.env.SUPPLY_BENCH_SERIALS ?? 1_000_000);
    progress(`commissioning ${count.toLocaleString('en')} serials`);
    const gtin = withCheck(`0${PREFIX}00001`);
    const t0 = performance.now();
    const c = await maker.node.services.supply.commissioning.commission(actor, { gtin, lot: 'BENCH1', expiry: '2031-12-31', count });
    const ms = performance.now() - t0;
    results.push({
      operation: `commission ${count.toLocaleString('en')} serials in one lot`,
      ops: 1,
      opsPerSec: count / (ms / 1000),
      p50Ms: ms,
      p99Ms: ms,
      note: `${c.transactions} ledger transactions (naive one per serial: ${c.naiveTransactions.toLocaleString('en')}); ${c.events} EPCIS events; phases ms ${JSON.stringify(c.timingsMs)}`,
    });

    // Verifications from the index.
    progress('verifying');
    const serials = (await maker.node.services.storage.all<{ id: string }>("SELECT id FROM supply_units WHERE id LIKE '01%' LIMIT 10000")).map((r) => r.id.slice(18));
    const verifier = maker.node.services.supply.verification;
    const first = await verifier.verifyLocal({ gtin, serial: serials[0]! }, 'none');
    if (first.carechain.answer !== 'verified') throw new Error(`benchmark serial does not verify: ${first.carechain.answer}`);
    results.push(await measure('verification from the index (LMS answer, no chain call)', (i) => verifier.verifyLocal({ gtin, serial: serials[i % serials.length]!, lot: 'BENCH1', expiry: '2031-12-31' }, 'none'), { iterations: 30_000, warmup: 2000 }));
    results.push(await measure('verification from the index, with ledger evidence and proof', (i) => verifier.verifyLocal({ gtin, serial: serials[i % serials.length]! }, 'ledger'), { iterations: 3000, warmup: 200 }));

    // A 10-step custody chain.
    progress('a 10-step custody chain');
    const cased = await maker.node.services.supply.commissioning.commission(actor, { gtin, lot: 'CHAIN1', expiry: '2031-12-31', count: 20, caseSize: 10 });
    const caseId = cased.caseIds![0]!;
    const item = (await maker.node.services.storage.all<{ id: string }>('SELECT u.id FROM supply_units u JOIN supply_units p ON u.parent_key = p.unit_key WHERE p.id = ? LIMIT 1', [caseId]))[0]?.id;
    const hops = [maker, a, b, a, b, a, b, a, b, a, b];
    const t1 = performance.now();
    for (let i = 0; i < 10; i++) {
      const from = hops[i]!;
      const to = hops[i + 1]!;
      const s = await from.node.services.supply.trading.ship(actor, { to: to.org.orgId as Hex, barcodes: [unitDl(caseId)] });
      if (!s.dataDelivered) throw new Error(`step ${i + 1}: data not delivered: ${s.problem}`);
      const r = await to.node.services.supply.trading.receive(actor, { shipmentId: s.shipmentId, scanned: [unitDl(caseId)] });
      if (!r.received) throw new Error(`step ${i + 1}: not received: ${JSON.stringify(r.exceptions)}`);
    }
    const chainMs = performance.now() - t1;
    const last = hops[10]!;
    const target = item ?? caseId;
    const [g, sn] = [target.slice(2, 16), target.slice(18)];
    const t2 = performance.now();
    const v = await last.node.services.supply.verification.verify(actor, { gtin: g, serial: sn, sender: last.org.orgId as Hex, parent: unitDl(caseId) });
    const verifyMs = performance.now() - t2;
    const steps = v.carechain.evidence?.ledger.filter((h) => h.kind === 'received').length ?? 0;
    if (v.carechain.answer !== 'verified' || steps < 10) throw new Error(`10-step chain: ${v.carechain.answer}, ${steps} receipts in the evidence`);
    results.push({ operation: '10-step custody chain (ship + receive over HTTP, on chain), per step', ops: 10, opsPerSec: 10 / (chainMs / 1000), p50Ms: chainMs / 10, p99Ms: chainMs / 10, note: `${Math.round(chainMs)} ms for 10 steps` });
    results.push({ operation: 'verify the product at the end of the 10-step chain (full evidence)', ops: 1, opsPerSec: 1000 / verifyMs, p50Ms: verifyMs, p99Ms: verifyMs, note: `${steps} receipts, ${v.carechain.evidence?.ledger.length} ledger facts, ${v.carechain.evidence?.events.length} EPCIS events in the evidence` });
    return results;
  } finally {
    for (const n of nodes) await n.stop().catch(() => {});
    await chain.stop();
    tmp.remove();
  }
}
