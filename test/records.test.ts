// storage-engine: both, core (in the PostgreSQL pass of npm test; npm run test:postgres runs every file on PostgreSQL)
/**
 * The FHIR record store over real HTTP, real SQLite and a real Anvil: HL7's official examples
 * round-trip for every supported type, invalid input is refused with nothing stored, transactions
 * are atomic, data is encrypted at rest, versions are anchored and provable, tampering is detected,
 * erasure shreds keys, and key rotation re-wraps without re-encrypting.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import type { NodeConfig } from '../src/config/node-config.ts';
import { open } from '../src/crypto/envelope.ts';
import { leafHash } from '../src/merkle/hasher.ts';
import { verifyInclusion } from '../src/merkle/verify.ts';
import type { Storage } from '../src/storage/engine.ts';
import { startNode, type RunningNode } from '../src/node/start.ts';
import { resourceTypes } from '../src/fhir/search/index.ts';
import { canonicalJson } from '../src/shared/canonical-json.ts';
import { verifyStoreCommand } from '../src/cli/verify.ts';
import { runCli, startTestNode, tempDir, waitUntil, type TestOrg, openNodeDb, rawDatabaseBytes } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let org: TestOrg;
let node: RunningNode;
let token: string;

let config: () => NodeConfig;

async function fhir(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${node.url}/fhir${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
}

const versionsStored = () => node.services.store.versionCount();
const strip = (r: any) => {
  const { id: _id, meta, ...rest } = r;
  const { versionId: _v, lastUpdated: _l, ...metaRest } = meta ?? {};
  return canonicalJson({ ...rest, meta: metaRest });
};

async function createPatient(family: string, extra: Record<string, unknown> = {}) {
  const r = await fhir('POST', '/Patient', { resourceType: 'Patient', name: [{ family, given: ['Test'] }], gender: 'female', birthDate: '1980-04-02', ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { id: string; meta: { versionId: string } };
}

before(async () => {
  ({ chain, org, node, token, config } = await startTestNode(tmp.dir, 'records-hospital', { anchorIntervalMs: 300, anchorBatchSize: 100_000 }));
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

describe('FHIR REST basics', () => {
  test('metadata is public; everything else needs credentials (401 OperationOutcome)', async () => {
    const meta = await fetch(`${node.url}/fhir/metadata`);
    assert.equal(meta.status, 200);
    const cs = (await meta.json()) as any;
    assert.equal(cs.resourceType, 'CapabilityStatement');
    assert.equal(cs.fhirVersion, '4.0.1');
    assert.deepEqual(cs.rest[0].resource.map((r: any) => r.type), [...resourceTypes()]);
    const anon = await fetch(`${node.url}/fhir/Patient`);
    assert.equal(anon.status, 401);
    assert.equal(((await anon.json()) as any).resourceType, 'OperationOutcome');
    const forged = await fhir('GET', '/Patient', undefined, { authorization: `Bearer ${token.slice(0, -2)}xx` });
    assert.equal(forged.status, 401);
  });

  test('invalid resources get 400 with what and where, and nothing is stored', async () => {
    const before = (await versionsStored());
    const cases: [string, unknown, RegExp][] = [
      ['/Patient', { resourceType: 'Patient', gender: 'female', nickname: 'x' }, /Patient\.nickname/],
      ['/Patient', { resourceType: 'Patient', birthDate: 19800402 }, /birthDate/],
      ['/Observation', { resourceType: 'Observation', status: 'final' }, /Observation\.code/],
      ['/Observation', { resourceType: 'Patient' }, /does not match the URL/],
      ['/Patient', '{"resourceType": "Patient", ', /malformed JSON/],
      ['/Patient', '[1,2]', /must be a FHIR resource/],
      ['/Condition', { resourceType: 'Condition', subject: { reference: 'Patient/1' }, code: { coding: 'not-an-array' } }, /Condition\.code\.coding/],
    ];
    for (const [path, body, where] of cases) {
      const r = await fhir('POST', path, body);
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(r.body.resourceType, 'OperationOutcome');
      assert.match(JSON.stringify(r.body.issue), where);
    }
    assert.equal((await fhir('POST', '/Spaceship', { resourceType: 'Spaceship' })).status, 404);
    assert.equal((await versionsStored()), before, 'nothing stored');
  });

  test('id and meta sent by the client are replaced by the server (no mass assignment)', async () => {
    const r = await fhir('POST', '/Patient', { resourceType: 'Patient', id: 'chosen', meta: { versionId: '99', lastUpdated: '2001-01-01T00:00:00Z', tag: [{ code: 'keep' }] } });
    assert.equal(r.status, 201);
    assert.notEqual(r.body.id, 'chosen');
    assert.equal(r.body.meta.versionId, '1');
    assert.notEqual(r.body.meta.lastUpdated, '2001-01-01T00:00:00Z');
    assert.deepEqual(r.body.meta.tag, [{ code: 'keep' }]);
  });

  test('update with If-Match, vread, history, delete', async () => {
    const p = await createPatient('Versioned');
    const v2 = await fhir('PUT', `/Patient/${p.id}`, { ...p, gender: 'male' }, { 'if-match': 'W/"1"' });
    assert.equal(v2.status, 200);
    assert.equal(v2.body.meta.versionId, '2');
    const stale = await fhir('PUT', `/Patient/${p.id}`, { ...p, gender: 'other' }, { 'if-match': 'W/"1"' });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.resourceType, 'OperationOutcome');
    assert.equal((await fhir('GET', `/Patient/${p.id}/_history/1`)).body.gender, 'female');
    assert.equal((await fhir('GET', `/Patient/${p.id}`)).body.gender, 'male');
    const mismatch = await fhir('PUT', `/Patient/${p.id}`, { ...p, id: 'other' });
    assert.equal(mismatch.status, 400);
    assert.equal((await fhir('DELETE', `/Patient/${p.id}`)).status, 204);
    assert.equal((await fhir('GET', `/Patient/${p.id}`)).status, 410);
    const history = await fhir('GET', `/Patient/${p.id}/_history`);
    assert.deepEqual(history.body.entry.map((e: any) => e.response.etag), ['W/"3"', 'W/"2"', 'W/"1"']);
    assert.equal(history.body.entry[0].request.method, 'DELETE');
    assert.equal((await fhir('GET', `/Patient/${p.id}/_history/9`)).status, 404);
    assert.equal((await fhir('GET', '/Patient/does-not-exist')).status, 404);
    const provenance = await fhir('GET', `/Provenance?target=Patient/${p.id}`);
    assert.equal(provenance.body.total, 3);
    assert.equal(provenance.body.entry[0].resource.agent[0].who.reference, `Organization/${org.slug}`);
    const upsert = await fhir('PUT', '/Patient/client-chosen-1', { resourceType: 'Patient', id: 'client-chosen-1' });
    assert.equal(upsert.status, 201, 'update-as-create');
  });
});

describe('search and $everything', () => {
  let patient: { id: string };
  let other: { id: string };
  before(async () => {
    patient = await createPatient('Searchable');
    other = await createPatient('Other');
    const obs = (p: string, code: string, date: string) => ({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code }] },
      subject: { reference: `Patient/${p}` },
      effectiveDateTime: date,
    });
    for (const [p, code, date] of [
      [patient.id, '8867-4', '2024-01-10T10:00:00Z'],
      [patient.id, '8867-4', '2024-03-05'],
      [patient.id, '2339-0', '2023-12-31'],
      [other.id, '8867-4', '2024-01-10'],
    ] as const) {
      assert.equal((await fhir('POST', '/Observation', obs(p, code, date))).status, 201);
    }
  });

  test('by patient, code (with and without system), date ranges, _id, _lastUpdated', async () => {
    const total = async (q: string) => (await fhir('GET', `/Observation?${q}`)).body.total;
    assert.equal(await total(`patient=Patient/${patient.id}`), 3);
    assert.equal(await total(`subject=${patient.id}`), 3);
    assert.equal(await total(`patient=${patient.id}&code=8867-4`), 2);
    assert.equal(await total(`patient=${patient.id}&code=http://loinc.org|2339-0`), 1);
    assert.equal(await total(`patient=${patient.id}&code=http://snomed.info/sct|2339-0`), 0);
    assert.equal(await total(`patient=${patient.id}&date=ge2024-01-01`), 2);
    assert.equal(await total(`patient=${patient.id}&date=lt2024-01-01`), 1);
    assert.equal(await total(`patient=${patient.id}&date=2024-01`), 1);
    assert.equal(await total(`patient=${patient.id}&date=ge2024-01-01&date=le2024-02-01`), 1);
    assert.equal(await total(`code=8867-4&patient=${patient.id},${other.id}`), 3);
    assert.ok((await total(`code=8867-4`)) >= 3);
    const one = await fhir('GET', `/Patient?_id=${patient.id}`);
    assert.equal(one.body.total, 1);
    assert.equal(one.body.entry[0].resource.name[0].family, 'Searchable');
    assert.ok((await total(`_lastUpdated=ge${new Date(Date.now() - 60_000).toISOString()}`)) >= 4);
    assert.equal(await total(`_lastUpdated=lt2000-01-01`), 0);
    assert.equal((await fhir('GET', `/Patient?birthdate=1980-04-02&_id=${patient.id}`)).body.total, 1);
  });

  test('paging with _count (capped) and next links; bad parameters are 400', async () => {
    const page = await fhir('GET', `/Observation?patient=${patient.id}&_count=2`);
    assert.equal(page.body.entry.length, 2);
    const next = page.body.link.find((l: any) => l.relation === 'next').url as string;
    const page2 = await fhir('GET', next.slice(next.indexOf('/fhir') + 5));
    assert.equal(page2.body.entry.length, 1);
    assert.equal((await fhir('GET', '/Observation?_count=100000')).status, 200);
    for (const q of ['nonsense=1', 'date=yesterday', '_count=-1', 'patient=Patient/', 'code=1&_offset=x']) {
      const r = await fhir('GET', `/Observation?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.resourceType, 'OperationOutcome');
    }
    assert.equal((await fhir('GET', '/Practitioner?patient=1')).status, 400);
  });

  test('$everything returns the patient and their compartment only', async () => {
    const all = await fhir('GET', `/Patient/${patient.id}/$everything`);
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.entry.map((e: any) => e.resource.resourceType), ['Patient', 'Observation', 'Observation', 'Observation']);
    assert.equal((await fhir('GET', '/Patient/nobody/$everything')).status, 404);
  });
});

describe('Bundles', () => {
  const patientEntry = (family: string) => ({
    fullUrl: 'urn:uuid:6f1c2e8a-0000-4000-8000-000000000001',
    resource: { resourceType: 'Patient', name: [{ family }] },
    request: { method: 'POST', url: 'Patient' },
  });
  const obsEntry = (extra: Record<string, unknown> = {}) => ({
    fullUrl: 'urn:uuid:6f1c2e8a-0000-4000-8000-000000000002',
    resource: { resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, subject: { reference: 'urn:uuid:6f1c2e8a-0000-4000-8000-000000000001' }, ...extra },
    request: { method: 'POST', url: 'Observation' },
  });

  test('a transaction stores all entries and resolves urn:uuid references', async () => {
    const r = await fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [obsEntry(), patientEntry('Bundled')] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.type, 'transaction-response');
    const [obsLoc, patLoc] = r.body.entry.map((e: any) => e.response.location as string);
    assert.match(patLoc, /^Patient\/[0-9a-f-]{36}\/_history\/1$/);
    const obs = await fhir('GET', `/${obsLoc.split('/_history')[0]}`);
    assert.equal(obs.body.subject.reference, patLoc.split('/_history')[0]);
    const everything = await fhir('GET', `/${patLoc.split('/_history')[0]}/$everything`);
    assert.equal(everything.body.total, 2, 'the observation is in the new patient compartment');
  });

  test('a failed transaction stores none of its entries', async () => {
    const before = (await versionsStored());
    const bad = await fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [patientEntry('Atomic'), obsEntry({ status: 'not-a-status', valueQuantity: 'x' })] });
    assert.equal(bad.status, 400);
    assert.match(bad.body.issue[0].diagnostics, /^Bundle\.entry\[1\]/);
    const p = await createPatient('Conflicted');
    const after1 = (await versionsStored());
    const conflict = await fhir('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [patientEntry('Atomic2'), { resource: { ...p, gender: 'male' }, request: { method: 'PUT', url: `Patient/${p.id}`, ifMatch: 'W/"7"' } }],
    });
    assert.equal(conflict.status, 412, JSON.stringify(conflict.body));
    assert.equal((await versionsStored()), after1, 'the valid Patient entry was rolled back');
    assert.equal(before + 1, after1);
    assert.equal((await fhir('GET', `/Patient?_id=${p.id}`)).body.entry[0].resource.gender, 'female');
  });

  test('a batch applies each entry on its own', async () => {
    const r = await fhir('POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: { resourceType: 'Patient', name: [{ family: 'BatchOk' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', birthDate: 'soon' }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Patient/does-not-exist' } },
      ],
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.entry.map((e: any) => e.response.status), ['201 Created', '400', '404']);
    assert.equal(r.body.entry[1].response.outcome.resourceType, 'OperationOutcome');
    for (const bad of [{ resourceType: 'Bundle', type: 'collection' }, { resourceType: 'Patient' }, { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'PATCH', url: 'Patient/1' } }] }]) {
      assert.equal((await fhir('POST', '', bad)).status, 400);
    }
  });
});

describe('encryption at rest, anchoring and proofs', () => {
  test('the database holds no plaintext PHI', async () => {
    const marker = 'Zyxwvutsrqp';
    await createPatient(marker, { telecom: [{ system: 'phone', value: '555-0199-7731' }] });
    const raw = await rawDatabaseBytes(node.services.storage, org.dataDir);
    assert.equal(raw.includes(Buffer.from(marker)), false, 'family name not in the database file');
    assert.equal(raw.includes(Buffer.from('555-0199-7731')), false, 'phone not in the database file');
    assert.equal(raw.includes(Buffer.from('8867-4')), false, 'searched codes are stored as keyed tokens');
  });

  test("each version has its own data key, wrapped for the custodian and for the patient's key", async () => {
    const p = await createPatient('Wrapped');
    const obs = await fhir('POST', '/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'hr' }, subject: { reference: `Patient/${p.id}` } });
    const rows = (await node.services.storage.all('SELECT * FROM record_versions WHERE id IN (?, ?)', [p.id, obs.body.id])) as any[];
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.custodian_key && r.patient_key && r.patient_epk));
    assert.notDeepEqual(rows[0].custodian_key, rows[1].custodian_key);
    // The patient's custody key opens the observation without the custodian's data-key wrap.
    const pk = (await node.services.storage.get('SELECT * FROM patient_keys WHERE patient_id = ?', [p.id])) as any;
    const privateKey = open(node.services.keys.keks.get(pk.kek_id)!.key, pk.private_key_wrapped, Buffer.from(`carechain:patient-key:${p.id}`));
    const row = rows.find((r) => r.type === 'Observation');
    const asPatient = await node.services.store.decryptAsPatient(row, { publicKey: pk.public_key, privateKey });
    assert.equal(asPatient.id, obs.body.id);
  });

  test('a patient key created in a rolled-back transaction is never wrapped to', async () => {
    const id = 'rollback-patient-1';
    const failed = await fhir('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', id }, request: { method: 'PUT', url: `Patient/${id}` } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${id}` } }, request: { method: 'POST', url: 'Observation' } },
        { resource: { resourceType: 'Patient', id: 'other' }, request: { method: 'PUT', url: 'Patient/other', ifMatch: 'W/"9"' } },
      ],
    });
    assert.equal(failed.status, 412);
    assert.equal((await node.services.storage.get('SELECT 1 FROM patient_keys WHERE patient_id = ?', [id])), undefined, 'the key was rolled back');
    assert.equal((await fhir('PUT', `/Patient/${id}`, { resourceType: 'Patient', id })).status, 201);
    const obs = await fhir('POST', '/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'y' }, subject: { reference: `Patient/${id}` } });
    const pk = (await node.services.storage.get('SELECT * FROM patient_keys WHERE patient_id = ?', [id])) as any;
    const privateKey = open(node.services.keys.keks.get(pk.kek_id)!.key, pk.private_key_wrapped, Buffer.from(`carechain:patient-key:${id}`));
    const row = (await node.services.storage.get("SELECT * FROM record_versions WHERE type = 'Observation' AND id = ?", [obs.body.id])) as any;
    assert.equal((await node.services.store.decryptAsPatient(row, { publicKey: pk.public_key, privateKey })).id, obs.body.id, "the patient's current key opens it");
  });

  test('versions are anchored in batches; $verify gives a proof that checks against the chain', async () => {
    const p = await createPatient('Proven');
    await waitUntil('the record log to be anchored', async () => ((await node.services.anchorers.records.latest())?.treeSize ?? 0) >= node.services.store.log.size, 20_000);
    const anchors = await node.services.anchorers.records.anchors();
    assert.ok(anchors.length * 3 <= node.services.store.log.size, `batched: ${anchors.length} anchors for ${node.services.store.log.size} versions`);
    const proof = await fhir('GET', `/Patient/${p.id}/_history/1/$verify`);
    assert.equal(proof.status, 200, JSON.stringify(proof.body));
    const get = (n: string) => proof.body.parameter.find((x: any) => x.name === n);
    assert.equal(get('anchored').valueBoolean, true);
    const leaf = Buffer.from(get('leaf').valueBase64Binary, 'base64');
    const path = proof.body.parameter.filter((x: any) => x.name === 'proof').map((x: any) => Buffer.from(x.valueString.slice(2), 'hex'));
    assert.ok(verifyInclusion(get('leafIndex').valueInteger, get('treeSize').valueInteger, leafHash(leaf), path, Buffer.from(get('root').valueString.slice(2), 'hex')).ok);
    assert.equal(JSON.parse(leaf.toString()).t, 'Patient');
    assert.equal(JSON.parse(leaf.toString()).p === null, false, 'the leaf carries the patient pseudonym, not the id');
    assert.notEqual(JSON.parse(leaf.toString()).p, p.id);

    const file = join(tmp.dir, 'proof.json');
    writeFileSync(file, JSON.stringify(proof.body));
    const ok = await runCli(['records', 'verify-proof', file, '--rpc-url', chain.anvil.rpcUrl, '--deployment', chain.deploymentFile]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /OK: verified against the ledger/);
    // A proof doctored to claim another root fails.
    const forged = structuredClone(proof.body);
    forged.parameter.find((x: any) => x.name === 'leaf').valueBase64Binary = Buffer.from(leaf.toString().replace('"v":1', '"v":2')).toString('base64');
    writeFileSync(file, JSON.stringify(forged));
    const bad = await runCli(['records', 'verify-proof', file, '--rpc-url', chain.anvil.rpcUrl]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /carechain: error: /);
  });
});

describe('tamper detection', () => {
  // The attacker: their own connection to the node's database file.
  let db: Storage;
  before(() => {
    db = openNodeDb(org);
  });
  after(() => db.close());

  async function tamperCase(mutate: (row: any) => Promise<void>, restore: () => Promise<unknown>, expect: RegExp) {
    const p = await createPatient('Tampered');
    await node.services.anchorers.records.maybeAnchor(true);
    const row = (await db.get("SELECT * FROM record_versions WHERE type = 'Patient' AND id = ?", [p.id])) as any;
    await mutate(row);
    const read = await fhir('GET', `/Patient/${p.id}`);
    assert.equal(read.status, 500);
    assert.match(read.body.issue[0].diagnostics, /integrity check failed/);
    const lines: string[] = [];
    const report = await verifyStoreCommand(config(), (l) => lines.push(l));
    assert.equal(report.ok, false);
    assert.match(report.problems.join('\n'), expect);
    await restore();
    assert.equal((await fhir('GET', `/Patient/${p.id}`)).status, 200, 'restored data reads again');
  }

  test('one changed byte of a ciphertext', async () => {
    let saved: Buffer;
    let hash: string;
    await tamperCase(
      async (row) => {
        hash = row.blob_hash;
        saved = ((await db.get('SELECT data FROM record_blobs WHERE hash = ?', [hash])) as any).data;
        const bad = Buffer.from(saved);
        bad[20]! ^= 1;
        (await db.run('UPDATE record_blobs SET data = ? WHERE hash = ?', [bad, hash]));
      },
      async () => (await db.run('UPDATE record_blobs SET data = ? WHERE hash = ?', [saved, hash])),
      /ciphertext does not match its hash/,
    );
  });

  test('one changed byte of a wrapped data key', async () => {
    let saved: Buffer;
    let key: [string, number];
    await tamperCase(
      async (row) => {
        saved = row.custodian_key;
        key = [row.id, row.version];
        const bad = Buffer.from(saved);
        bad[bad.length - 1]! ^= 1;
        (await db.run("UPDATE record_versions SET custodian_key = ? WHERE type = 'Patient' AND id = ? AND version = ?", [bad, ...key]));
      },
      async () => (await db.run("UPDATE record_versions SET custodian_key = ? WHERE type = 'Patient' AND id = ? AND version = ?", [saved, ...key])),
      /wrapped data key: authentication failed/,
    );
  });

  test('a changed record-log entry, and version metadata that no longer matches it', async () => {
    let saved: Buffer;
    let idx: number;
    await tamperCase(
      async (row) => {
        idx = row.leaf_index;
        // Change the author in the version row (what a rewrite of history would look like).
        (await db.run("UPDATE record_versions SET author = 'Practitioner/forger' WHERE type = 'Patient' AND id = ?", [row.id]));
        saved = ((await db.get('SELECT leaf FROM log_records WHERE idx = ?', [idx])) as any).leaf;
      },
      async () => (await db.run('UPDATE record_versions SET author = ? WHERE leaf_index = ?', [`Organization/${org.slug}`, idx])),
      /version metadata differs from record-log entry/,
    );
    // Now change the log entry itself: its anchored root no longer matches.
    const bad = Buffer.from(saved!.toString().replace(`Organization/${org.slug}`, 'Practitioner/forger'));
    (await db.run('UPDATE log_records SET leaf = ? WHERE idx = ?', [bad, idx!]));
    const id = JSON.parse(saved!.toString()).i;
    const read = await fhir('GET', `/Patient/${id}`);
    assert.equal(read.status, 500);
    assert.match(read.body.issue[0].diagnostics, /record-log entry \d+ was changed in the database/);
    const report = await verifyStoreCommand(config(), () => {});
    assert.match(report.problems.join('\n'), /anchor #\d+ .* does not match the stored log's root/);
    assert.match(report.problems.join('\n'), /differs from record-log entry/);
    const cli = await runCli(['verify', '--org', org.slug, '--home', tmp.dir, '--rpc-url', chain.anvil.rpcUrl]);
    assert.equal(cli.code, 1);
    assert.match(cli.stdout, /FAILED: \d+ problem/);
    (await db.run('UPDATE log_records SET leaf = ? WHERE idx = ?', [saved!, idx!]));
    const clean = await runCli(['verify', '--org', org.slug, '--home', tmp.dir, '--rpc-url', chain.anvil.rpcUrl]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /OK: the store matches the ledger/);
  });

  test('a deleted version row is reported', async () => {
    const p = await createPatient('Vanishing');
    const row = (await db.get("SELECT * FROM record_versions WHERE type = 'Patient' AND id = ?", [p.id])) as any;
    (await db.run("DELETE FROM record_versions WHERE type = 'Patient' AND id = ?", [p.id]));
    const report = await verifyStoreCommand(config(), () => {});
    assert.match(report.problems.join('\n'), new RegExp(`entry ${row.leaf_index} has no stored version`));
    const cols = Object.keys(row);
    (await db.run(`INSERT INTO record_versions (${cols.join(',')}) VALUES (${cols.map(() => '?').join(',')})`, [...cols.map((c) => row[c])]));
  });
});

describe('erasure and key rotation', () => {
  test('erasing a patient shreds keys and ciphertext; the ledger still verifies; the erasure is recorded', async () => {
    const p = await createPatient('Forgotten');
    const obs = await fhir('POST', '/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'bp' }, subject: { reference: `Patient/${p.id}` } });
    await fhir('PUT', `/Patient/${p.id}`, { ...p, gender: 'other' });
    const logBefore = node.services.store.log.size;
    const r = await fhir('POST', `/Patient/${p.id}/$erase`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.parameter.find((x: any) => x.name === 'erasedVersions').valueInteger, 3);
    for (const path of [`/Patient/${p.id}`, `/Patient/${p.id}/_history/1`, `/Observation/${obs.body.id}`, `/Patient/${p.id}/$everything`]) {
      assert.equal((await fhir('GET', path)).status, 410, path);
    }
    assert.equal((await fhir('GET', `/Observation?patient=${p.id}`)).body.total, 0);
    const rows = (await node.services.storage.all('SELECT * FROM record_versions WHERE id IN (?, ?)', [p.id, obs.body.id])) as any[];
    assert.ok(rows.every((x) => x.erased === 1 && x.custodian_key === null && x.patient_key === null));
    for (const x of rows) assert.equal((await node.services.storage.get('SELECT 1 FROM record_blobs WHERE hash = ?', [x.blob_hash])), undefined, 'ciphertext removed');
    assert.equal((await node.services.storage.get('SELECT 1 FROM patient_keys WHERE patient_id = ?', [p.id])), undefined);
    assert.equal(node.services.store.log.size, logBefore + 1, 'the erasure is a log entry of its own');
    assert.equal(JSON.parse((await node.services.store.log.leaf(logBefore))!.toString()).op, 'erase');
    await node.services.anchorers.records.maybeAnchor(true);
    const report = await verifyStoreCommand(config(), () => {});
    assert.deepEqual(report.problems, []);
    assert.ok(report.erasedVersions >= 3);
  });

  test('KEK rotation re-wraps every data key without re-encrypting data', async () => {
    const p = await createPatient('Rotated');
    const blobsBefore = (await node.services.storage.all('SELECT hash, data FROM record_blobs ORDER BY hash'));
    const oldKek = node.services.keys.currentKek.id;
    const res = await fetch(`${node.url}/api/keys/rotate`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as any;
    assert.notEqual(body.kekId, oldKek);
    assert.ok(body.dataKeys > 20 && body.patientKeys > 10, JSON.stringify(body));
    assert.deepEqual((await node.services.storage.all('SELECT hash, data FROM record_blobs ORDER BY hash')), blobsBefore, 'ciphertext untouched');
    assert.equal(((await node.services.storage.get('SELECT COUNT(*) AS n FROM record_versions WHERE kek_id = ?', [oldKek])) as any).n, 0);
    assert.equal((await fhir('GET', `/Patient/${p.id}`)).body.name[0].family, 'Rotated');
    // A restart reads the rotated key file.
    await node.stop();
    node = await startNode(config());
    assert.equal((await fhir('GET', `/Patient/${p.id}`)).status, 200);
    assert.deepEqual((await verifyStoreCommand(config(), () => {})).problems, []);
  });
});
