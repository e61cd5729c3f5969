// storage-engine: sqlite-only (it reads SQLite's own files, node.db and its WAL; on PostgreSQL the index tables hold the same bytes, written by the same code)
/**
 * The search index holds no plaintext PHI (docs/search-privacy.md), checked on the raw database file
 * and its write-ahead log: after writing, updating and searching resources full of distinctive
 * names, addresses, identifiers, contact details and codes, none of those strings, nor their
 * normalised forms or prefixes, appears in `node.db` or `node.db-wal` — while the searches that find
 * them by those very values work.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import type { RunningNode } from '../src/node/start.ts';
import type { SqliteStorage } from '../src/storage/sqlite.ts';
import { startTestNode, tempDir, type TestOrg } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let org: TestOrg;
let node: RunningNode;
let token: string;

async function fhir(method: string, path: string, body?: unknown) {
  const res = await fetch(`${node.url}/fhir${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/fhir+json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

before(async () => {
  ({ chain, org, node, token } = await startTestNode(tmp.dir, 'privacy-hospital'));
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

/** Strings that must never be stored in the clear (with normalised forms and long prefixes). */
const SECRETS = [
  'Xylophonic', 'xylophonic', 'xylopho', 'Quarrington', 'quarrington', 'quarri', 'Zebediah', 'zebediah',
  'Evergreen Terrace', 'evergreen', 'Springfieldia', 'springfieldia', '99231',
  '987-65-4321', 'MRN-PRIV-5521', '555-0199-7731', 'zeb@example.org',
  '86406008', '75622-1', 'immunodeficiency', 'Immunodeficiency', 'Quillfeather', 'quillfeather',
];

test('names, addresses, identifiers, telecoms and codes never reach node.db or its WAL', async () => {
  const pr = await fhir('POST', '/Practitioner', { resourceType: 'Practitioner', name: [{ family: 'Quillfeather', given: ['Ada'] }] });
  const p = await fhir('POST', '/Patient', {
    resourceType: 'Patient',
    identifier: [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: '987-65-4321' }, { system: 'urn:mrn', value: 'MRN-PRIV-5521' }],
    name: [{ family: 'Xylophonic Quarrington', given: ['Zebediah'] }],
    telecom: [{ system: 'phone', value: '555-0199-7731' }, { system: 'email', value: 'zeb@example.org' }],
    address: [{ line: ['742 Evergreen Terrace'], city: 'Springfieldia', postalCode: '99231' }],
    birthDate: '1970-01-02',
    generalPractitioner: [{ reference: `Practitioner/${pr.body.id}` }],
  });
  assert.equal(p.status, 201);
  const pid = p.body.id as string;
  await fhir('POST', '/Condition', {
    resourceType: 'Condition',
    subject: { reference: `Patient/${pid}` },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '86406008', display: 'Human immunodeficiency virus infection' }], text: 'Immunodeficiency' },
  });
  await fhir('POST', '/Observation', {
    resourceType: 'Observation',
    status: 'final',
    subject: { reference: `Patient/${pid}` },
    code: { coding: [{ system: 'http://loinc.org', code: '75622-1', display: 'HIV 1 and 2 tests - Meaningful Use set' }] },
    valueCodeableConcept: { text: 'Negative' },
  });
  // An update rewrites the index rows; the old ones must leave no trace either.
  await fhir('PUT', `/Patient/${pid}`, { ...p.body, gender: 'male' });

  // The searches that find them by these values work…
  const found = async (q: string) => ((await fhir('GET', q)).body.entry ?? []).map((e: any) => e.resource.id);
  assert.deepEqual(await found('/Patient?family=xylophonic'), [pid]);
  assert.deepEqual(await found('/Patient?name=quarr'), [pid]);
  assert.deepEqual(await found('/Patient?name:contains=ophon'), [pid]);
  assert.deepEqual(await found('/Patient?address-city=springfield'), [pid]);
  assert.deepEqual(await found('/Patient?identifier=http://hl7.org/fhir/sid/us-ssn|987-65-4321'), [pid]);
  assert.deepEqual(await found('/Patient?telecom=555-0199-7731'), [pid]);
  assert.equal((await found(`/Condition?code=86406008&subject=${pid}`)).length, 1);
  assert.equal((await found(`/Observation?code=http://loinc.org|75622-1`)).length, 1);
  assert.deepEqual(await found(`/Patient?_id=${pid}&_sort=family`), [pid]);

  // …and none of them is in the database file or its write-ahead log, before or after a checkpoint.
  const files = () => ['node.db', 'node.db-wal'].map((f) => join(org.dataDir, f)).filter(existsSync);
  const check = (when: string) => {
    for (const file of files()) {
      const raw = readFileSync(file);
      for (const s of SECRETS) {
        assert.equal(raw.includes(Buffer.from(s, 'utf8')), false, `${s} found in ${file} (${when})`);
        assert.equal(raw.includes(Buffer.from(s, 'utf16le')), false, `${s} (UTF-16) found in ${file} (${when})`);
      }
    }
  };
  assert.ok(files().some((f) => f.endsWith('-wal')), 'the WAL exists before the checkpoint');
  check('in the WAL');
  (node.services.storage as SqliteStorage).writer.pragma('wal_checkpoint(TRUNCATE)');
  check('after the checkpoint');

  // What the index does hold in the clear: dates as numbers (birthDate here), parameter names, ids.
  const birth = await node.services.storage.get<{ lo: number }>("SELECT lo FROM search_range WHERE param = 'Patient.birthdate'");
  assert.equal(birth?.lo, Date.UTC(1970, 0, 2));
  const tokenLengths = await node.services.storage.all<{ n: number }>('SELECT DISTINCT length(token) AS n FROM search_token');
  assert.deepEqual(tokenLengths.map((r) => Number(r.n)), [16], 'every equality token is a 128-bit HMAC');
});
