/**
 * `carechain import`: Synthea-shaped transaction Bundles and collection Bundles from a directory,
 * with progress, stopping at a bad file and resuming without duplicates after the fix; and the real
 * Synthea fixtures (every resource of every type, references resolved, security labels, idempotent).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withSecurityLabels } from '../src/fhir/sensitivity/index.ts';
import type { Resource } from '../src/fhir/types.ts';
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
  // One file at a time, so the run stops right at the bad file.
  const args = ['import', dir, '--node', node.url, '--org', org.slug, '--home', tmp.dir, '--concurrency', '1'];

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

const FIXTURES = join(import.meta.dirname, 'fixtures', 'synthea');

test('the Synthea fixtures import whole: every resource of every type, references resolved, labelled, idempotent', async () => {
  const dir = join(tmp.dir, 'synthea-fixtures');
  mkdirSync(dir);
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  for (const f of files) cpSync(join(FIXTURES, f), join(dir, f));
  const expected = new Map<string, number>();
  const originals: Resource[] = [];
  const ids = new Map<string, number>();
  for (const f of files) {
    for (const e of (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { entry: { resource: Resource }[] }).entry) {
      const key = `${e.resource.resourceType}/${e.resource.id}`;
      ids.set(key, (ids.get(key) ?? 0) + 1);
      if (ids.get(key) === 1) {
        expected.set(e.resource.resourceType, (expected.get(e.resource.resourceType) ?? 0) + 1);
        originals.push(e.resource);
      }
    }
  }
  assert.ok(expected.size >= 14, `${expected.size} types in the fixtures`);
  const before = await node.services.store.versionCount();
  const run = await runCli(['import', dir, '--node', node.url, '--org', org.slug, '--home', tmp.dir]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`imported ${files.length} file\\(s\\)`));
  assert.match(run.stderr, /import: \d+\/\d+ files, \d+ resources, \d+\/s/, 'progress is shown');
  for (const [type, n] of expected) assert.equal(await count(type), n + (type === 'Patient' ? 3 : type === 'Observation' ? 28 : type === 'Encounter' ? 3 : 0), type);
  const stored = (await node.services.store.versionCount()) - before;
  assert.equal(stored, originals.length, 'one version per distinct resource: repeated Organizations and Practitioners are one each');

  // Every reference of every imported resource resolves to a stored resource.
  const rows = await node.services.storage.all<{ type: string; id: string }>('SELECT type, id FROM record_current WHERE deleted = 0');
  const present = new Set(rows.map((r) => `${r.type}/${r.id}`));
  let refs = 0;
  const unresolved: string[] = [];
  let labelled = 0;
  for (const r of rows) {
    const resource = await node.services.store.read(r.type, r.id);
    const contained = new Set(((resource.contained as Resource[] | undefined) ?? []).map((c) => `#${c.id}`));
    JSON.stringify(resource, (k, v) => {
      if (k === 'reference' && typeof v === 'string') {
        refs++;
        if (!present.has(v) && !contained.has(v)) unresolved.push(`${r.type}/${r.id} -> ${v}`);
      }
      return v;
    });
    // Security labels were added at write time, exactly those the classifier calls for.
    const again = withSecurityLabels(resource);
    assert.equal(again, resource, `${r.type}/${r.id} carries every label its codes call for`);
    if ((resource.meta?.security ?? []).length > 0) labelled++;
  }
  assert.deepEqual(unresolved, []);
  assert.ok(refs > 3000, `${refs} references checked`);
  assert.ok(labelled >= 10, `${labelled} resources labelled (HIV tests, opioid abuse, PTSD, contraceptives…)`);
  const opioid = await node.services.storage.all<{ id: string }>("SELECT id FROM record_current WHERE type = 'Condition'");
  const conditions = await Promise.all(opioid.map((c) => node.services.store.read('Condition', c.id)));
  const abuse = conditions.find((c) => JSON.stringify(c.code).includes('5602001'))!;
  assert.deepEqual((abuse.meta!.security ?? []).map((s) => s.code).sort(), ['ETH', 'OPIOIDUD', 'R']);

  // A second run, the state file lost: nothing new is stored.
  writeFileSync(`${dir}.import-state.json`, '{"done": []}');
  const again = await runCli(['import', dir, '--node', node.url, '--org', org.slug, '--home', tmp.dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await node.services.store.versionCount()) - before, originals.length, 'a re-run writes no version');
});
