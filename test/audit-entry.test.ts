/**
 * The audit entry's bytes: the AuditEvent template is canonical JSON and valid FHIR for any input,
 * a stored row rebuilds exactly the leaf that was hashed (real SQLite, across a reopen), and a
 * database written before rows replaced leaf bytes migrates with every old leaf kept verbatim.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { AuditLog, auditEventJson, auditMigrations, type AuditInput } from '../src/audit/audit-log.ts';
import { openDatabase } from '../src/db/database.ts';
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
const token = (p: string) => createHmac('sha256', 'test').update(p).digest('hex');

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

test('stored rows rebuild the exact leaves: the reopened log has the same root', () => {
  const file = join(tmp.dir, 'rows.db');
  const db = openDatabase(file, { audit: auditMigrations });
  const log = new AuditLog(db, 'hospital', token, org());
  const sample = fc.sample(inputs, 500);
  db.transaction(() => sample.forEach((i) => log.append(i)))();
  log.log.commit();
  for (let i = 0; i < sample.length; i += 97) {
    const e = log.entry(i)!;
    assert.equal(e.id, String(i));
    assert.equal(e.action, sample[i]!.action);
  }
  const root = log.log.tree.root();
  db.close();
  const reopened = new AuditLog(openDatabase(file, { audit: auditMigrations }), 'hospital', token, org());
  assert.equal(reopened.log.size, 500);
  assert.deepEqual(reopened.log.tree.root(), root);
  reopened.db.close();
});

test('entry times never decrease, and time ranges are index ranges', () => {
  const db = openDatabase(join(tmp.dir, 'times.db'), { audit: auditMigrations });
  const log = new AuditLog(db, 'clinic', token, org());
  const input: AuditInput = { action: 'R', subtype: 'read', outcome: '0', agent: 'Practitioner/a' };
  const realNow = Date.now;
  const clock = [1_000, 2_000, 1_500 /* the clock steps back */, 3_000, 3_000, 4_000];
  try {
    for (const t of clock) {
      Date.now = () => t;
      db.transaction(() => log.append(input))();
      log.log.commit();
    }
  } finally {
    Date.now = realNow;
  }
  const recorded = Array.from({ length: clock.length }, (_, i) => Date.parse(log.entry(i)!.recorded as string));
  assert.deepEqual(recorded, [1_000, 2_000, 2_000, 3_000, 3_000, 4_000]);
  assert.deepEqual(log.indexRange(2_000, 3_001), { from: 1, to: 5 });
  assert.deepEqual(log.find({ fromMs: 3_000 }), [3, 4, 5]);
  assert.deepEqual(log.find({ toMs: 1_000 }), []);
  db.close();
});

test('a log written with leaf bytes migrates with every leaf kept verbatim', () => {
  const file = join(tmp.dir, 'legacy.db');
  // The schema and rows as the first audit migration left them.
  const db = openDatabase(file, { audit: auditMigrations.slice(0, 1) });
  db.exec('CREATE TABLE log_audit (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL)');
  const leaves = [0, 1, 2].map((i) => Buffer.from(auditEventJson('lab', { action: 'R', subtype: 'read', outcome: '0', agent: 'Practitioner/x', patientId: 'p1' }, i, '2025-01-01T00:00:0' + i + '.000Z')));
  leaves.forEach((leaf, i) => {
    db.prepare('INSERT INTO log_audit (idx, leaf) VALUES (?, ?)').run(i, leaf);
    db.prepare("INSERT INTO audit_entries (idx, recorded_ms, patient_token, agent, action, subtype, outcome) VALUES (?, ?, ?, 'Practitioner/x', 'R', 'read', '0')").run(i, 1735689600000 + i * 1000, token('p1'));
  });
  db.close();
  const log = new AuditLog(openDatabase(file, { audit: auditMigrations }), 'lab', token, org());
  assert.equal(log.log.size, 3);
  leaves.forEach((leaf, i) => assert.deepEqual(log.log.leaf(i), leaf));
  assert.deepEqual(log.find({ patientId: 'p1' }), [0, 1, 2]);
  // New entries follow the old ones.
  log.db.transaction(() => log.append({ action: 'C', subtype: 'create', outcome: '0', agent: 'Practitioner/x' }))();
  log.log.commit();
  assert.equal(log.entry(3)!.id, '3');
  log.db.close();
});

test('searches by patient and agent across index epochs match a full scan', () => {
  const db = openDatabase(join(tmp.dir, 'epochs.db'), { audit: auditMigrations });
  const log = new AuditLog(db, 'hospital', token, org());
  const N = 10_000; // a little over two epochs of 4,096
  const facts = Array.from({ length: N }, (_, i) => ({ patientId: `p${(i * 7919) % 13}`, agent: `Practitioner/a${i % 5}` }));
  db.transaction(() => facts.forEach((f) => log.append({ action: 'R', subtype: 'read', outcome: '0', ...f })))();
  log.log.commit();
  const scan = (f: (x: (typeof facts)[number]) => boolean) => facts.flatMap((x, i) => (f(x) ? [i] : []));
  const p3 = scan((x) => x.patientId === 'p3');
  assert.deepEqual(log.find({ patientId: 'p3', limit: N }), p3);
  assert.deepEqual(log.find({ patientId: 'p3', limit: 50, offset: 700 }), p3.slice(700, 750));
  assert.deepEqual(log.find({ patientId: 'p3', limit: 100, after: p3[400] }), p3.slice(401, 501));
  assert.deepEqual(log.find({ agent: 'Practitioner/a2', limit: N }), scan((x) => x.agent === 'Practitioner/a2'));
  assert.deepEqual(log.find({ patientId: 'p3', agent: 'Practitioner/a2', limit: N }), scan((x) => x.patientId === 'p3' && x.agent === 'Practitioner/a2'));
  assert.deepEqual(log.find({ limit: 10, offset: 9_995 }), [9_995, 9_996, 9_997, 9_998, 9_999]);
  assert.deepEqual(log.find({ patientId: 'nobody' }), []);
  db.close();
});
