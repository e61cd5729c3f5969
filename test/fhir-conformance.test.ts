/**
 * Conformance as a third-party client sees it: the node driven only through `fhir-kit-client` (an npm
 * FHIR R4 client, MIT, Vermonster), the way an EHR integration would use it. Each test is one group of
 * checks of FHIR R4 (http.html, search.html) and US Core 6.1 server behaviour; the server's own
 * CapabilityStatement is read through the client's `CapabilityTool` and must claim what the other
 * tests exercise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CapabilityTool, Client } from 'fhir-kit-client';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import type { RunningNode } from '../src/node/start.ts';
import { startTestNode, tempDir } from './helpers/env.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- FHIR JSON from the wire, read in assertions */
type Json = any;

const tmp = tempDir();
let chain: EmbeddedChain;
let node: RunningNode;
let client: Client;

/** The HTTP status and OperationOutcome of a call the client rejects. */
async function failure(p: Promise<unknown>): Promise<{ status: number; outcome: Json }> {
  try {
    await p;
  } catch (err) {
    const e = err as { response?: { status: number; data: Json } };
    if (e.response) return { status: e.response.status, outcome: e.response.data };
    throw err;
  }
  assert.fail('the call succeeded');
}

const ids = (bundle: Json): string[] => (bundle.entry ?? []).filter((e: Json) => e.search?.mode !== 'include').map((e: Json) => e.resource.id).sort();
const same = (a: string[], b: (string | undefined)[]) => assert.deepEqual(a, [...b].sort());

const made: Record<string, string> = {};

