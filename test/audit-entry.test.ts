// storage-engine: sqlite-only (no node database on this path; the PostgreSQL pass of npm test skips this file)
/**
 * The audit entry's bytes: the AuditEvent template is canonical JSON and valid FHIR for any input,
 * and a stored row rebuilds exactly the leaf that was hashed (real SQLite, across a reopen).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { AuditLog, auditEventJson, auditMigrations, DetailSealer, type AuditInput } from '../src/audit/audit-log.ts';
import { BlindIndex } from '../src/crypto/blind-index.ts';
import { logMigrations } from '../src/merkle/persistent-log.ts';
import { openSqlite } from '../src/storage/sqlite.ts';
import { loadFhirDefinitions, validate } from '../src/fhir/validation.ts';
import { canonicalJson } from '../src/shared/canonical-json.ts';
import { tempDir } from './helpers/env.ts';

const tmp = tempDir();
process.on('exit', () => tmp.remove());

const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const inputs: fc.Arbitrary<AuditInput> = fc.record(
  {
    action: fc.constantFrom('C', 'R', 'U', 'D', 'E'),
    subtype: fc.oneof(fc.constantFrom('read', 'create', 'search-type', 'login', 'erase', 'break-glass'), text),
    outcome: fc.constantFrom('0', '4', '8'),
    outcomeDesc: opt(text),
    agent: text,
    onBehalfOf: opt(text),
    network: opt(text),
    purpose: opt(fc.constantFrom('TREAT', 'ETREAT', 'HPAYMT')),
    patientId: opt(fc.stringMatching(/^[A-Za-z0-9\-.]{1,64}$/)),
    what: opt(fc.array(text, { maxLength: 3 })),
    query: opt(text),
  },
  { requiredKeys: ['action', 'subtype', 'outcome', 'agent'] },
);
const org = () => privateKeyToAccount(generatePrivateKey());
const blind = new BlindIndex(Buffer.from('test index secret'));
const sealer = new DetailSealer(Buffer.from('test index secret'));
const open = (file: string) => openSqlite(file, { logs: logMigrations, audit: auditMigrations });

test('the AuditEvent template is canonical JSON for any input', () => {
  fc.assert(
    fc.property(inputs, text, fc.nat(), (input, o, idx) => {
      const json = auditEventJson(o, input, idx, '2026-11-24T10:00:00.000Z');
      assert.equal(json, canonicalJson(JSON.parse(json)));
      const e = JSON.parse(json);
      assert.equal(e.id, String(idx));
      assert.equal(e.agent[0].who.reference, input.agent);
      assert.equal(e.source.observer.display, o);
    }),
    { numRuns: 2000 },
  );
});

test('the AuditEvent template is a valid FHIR R4 AuditEvent', () => {
  loadFhirDefinitions();
  fc.assert(
    fc.property(inputs, fc.stringMatching(/^[a-z][a-z-]{0,20}$/), opt(fc.stringMatching(/^\S[ -~]{0,60}\S$/)), fc.nat(), (input, subtype, desc, idx) => {
      // What a node records: codes and references it makes itself, free text from its own messages.
      const node = { ...input, subtype: subtype, agent: 'Practitioner/p1', onBehalfOf: input.onBehalfOf && 'Patient/x', what: input.what?.map((_, i) => `Observation/o${i}`), outcomeDesc: desc, network: input.network && '10.0.0.1' };
      validate(JSON.parse(auditEventJson('hospital', node, idx, '2026-11-24T10:00:00.000Z')));
    }),
    { numRuns: 300 },
  );
});

test('stored rows rebuild the exact leaves: the reopened log has the same root', async () => {
  const file = join(tmp.dir, 'rows.db');
  const db = await open(file);
  const log = await AuditLog.open(db, 'hospital', blind, org(), sealer);
  const sample = fc.sample(inputs, 500);
  await db.transaction(async (tx) => {
    for (const i of sample) await log.append(tx, i);
  });
  log.log.commit();
  for (let i = 0; i < sample.length; i += 97) {
    const e = (await log.entry(i))!;
    assert.equal(e.id, String(i));
    assert.equal(e.action, sample[i]!.action);
  }
  const root = log.log.tree.root();
  await db.close();
  const db2 = await open(file);
  const reopened = await AuditLog.open(db2, 'hospital', blind, org(), sealer);
  assert.equal(reopened.log.size, 500);
  assert.deepEqual(reopened.log.tree.root(), root);
  await db2.close();
});

test('entry times never decrease, and time ranges are index ranges', async () => {
  const db = await open(join(tmp.dir, 'times.db'));
  const log = await AuditLog.open(db, 'clinic', blind, org(), sealer);
  const input: AuditInput = { action: 'R', subtype: 'read', outcome: '0', agent: 'Practitioner/a' };
  const realNow = Date.now;
  const clock = [1_000, 2_000, 1_500 /* the clock steps back */, 3_000, 3_000, 4_000];
  try {
    for (const t of clock) {
      Date.now = () => t;
      await db.transaction((tx) => log.append(tx, input));
      log.log.commit();
    }
  } finally {
    Date.now = realNow;
  }
  const recorded = await Promise.all(Array.from({ length: clock.length }, async (_, i) => Date.parse((await log.entry(i))!.recorded as string)));
  assert.deepEqual(recorded, [1_000, 2_000, 2_000, 3_000, 3_000, 4_000]);
  assert.deepEqual(await log.indexRange(2_000, 3_001), { from: 1, to: 5 });
  assert.deepEqual(await log.find({ fromMs: 3_000 }), [3, 4, 5]);
  assert.deepEqual(await log.find({ toMs: 1_000 }), []);
  await db.close();
});

test('searches by patient and agent across index epochs match a full scan', async () => {
  const db = await open(join(tmp.dir, 'epochs.db'));
  const log = await AuditLog.open(db, 'hospital', blind, org(), sealer);
  const N = 10_000; // a little over two epochs of 4,096
  const facts = Array.from({ length: N }, (_, i) => ({ patientId: `p${(i * 7919) % 13}`, agent: `Practitioner/a${i % 5}` }));
  await db.transaction(async (tx) => {
    for (const f of facts) await log.append(tx, { action: 'R', subtype: 'read', outcome: '0', ...f });
  });
  log.log.commit();
  const scan = (f: (x: (typeof facts)[number]) => boolean) => facts.flatMap((x, i) => (f(x) ? [i] : []));
  const p3 = scan((x) => x.patientId === 'p3');
  assert.deepEqual(await log.find({ patientId: 'p3', limit: N }), p3);
  assert.deepEqual(await log.find({ patientId: 'p3', limit: 50, offset: 700 }), p3.slice(700, 750));
  assert.deepEqual(await log.find({ patientId: 'p3', limit: 100, after: p3[400] }), p3.slice(401, 501));
  assert.deepEqual(await log.find({ agent: 'Practitioner/a2', limit: N }), scan((x) => x.agent === 'Practitioner/a2'));
  assert.deepEqual(await log.find({ patientId: 'p3', agent: 'Practitioner/a2', limit: N }), scan((x) => x.patientId === 'p3' && x.agent === 'Practitioner/a2'));
  assert.deepEqual(await log.find({ limit: 10, offset: 9_995 }), [9_995, 9_996, 9_997, 9_998, 9_999]);
  assert.deepEqual(await log.find({ patientId: 'nobody' }), []);
  await db.close();
});
