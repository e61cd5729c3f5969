/**
 * `carechain import`: Synthea-shaped transaction Bundles and collection Bundles from a directory,
 * with progress, stopping at a bad file and resuming without duplicates after the fix.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import type { RunningNode } from '../src/node/start.ts';
import { runCli, startTestNode, tempDir, type TestOrg } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let org: TestOrg;
let node: RunningNode;

/** A patient's record as Synthea writes it: a transaction Bundle linked by urn:uuid fullUrls. */
function syntheaBundle(n: number, observations: number, type: 'transaction' | 'collection' = 'transaction') {
  const pid = `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const entry: any[] = [
    { fullUrl: pid, resource: { resourceType: 'Patient', name: [{ family: `Synthetic${n}`, given: ['Sam'] }], gender: 'male', birthDate: '1970-01-01' }, request: { method: 'POST', url: 'Patient' } },
  ];
  const enc = `urn:uuid:10000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  entry.push({ fullUrl: enc, resource: { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: pid } }, request: { method: 'POST', url: 'Encounter' } });
  for (let i = 0; i < observations; i++) {
    entry.push({
      fullUrl: `urn:uuid:2${String(i).padStart(7, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`,
      resource: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, subject: { reference: pid }, encounter: { reference: enc }, effectiveDateTime: `2020-01-${String((i % 28) + 1).padStart(2, '0')}`, valueQuantity: { value: 60 + i, unit: '/min' } },
      request: { method: 'POST', url: 'Observation' },
    });
  }
  if (type === 'collection') for (const e of entry) delete e.request;
  return { resourceType: 'Bundle', type, entry };
}

before(async () => {
  ({ chain, org, node } = await startTestNode(tmp.dir, 'import-clinic'));
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

const count = async (type: string) => (await node.services.storage.get<{ n: number }>('SELECT COUNT(*) AS n FROM record_current WHERE type = ? AND deleted = 0', [type]))!.n;

test('imports a directory, stops at a bad file, resumes after the fix without duplicates', async () => {
  const dir = join(tmp.dir, 'synthea');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a-patient.json'), JSON.stringify(syntheaBundle(1, 20)));
  writeFileSync(join(dir, 'b-patient.json'), JSON.stringify({ ...syntheaBundle(2, 5), entry: [...syntheaBundle(2, 5).entry, { resource: { resourceType: 'Observation', status: 'bogus' }, request: { method: 'POST', url: 'Observation' } }] }));
  writeFileSync(join(dir, 'c-patient.json'), JSON.stringify(syntheaBundle(3, 3, 'collection')));
  const args = ['import', dir, '--node', node.url, '--org', org.slug, '--home', tmp.dir];

  const first = await runCli(args);
  assert.equal(first.code, 1);
  assert.match(first.stdout, /imported 1 file\(s\), 22 resources; 0 already imported; 1 failed/);
  assert.match(first.stdout, /b-patient\.json: HTTP 400: Bundle\.entry\[7\]/);
  assert.match(first.stderr, /carechain: error: 1 file\(s\) failed; fix them and run the same command again to resume/);
  assert.equal(await count('Patient'), 1);
  assert.equal(await count('Observation'), 20);

  writeFileSync(join(dir, 'b-patient.json'), JSON.stringify(syntheaBundle(2, 5)));
  const second = await runCli(args);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /imported 2 file\(s\), 12 resources; 1 already imported; 0 failed/);
  assert.equal(await count('Patient'), 3);
  assert.equal(await count('Observation'), 28);

  // References were resolved: every observation is in its patient's compartment.
  const patients = (await node.services.storage.all("SELECT id FROM record_current WHERE type = 'Patient'")) as { id: string }[];
  const sizes = (await Promise.all(patients.map((p) => node.services.store.read('Patient', p.id)))).map((p) => (p as any).name[0].family).sort();
  assert.deepEqual(sizes, ['Synthetic1', 'Synthetic2', 'Synthetic3']);

  // Re-importing a file whose state was lost updates the same resources (stable ids): no duplicates.
  writeFileSync(join(dir, 'a-patient.json.import-state.json'), '{"done": []}');
  const again = await runCli(['import', join(dir, 'a-patient.json'), '--node', node.url, '--org', org.slug, '--home', tmp.dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await count('Patient'), 3);
  assert.equal(await count('Observation'), 28);
  const state = JSON.parse(readFileSync(`${dir}.import-state.json`, 'utf8'));
  assert.equal(state.done.length, 3);

  const missing = await runCli(['import', join(tmp.dir, 'nope'), '--node', node.url, '--org', org.slug, '--home', tmp.dir]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /does not exist/);
});