before(async () => {
  let token: string;
  ({ chain, node, token } = await startTestNode(tmp.dir, 'conformance-hospital', { maxBundleEntries: 50, maxEverythingCount: 4 }));
  client = new Client({ baseUrl: `${node.url}/fhir`, bearerToken: token });
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

describe('fhir-kit-client against a node', () => {
  test('CapabilityStatement: R4, JSON, every resource type, and what the other tests use', async () => {
    const cs = (await client.capabilityStatement()) as Json;
    assert.equal(cs.fhirVersion, '4.0.1');
    assert.ok(cs.format.includes('application/fhir+json'));
    const tool = new CapabilityTool(cs);
    for (const code of ['transaction', 'batch', 'history-system']) assert.ok(tool.serverCan(code), code);
    const types = new Set(cs.rest[0].resource.map((r: Json) => r.type));
    for (const t of ['Patient', 'Observation', 'Claim', 'ExplanationOfBenefit', 'CarePlan', 'Goal', 'ImagingStudy', 'ResearchStudy', 'QuestionnaireResponse', 'Provenance']) assert.ok(types.has(t), t);
    assert.ok(types.size >= 140, `${types.size} resource types`);
    for (const code of ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type']) assert.ok(tool.resourceCan('Goal', code), `Goal ${code}`);
    for (const p of ['name', 'family', 'given', 'identifier', 'gender', 'birthdate', '_id']) assert.ok(tool.resourceSearch('Patient', p), `Patient?${p}`);
    for (const p of ['patient', 'category', 'code', 'date', 'status']) assert.ok(tool.resourceSearch('Observation', p), `Observation?${p}`);
    const patient = cs.rest[0].resource.find((r: Json) => r.type === 'Patient');
    assert.equal(patient.conditionalCreate, true);
    assert.equal(patient.conditionalUpdate, true);
    assert.ok(patient.searchRevInclude.includes('Observation:subject'));
    assert.ok(patient.operation.some((o: Json) => o.name === 'everything'));
    assert.match(cs.rest[0].documentation, /compartment search/, 'what is refused is listed too');
  });

  test('create, read, vread, update, patch, delete; version ids, ETags and Location', async () => {
    const created = (await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family: 'Kit', given: ['Ada'] }], gender: 'female', birthDate: '1961-07-01' } })) as Json;
    assert.equal(created.meta.versionId, '1');
    const response = Client.httpFor(created).response!;
    assert.equal(response.status, 201);
    assert.match(response.headers.get('location')!, new RegExp(`/fhir/Patient/${created.id}/_history/1$`));
    assert.equal(response.headers.get('etag'), 'W/"1"');
    made.patient = created.id;

    const read = (await client.read({ resourceType: 'Patient', id: created.id })) as Json;
    assert.deepEqual(read.name, created.name);
    const updated = (await client.update({ resourceType: 'Patient', id: created.id, body: { ...read, gender: 'other' } })) as Json;
    assert.equal(updated.meta.versionId, '2');
    const patched = (await client.patch({ resourceType: 'Patient', id: created.id, jsonPatch: [{ op: 'replace', path: '/gender', value: 'female' }] })) as Json;
    assert.equal(patched.meta.versionId, '3');
    assert.equal(patched.gender, 'female');
    const v2 = (await client.vread({ resourceType: 'Patient', id: created.id, version: '2' })) as Json;
    assert.equal(v2.gender, 'other');

    const temp = (await client.create({ resourceType: 'Goal', body: { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'walk daily' }, subject: { reference: `Patient/${created.id}` } } })) as Json;
    await client.delete({ resourceType: 'Goal', id: temp.id });
    assert.equal((await failure(client.read({ resourceType: 'Goal', id: temp.id }))).status, 410);
  });

  test('errors are OperationOutcomes with the right status', async () => {
    const missing = await failure(client.read({ resourceType: 'Patient', id: 'no-such-patient' }));
    assert.equal(missing.status, 404);
    assert.equal(missing.outcome.resourceType, 'OperationOutcome');
    assert.equal(missing.outcome.issue[0].severity, 'error');
    const invalid = await failure(client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', birthDate: 'last spring' } }));
    assert.equal(invalid.status, 400);
    assert.equal(invalid.outcome.resourceType, 'OperationOutcome');
    const unknownParam = await failure(client.search({ resourceType: 'Patient', searchParams: { shoe: '42' } }));
    assert.equal(unknownParam.status, 400);
    assert.match(unknownParam.outcome.issue[0].diagnostics, /Unknown search parameter "shoe"/);
    const conflict = await failure(client.update({ resourceType: 'Patient', id: made.patient!, body: { resourceType: 'Patient', id: made.patient!, name: [{ family: 'Kit' }] }, options: { headers: { 'If-Match': 'W/"1"' } } }));
    assert.equal(conflict.status, 412);
    const compartment = await failure(client.search({ resourceType: 'Condition', compartment: { resourceType: 'Patient', id: made.patient! } }));
    assert.equal(compartment.status, 400);
    assert.match(compartment.outcome.issue[0].diagnostics, /compartment search is not supported.*Condition\?patient=/);
    assert.equal((await failure(client.search({ searchParams: { _type: 'Patient' } }))).status, 400);
    const anonymous = new Client({ baseUrl: client.baseUrl });
    assert.equal((await failure(anonymous.read({ resourceType: 'Patient', id: made.patient! }))).status, 401);
  });

  test('every common type a Synthea bundle or a claim needs is stored and searchable', async () => {
    const subject = { reference: `Patient/${made.patient}` };
    const org = (await client.create({ resourceType: 'Organization', body: { resourceType: 'Organization', name: 'Payer Inc' } })) as Json;
    const bodies: Json[] = [
      { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject },
      { resourceType: 'CareTeam', status: 'active', subject },
      { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'lower HbA1c' }, subject },
      { resourceType: 'Device', status: 'active', patient: subject },
      { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject },
      { resourceType: 'Specimen', subject },
      { resourceType: 'Coverage', status: 'active', beneficiary: subject, payor: [{ reference: `Organization/${org.id}` }] },
      { resourceType: 'Claim', status: 'active', type: { coding: [{ code: 'professional' }] }, use: 'claim', patient: subject, created: '2024-01-10', provider: { reference: `Organization/${org.id}` }, priority: { coding: [{ code: 'normal' }] }, insurance: [{ sequence: 1, focal: true, coverage: { display: 'x' } }] },
      { resourceType: 'ExplanationOfBenefit', status: 'active', type: { coding: [{ code: 'professional' }] }, use: 'claim', patient: subject, created: '2024-01-10', insurer: { reference: `Organization/${org.id}` }, provider: { reference: `Organization/${org.id}` }, outcome: 'complete', insurance: [{ focal: true, coverage: { display: 'x' } }] },
      { resourceType: 'ImagingStudy', status: 'available', subject },
      { resourceType: 'QuestionnaireResponse', status: 'completed', subject },
    ];
    for (const body of bodies) {
      const r = (await client.create({ resourceType: body.resourceType, body })) as Json;
      const found = (await client.search({ resourceType: body.resourceType, searchParams: { patient: made.patient!, _id: r.id } })) as Json;
      same(ids(found), [r.id]);
    }
  });

  test('conditional create (If-None-Exist) and conditional update', async () => {
    const body = { resourceType: 'Patient', identifier: [{ system: 'urn:kit', value: 'K-1' }], name: [{ family: 'Once' }] };
    const first = (await client.create({ resourceType: 'Patient', body, options: { headers: { 'If-None-Exist': 'identifier=urn:kit|K-1' } } })) as Json;
    const again = (await client.create({ resourceType: 'Patient', body, options: { headers: { 'If-None-Exist': 'identifier=urn:kit|K-1' } } })) as Json;
    assert.equal(again.id, first.id);
    assert.equal(Client.httpFor(again).response!.status, 200);
    const upserted = (await client.update({ resourceType: 'Patient', searchParams: { identifier: 'urn:kit|K-1' }, body: { ...body, gender: 'male' } })) as Json;
    assert.equal(upserted.id, first.id);
    assert.equal(upserted.meta.versionId, '2');
  });

  test('US Core searches: Patient, Observation, Condition, Encounter, MedicationRequest', async () => {
    const p = made.patient!;
    const subject = { reference: `Patient/${p}` };
    const mk = async (body: Json) => ((await client.create({ resourceType: body.resourceType, body })) as Json).id as string;
    const lab = await mk({ resourceType: 'Observation', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }], code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] }, subject, effectiveDateTime: '2024-02-01' });
    const vital = await mk({ resourceType: 'Observation', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }], code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, subject, effectiveDateTime: '2023-06-01', valueQuantity: { value: 70, system: 'http://unitsofmeasure.org', code: '/min' } });
    const cond = await mk({ resourceType: 'Condition', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] }, category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }], code: { text: 'diabetes' }, subject });
    const enc = await mk({ resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject, period: { start: '2024-02-01T09:00:00Z', end: '2024-02-01T10:00:00Z' } });
    const mr = await mk({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: { text: 'metformin' }, subject });

    const s = async (resourceType: string, searchParams: Record<string, string>) => ids(await client.search({ resourceType, searchParams }));
    same(await s('Patient', { family: 'kit', given: 'ada' }), [p]);
    same(await s('Patient', { name: 'KIT', birthdate: '1961-07-01' }), [p]);
    same(await s('Patient', { family: 'kit', gender: 'female' }), [p]);
    same(await s('Patient', { _id: p }), [p]);
    same(await s('Observation', { patient: p, category: 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory' }), [lab]);
    same(await s('Observation', { patient: p, category: 'vital-signs', date: 'ge2023-01-01' }), [vital]);
    same(await s('Observation', { patient: p, code: 'http://loinc.org|4548-4' }), [lab]);
    same(await s('Observation', { patient: p, code: '8867-4', date: 'lt2024' }), [vital]);
    same(await s('Condition', { patient: p, 'clinical-status': 'active' }), [cond]);
    same(await s('Condition', { patient: p, category: 'problem-list-item' }), [cond]);
    same(await s('Encounter', { patient: p, date: 'ge2024-02-01' }), [enc]);
    same(await s('MedicationRequest', { patient: p, intent: 'order', status: 'active' }), [mr]);
    same(await s('Observation', { patient: p, category: 'vital-signs', date: 'ge2025-01-01' }), []);
  });

  test('paging with nextPage / prevPage, _total, _sort, _include / _revinclude, POST _search', async () => {
    const p = made.patient!;
    const first = (await client.search({ resourceType: 'Observation', searchParams: { patient: p, _count: '1', _total: 'accurate', _sort: '-date' } })) as Json;
    assert.equal(first.total, 2);
    assert.equal(first.entry.length, 1);
    const second = (await client.nextPage({ bundle: first })) as Json;
    assert.equal(second.entry.length, 1);
    assert.notEqual(second.entry[0].resource.id, first.entry[0].resource.id);
    assert.ok(first.entry[0].resource.effectiveDateTime > second.entry[0].resource.effectiveDateTime, '_sort=-date');
    const back = (await client.prevPage({ bundle: second })) as Json;
    assert.equal(back.entry[0].resource.id, first.entry[0].resource.id);

    const withPatient = (await client.search({ resourceType: 'Observation', searchParams: { patient: p, _include: 'Observation:subject' } })) as Json;
    assert.ok(withPatient.entry.some((e: Json) => e.search.mode === 'include' && e.resource.id === p));
    const withObs = (await client.search({ resourceType: 'Patient', searchParams: { _id: p, _revinclude: 'Observation:subject' } })) as Json;
    assert.equal(withObs.entry.filter((e: Json) => e.search.mode === 'include').length, 2);

    const posted = (await client.search({ resourceType: 'Patient', searchParams: { family: 'kit' }, options: { postSearch: true } })) as Json;
    same(ids(posted), [p]);
  });

  test('history: instance, type and system', async () => {
    const instance = (await client.history({ resourceType: 'Patient', id: made.patient! })) as Json;
    assert.equal(instance.type, 'history');
    assert.deepEqual(instance.entry.map((e: Json) => e.response.etag), ['W/"3"', 'W/"2"', 'W/"1"']);
    const type = (await client.history({ resourceType: 'Patient' })) as Json;
    assert.ok(type.entry.length >= 5);
    assert.ok(type.entry.every((e: Json) => e.fullUrl.includes('/Patient/')));
    const system = (await client.history()) as Json;
    assert.ok(system.entry.some((e: Json) => e.fullUrl.includes('/Claim/')));
  });

  test('transaction with urn:uuid references, batch, and $everything (GET and POST)', async () => {
    const tx = (await client.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:8c6f5a2e-1111-4a5e-9a4e-000000000001', resource: { resourceType: 'Patient', name: [{ family: 'Bundled' }] }, request: { method: 'POST', url: 'Patient' } },
          { resource: { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: 'urn:uuid:8c6f5a2e-1111-4a5e-9a4e-000000000001' } }, request: { method: 'POST', url: 'CarePlan' } },
        ],
      },
      options: { keepalive: false },
    })) as Json;
    assert.equal(tx.type, 'transaction-response');
    assert.ok(tx.entry.every((e: Json) => e.response.status.startsWith('201')));
    const patientId = tx.entry[0].response.location.split('/')[1] as string;
    const plans = (await client.search({ resourceType: 'CarePlan', searchParams: { subject: `Patient/${patientId}` } })) as Json;
    assert.equal(plans.entry.length, 1);

    const batch = (await client.batch({
      body: { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Patient/${patientId}` } }, { request: { method: 'GET', url: 'Patient/no-such-patient' } }] },
      options: { keepalive: false },
    })) as Json;
    assert.equal(batch.type, 'batch-response');
    assert.ok(batch.entry[0].response.status.startsWith('200'));
    assert.ok(batch.entry[1].response.status.startsWith('404'));

    const byPost = (await client.operation({ name: 'everything', resourceType: 'Patient', id: patientId })) as Json;
    assert.deepEqual(byPost.entry.map((e: Json) => e.resource.resourceType).sort(), ['CarePlan', 'Patient']);
    const byGet = (await client.operation({ name: 'everything', resourceType: 'Patient', id: made.patient!, method: 'GET', input: { _count: '2' } })) as Json;
    assert.equal(byGet.entry.length, 2);
    assert.ok(byGet.total > 2);
    const capped = (await client.operation({ name: 'everything', resourceType: 'Patient', id: made.patient!, method: 'GET', input: { _count: '100' } })) as Json;
    assert.equal(capped.entry.length, 4, "the node's max-everything-count cuts _count");
    assert.ok(capped.link.some((l: Json) => l.relation === 'next'));
    const paged = (await client.operation({ name: 'everything', resourceType: 'Patient', id: made.patient!, input: { resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Goal' }] } })) as Json;
    assert.ok(paged.entry.every((e: Json) => e.resource.resourceType === 'Goal'));
  });
});
