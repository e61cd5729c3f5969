/**
 * Consent benchmarks: the policy decision from the node's index (target < 0.1 ms p99), and a
 * cross-organization fetch of a 50-resource patient record (signed request, PDP, re-wrapped keys,
 * proofs, verification and decryption at the requester), between two node processes on one Anvil.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { decide } from '../src/consent/pdp.ts';
import type { Scope } from '../src/consent/scope.ts';
import { grantById } from '../src/indexer/projectors/consent.ts';
import { SqliteStorage } from '../src/storage/sqlite.ts';
import { freePort, registerTestOrg, startCli, startTestChain, tempDir } from '../test/helpers/env.ts';
import { custodyGrant, custodyPatient, patientWithPhone } from '../test/helpers/patients.ts';
import { measure, type BenchResult } from './measure.ts';

export async function consentBenchmarks(progress: (m: string) => void): Promise<BenchResult[]> {
  const tmp = tempDir('carechain-bench-consent-');
  const chain = await startTestChain(tmp.dir);
  const results: BenchResult[] = [];
  const [pa, pb] = [await freePort(), await freePort()];
  const hospital = await registerTestOrg(chain, tmp.dir, 'bench-custodian', 'hospital', `http://127.0.0.1:${pa}`);
  const clinic = await registerTestOrg(chain, tmp.dir, 'bench-requester', 'clinic', `http://127.0.0.1:${pb}`);
  // The custodian's limiter would cap one requester at 20 fetches/s: this measures the exchange itself.
  const a = startCli(['node', 'start', '--org', hospital.slug, '--home', tmp.dir, '--port', String(pa), '--log-level', 'warn', '--anchor-interval-ms', '500', '--expensive-per-minute', '10000000']);
  const b = startCli(['node', 'start', '--org', clinic.slug, '--home', tmp.dir, '--port', String(pb), '--log-level', 'warn']);
  try {
    const [{ url: aUrl }, { url: bUrl }] = (await Promise.all([a.ready, b.ready])) as [{ url: string }, { url: string }];
    const tokenOf = (dir: string) => readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const call = async (base: string, token: string, path: string, body: unknown) => {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' }, body: JSON.stringify(body) });
      return (await res.json()) as any;
    };
    const [aToken, bToken] = [tokenOf(hospital.dataDir), tokenOf(clinic.dataDir)];

    progress('a 50-resource patient record at the custodian');
    const patient = (await call(aUrl, aToken, '/fhir/Patient', patientWithPhone('Bench'))).id as string;
    await call(aUrl, aToken, '/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: Array.from({ length: 49 }, (_, i) => ({
        resource: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, subject: { reference: `Patient/${patient}` }, valueQuantity: { value: 60 + i } },
        request: { method: 'POST', url: 'Observation' },
      })),
    });
    const address = await custodyPatient({ url: aUrl, token: aToken, dataDir: hospital.dataDir }, patient, 'benchmark passphrase');
    const scope: Scope = { resourceTypes: ['Observation'] };
    const g = await custodyGrant(aUrl, { patientId: patient, passphrase: 'benchmark passphrase', grantee: clinic.slug, scope });
    if (!g.grantId || !g.notice?.delivered) throw new Error(`benchmark grant failed: ${JSON.stringify(g.body)}`);
    await new Promise((r) => setTimeout(r, 2500)); // the record log anchored, the grant indexed by both

    progress('consent decisions from the index');
    const db = new SqliteStorage(join(hospital.dataDir, 'node.db'));
    const salt = (await db.get<{ salt: Hex }>('SELECT salt FROM consent_grant_details WHERE grant_id = ?', [g.grantId]))!.salt;
    const q = { patient: address as Hex, requester: clinic.orgId, purpose: 'TREAT' as const, scope, salt, nowSeconds: Math.floor(Date.now() / 1000), indexedBlock: 1_000_000 };
    const decision = async () => decide(await grantById(db, g.grantId!), q);
    if (!(await decision()).allow) throw new Error('benchmark grant not found in the index');
    results.push(await measure('consent decision (PDP over the indexed ledger)', decision, { iterations: 50_000 }));
    await db.close();

    progress('cross-organization fetches');
    const body = { patient: address, purpose: 'TREAT', scope };
    const first = await call(bUrl, bToken, '/api/exchange/fetch', body);
    if (first.entry?.length !== 50) throw new Error(`expected 50 verified resources, got ${first.entry?.length}: ${JSON.stringify(first.problems)}`);
    results.push(
      await measure('cross-org fetch of a 50-resource record (sign, PDP, re-wrap, prove, verify, decrypt)', async () => {
        const r = await call(bUrl, bToken, '/api/exchange/fetch', body);
        if (r.entry.length !== 50) throw new Error('incomplete fetch');
      }, { iterations: 300, concurrency: 4, warmup: 5 }),
    );
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await chain.stop();
    tmp.remove();
  }
  return results;
}
