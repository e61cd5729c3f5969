/**
 * FHIR search and the RESTful API against a real node (HTTP, SQLite, Anvil): each search parameter
 * type with its modifiers and prefixes, the common parameters, chains, `_has`, includes, sorting,
 * paging and totals, and every interaction beyond read/create (conditional create / update / delete,
 * JSON Patch, type and system history, Prefer, formats, search by POST), the Bundle caps and the
 * paged `$everything`. Every search result is checked against the criterion it answered
 * (`criterionMatches` on the decrypted resource), so a blinded-index false positive cannot pass.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EmbeddedChain } from '../src/chain/embedded.ts';
import { parseSearch, type ParamCriterion } from '../src/fhir/search/index.ts';
import type { RunningNode } from '../src/node/start.ts';
import { criterionMatches } from '../src/records/search/match.ts';
import { parseRequest, SearchEngine } from '../src/records/search/engine.ts';
import { startTestNode, tempDir } from './helpers/env.ts';

const tmp = tempDir();
let chain: EmbeddedChain;
let node: RunningNode;
let token: string;

async function fhir(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${node.url}/fhir${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
}

async function create(resource: Record<string, unknown>): Promise<any> {
  const r = await fhir('POST', `/${resource.resourceType}`, resource);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

/** Runs a search, checks every match against every simple criterion, returns the matched ids. */
async function search(type: string, query: string, opts: { check?: boolean } = {}): Promise<string[]> {
  const r = await fhir('GET', `/${type}?${query}`);
  assert.equal(r.status, 200, `${type}?${query}: ${JSON.stringify(r.body)}`);
  const matches = (r.body.entry ?? []).filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource);
  if (opts.check !== false) {
    const parsed = parseRequest(type, new URLSearchParams(query));
    for (const c of parsed.criteria) {
      if (c.kind !== 'param' && c.kind !== 'missing') continue;
      for (const m of matches) assert.ok(criterionMatches(c as ParamCriterion, m), `${type}?${query}: ${m.id} does not match ${c.name}`);
    }
  }
  return matches.map((m: any) => m.id);
}

const ids: Record<string, string> = {};

before(async () => {
  ({ chain, node, token } = await startTestNode(tmp.dir, 'search-hospital', { maxBundleEntries: 20, maxBundleBytes: 200_000 }));
  const pr = await create({ resourceType: 'Practitioner', name: [{ family: 'House', given: ['Gregory'] }], identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' }] });
  ids.pr = pr.id;
  const p1 = await create({
    resourceType: 'Patient',
    identifier: [{ system: 'urn:mrn', value: 'MRN-1', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] } }],
    name: [{ family: 'Carreño Quiñones', given: ['María', 'José'] }],
    gender: 'female',
    birthDate: '1980-04-02',
    address: [{ line: ['1 Main St'], city: 'Boston', postalCode: '02118' }],
    generalPractitioner: [{ reference: `Practitioner/${pr.id}` }],
    meta: { tag: [{ system: 'urn:test', code: 'cohort-a' }], profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'] },
  });
  ids.p1 = p1.id;
  ids.p2 = (await create({ resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'MRN-2' }], name: [{ family: "O'Brien", given: ['Seán'] }], gender: 'male', birthDate: '1975-12-31', address: [{ city: 'Cambridge' }] })).id;
  ids.p3 = (await create({ resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'MRN-3' }], name: [{ family: 'Vanderberghe-Oosterhuis', given: ['Jan'] }], gender: 'male', birthDate: '2001' })).id;
  const obs = (p: string, code: string, display: string, date: string, extra: Record<string, unknown>) => ({
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: code === '2339-0' ? 'laboratory' : 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code, display }], text: display },
    subject: { reference: `Patient/${p}` },
    effectiveDateTime: date,
    ...extra,
  });
  ids.hr1 = (await create(obs(p1.id, '8867-4', 'Heart rate', '2024-01-10T10:00:00Z', { valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' } }))).id;
  ids.bp1 = (
    await create(
      obs(p1.id, '85354-9', 'Blood pressure panel', '2024-03-05', {
        component: [
          { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 120, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
          { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 80, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
        ],
      }),
    )
  ).id;
  ids.glu1 = (await create(obs(p1.id, '2339-0', 'Glucose', '2023-12-31', { valueQuantity: { value: 5.4, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' }, status: 'amended' }))).id;
  ids.hr2 = (await create(obs(ids.p2!, '8867-4', 'Heart rate', '2024-02-01', { valueQuantity: { value: 100, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' } }))).id;
  ids.c1 = (
    await create({
      resourceType: 'Condition',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
      code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes mellitus type 2' }] },
      subject: { reference: `Patient/${p1.id}` },
      onsetDateTime: '2020',
    })
  ).id;
  ids.c2 = (
    await create({
      resourceType: 'Condition',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
      code: { coding: [{ system: 'http://snomed.info/sct', code: '86406008', display: 'Human immunodeficiency virus infection' }] },
      subject: { reference: `Patient/${ids.p2}` },
    })
  ).id;
  ids.mr1 = (
    await create({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975' }] }, subject: { reference: `Patient/${p1.id}` }, authoredOn: '2024-01-10' })
  ).id;
  ids.e1 = (
    await create({ resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: `Patient/${p1.id}` }, participant: [{ individual: { reference: `Practitioner/${pr.id}` } }], period: { start: '2024-01-10T09:00:00Z', end: '2024-01-10T11:00:00Z' } })
  ).id;
  ids.doc = (await create({ resourceType: 'DocumentReference', status: 'current', description: 'Discharge summary after cardiology review', subject: { reference: `Patient/${p1.id}` }, content: [{ attachment: { contentType: 'text/plain', data: 'SGVsbG8=' } }] })).id;
  ids.vs = (await create({ resourceType: 'ValueSet', status: 'active', url: 'http://example.org/fhir/ValueSet/heart/rates', name: 'HeartRates' })).id;
  ids.loc = (await create({ resourceType: 'Location', name: 'Boston clinic', position: { latitude: 42.3601, longitude: -71.0589 } })).id;
  ids.far = (await create({ resourceType: 'Location', name: 'Paris clinic', position: { latitude: 48.8566, longitude: 2.3522 } })).id;
  ids.risk = (await create({ resourceType: 'RiskAssessment', status: 'final', subject: { reference: `Patient/${p1.id}` }, prediction: [{ probabilityDecimal: 0.7 }] })).id;
  ids.group = (await create({ resourceType: 'Group', type: 'person', actual: true, member: [{ entity: { reference: `Patient/${p1.id}` } }, { entity: { reference: `Patient/${ids.p2}` } }] })).id;
});
after(async () => {
  await node?.stop();
  await chain?.stop();
  tmp.remove();
});

const same = (a: string[], b: string[]) => assert.deepEqual([...a].sort(), [...b].sort());

describe('search parameter types', () => {
  test('token: code, system|code, |code, system|, :not, :text, identifier, :of-type, boolean', async () => {
    same(await search('Observation', 'code=8867-4'), [ids.hr1!, ids.hr2!]);
    same(await search('Observation', 'code=http://loinc.org|8867-4'), [ids.hr1!, ids.hr2!]);
    same(await search('Observation', 'code=http://snomed.info/sct|8867-4'), []);
    same(await search('Observation', 'code=|8867-4'), []);
    same(await search('Observation', `subject=${ids.p1}&code=http://loinc.org|`), [ids.hr1!, ids.bp1!, ids.glu1!]);
    same(await search('Observation', `subject=${ids.p1}&status:not=final`), [ids.glu1!]);
    same(await search('Observation', `subject=${ids.p1}&code:text=heart`), [ids.hr1!]);
    same(await search('Patient', 'identifier=urn:mrn|MRN-1'), [ids.p1!]);
    same(await search('Patient', 'identifier=MRN-2'), [ids.p2!]);
    same(await search('Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|MRN-1'), [ids.p1!]);
    same(await search('Patient', 'gender=male&identifier=MRN-2,MRN-3'), [ids.p2!, ids.p3!]);
    same(await search('Group', 'actual=true'), [ids.group!]);
  });

  test('reference: id, Type/id, :[type], :identifier-less chains, _has', async () => {
    same(await search('Observation', `subject=Patient/${ids.p1}`), [ids.hr1!, ids.bp1!, ids.glu1!]);
    same(await search('Observation', `patient=${ids.p2}`), [ids.hr2!]);
    same(await search('Observation', `subject:Patient=${ids.p2}`), [ids.hr2!]);
    same(await search('Encounter', `participant=Practitioner/${ids.pr}`), [ids.e1!]);
    same(await search('Observation', 'subject:Patient.name=carreno&code=8867-4', { check: false }), [ids.hr1!]);
    same(await search('Observation', 'patient.birthdate=1975-12-31', { check: false }), [ids.hr2!]);
    same(await search('Patient', '_has:Observation:patient:code=85354-9', { check: false }), [ids.p1!]);
    same(await search('Patient', '_has:Condition:patient:code=86406008', { check: false }), [ids.p2!]);
    same(await search('Patient', 'general-practitioner:Practitioner.name=house', { check: false }), [ids.p1!]);
  });

  test('date: every prefix, precision, instants and periods', async () => {
    const p1 = `subject=${ids.p1}`;
    same(await search('Observation', `${p1}&date=2024-01-10`), [ids.hr1!]);
    same(await search('Observation', `${p1}&date=2024-01`), [ids.hr1!]);
    same(await search('Observation', `${p1}&date=2024`), [ids.hr1!, ids.bp1!]);
    same(await search('Observation', `${p1}&date=ge2024-01-01`), [ids.hr1!, ids.bp1!]);
    same(await search('Observation', `${p1}&date=gt2024-01-10`), [ids.bp1!]);
    same(await search('Observation', `${p1}&date=lt2024-01-01`), [ids.glu1!]);
    same(await search('Observation', `${p1}&date=le2024-01-10`), [ids.hr1!, ids.glu1!]);
    same(await search('Observation', `${p1}&date=ne2024-01-10`), [ids.bp1!, ids.glu1!]);
    same(await search('Observation', `${p1}&date=sa2024-01-10`), [ids.bp1!]);
    same(await search('Observation', `${p1}&date=eb2024-01-01`), [ids.glu1!]);
    same(await search('Observation', `${p1}&date=ge2024-01-01&date=le2024-02-01`), [ids.hr1!]);
    same(await search('Observation', `${p1}&date=2024-01-10T10:00:00Z`), [ids.hr1!]);
    same(await search('Observation', `${p1}&date=2024-01-10T12:00:00%2B02:00`), [ids.hr1!]);
    same(await search('Encounter', 'date=2024-01-10T10:30:00Z'), []);
    same(await search('Encounter', 'date=ap2024-01-10'), [ids.e1!]);
    same(await search('Patient', 'birthdate=2001'), [ids.p3!]);
    same(await search('Patient', 'birthdate=lt1980-01-01'), [ids.p2!]);
    same(await search('Condition', `subject=${ids.p1}&onset-date=2020`), [ids.c1!]);
  });

  test('string: normalised prefix (case, accents, punctuation, each word), :exact, :contains, long queries, non-name strings', async () => {
    same(await search('Patient', 'name=carreno'), [ids.p1!]);
    same(await search('Patient', 'family=QUIÑ'), [ids.p1!]);
    same(await search('Patient', 'given=jose'), [ids.p1!]);
    same(await search('Patient', 'family=obrien'), [ids.p2!]);
    same(await search('Patient', "family=O'Brien"), [ids.p2!]);
    same(await search('Patient', 'family:exact=Carreño Quiñones'), [ids.p1!]);
    same(await search('Patient', 'family:exact=carreño quiñones'), []);
    same(await search('Patient', 'family:contains=rien'), [ids.p2!]);
    same(await search('Patient', 'name:contains=ose'), [ids.p1!]);
    same(await search('Patient', 'family=vanderberghe-oosterhuis'), [ids.p3!]);
    same(await search('Patient', 'family=vanderbergheX'), []);
    same(await search('Patient', 'address-city=bost'), [ids.p1!]);
    same(await search('Patient', 'address=cambridge'), [ids.p2!]);
    same(await search('DocumentReference', `subject=${ids.p1}&description=discharge`), [ids.doc!]);
    same(await search('DocumentReference', `subject=${ids.p1}&description:contains=cardio`), [ids.doc!]);
    same(await search('Location', 'name=bos'), [ids.loc!]);
  });

  test('quantity and number: prefixes, units', async () => {
    same(await search('Observation', 'value-quantity=72'), [ids.hr1!]);
    same(await search('Observation', 'value-quantity=gt99'), [ids.hr2!]);
    same(await search('Observation', 'value-quantity=5.4|http://unitsofmeasure.org|mmol/L'), [ids.glu1!]);
    same(await search('Observation', 'value-quantity=5.4||mmol/L'), [ids.glu1!]);
    same(await search('Observation', 'value-quantity=5.4|http://unitsofmeasure.org|mg'), []);
    same(await search('Observation', 'value-quantity=le72&code=8867-4'), [ids.hr1!]);
    same(await search('Observation', 'component-value-quantity=gt115'), [ids.bp1!]);
    same(await search('RiskAssessment', 'probability=gt0.5'), [ids.risk!]);
    same(await search('RiskAssessment', 'probability=lt0.5'), []);
  });

  test('uri (:below, :above), composite, special (near), :missing', async () => {
    same(await search('ValueSet', 'url=http://example.org/fhir/ValueSet/heart/rates'), [ids.vs!]);
    same(await search('ValueSet', 'url:below=http://example.org/fhir/ValueSet'), [ids.vs!]);
    same(await search('ValueSet', 'url:above=http://example.org/fhir/ValueSet/heart/rates/v2'), [ids.vs!]);
    same(await search('ValueSet', 'url=http://example.org/fhir/ValueSet'), []);
    same(await search('Observation', 'code-value-quantity=http://loinc.org|8867-4$gt70'), [ids.hr1!, ids.hr2!]);
    same(await search('Observation', 'code-value-quantity=8867-4$gt80'), [ids.hr2!]);
    same(await search('Observation', 'component-code-value-quantity=http://loinc.org|8480-6$120'), [ids.bp1!]);
    same(await search('Observation', 'component-code-value-quantity=8462-4$gt100'), []);
    same(await search('Location', `_id=${ids.loc},${ids.far}&near=42.36|-71.06|10|km`), [ids.loc!]);
    same(await search('Observation', `subject=${ids.p1}&value-quantity:missing=true`), [ids.bp1!]);
    same(await search('Observation', `subject=${ids.p1}&value-quantity:missing=false`), [ids.hr1!, ids.glu1!]);
  });

  test('_id, _lastUpdated, _tag, _profile, _security (labels added at write time)', async () => {
    same(await search('Patient', `_id=${ids.p1},${ids.p3}`), [ids.p1!, ids.p3!]);
    same(await search('Patient', '_tag=urn:test|cohort-a'), [ids.p1!]);
    same(await search('Patient', '_profile=http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'), [ids.p1!]);
    same(await search('Condition', '_security=http://terminology.hl7.org/CodeSystem/v3-ActCode|HIV'), [ids.c2!]);
    same(await search('Condition', '_security=R'), [ids.c2!]);
    assert.ok((await search('Observation', `_lastUpdated=ge${new Date(Date.now() - 3_600_000).toISOString()}`)).length >= 4);
    same(await search('Observation', '_lastUpdated=lt2000-01-01'), []);
  });
});

describe('results: includes, sort, paging, totals, summary', () => {
  test('_include, _revinclude, :iterate', async () => {
    const inc = await fhir('GET', `/MedicationRequest?_id=${ids.mr1}&_include=MedicationRequest:subject&_include:iterate=Patient:general-practitioner`);
    assert.deepEqual(
      inc.body.entry.map((e: any) => `${e.search.mode}:${e.resource.resourceType}`),
      ['match:MedicationRequest', 'include:Patient', 'include:Practitioner'],
    );
    const rev = await fhir('GET', `/Patient?_id=${ids.p2}&_revinclude=Observation:subject&_revinclude=Condition:subject`);
    assert.deepEqual(rev.body.entry.map((e: any) => `${e.search.mode}:${e.resource.resourceType}/${e.resource.id}`).sort(), [`include:Condition/${ids.c2}`, `include:Observation/${ids.hr2}`, `match:Patient/${ids.p2}`]);
    assert.equal(rev.body.total, 1, 'total counts matches only');
  });

  test('_sort: dates both ways, several keys, names by encrypted keys, _lastUpdated; tokens refused', async () => {
    assert.deepEqual(await search('Observation', `subject=${ids.p1}&_sort=date`), [ids.glu1, ids.hr1, ids.bp1]);
    assert.deepEqual(await search('Observation', `subject=${ids.p1}&_sort=-date`), [ids.bp1, ids.hr1, ids.glu1]);
    assert.deepEqual(await search('Patient', `_id=${ids.p1},${ids.p2},${ids.p3}&_sort=family`), [ids.p1, ids.p2, ids.p3]);
    assert.deepEqual(await search('Patient', `_id=${ids.p1},${ids.p2},${ids.p3}&_sort=-family`), [ids.p3, ids.p2, ids.p1]);
    assert.deepEqual(await search('Patient', `_id=${ids.p1},${ids.p2},${ids.p3}&_sort=-birthdate,family`), [ids.p3, ids.p1, ids.p2]);
    assert.deepEqual(await search('Observation', `subject=${ids.p1}&_sort=-_lastUpdated`), [ids.glu1, ids.bp1, ids.hr1]);
    const refused = await fhir('GET', '/Observation?_sort=code');
    assert.equal(refused.status, 400);
    assert.match(refused.body.issue[0].diagnostics, /_sort by "code" \(token\) is not supported/);
  });

  test('_count with next / previous links, _total, _summary (count, true), _elements', async () => {
    const page = await fhir('GET', `/Observation?subject=${ids.p1}&_count=2&_sort=date`);
    assert.equal(page.body.total, 3);
    assert.equal(page.body.entry.length, 2);
    const next = page.body.link.find((l: any) => l.relation === 'next').url as string;
    const page2 = await fhir('GET', next.slice(next.indexOf('/fhir') + 5));
    assert.deepEqual(page2.body.entry.map((e: any) => e.resource.id), [ids.bp1]);
    assert.ok(page2.body.link.some((l: any) => l.relation === 'previous'));
    assert.ok(!page2.body.link.some((l: any) => l.relation === 'next'));
    assert.equal((await fhir('GET', `/Observation?subject=${ids.p1}&_total=none`)).body.total, undefined);
    const count = await fhir('GET', `/Observation?subject=${ids.p1}&_summary=count`);
    assert.equal(count.body.total, 3);
    assert.equal(count.body.entry.length, 0);
    const summary = await fhir('GET', `/Patient?_id=${ids.p1}&_summary=true`);
    assert.equal(summary.body.entry[0].resource.generalPractitioner, undefined, 'generalPractitioner is not a summary element of Patient');
    assert.ok(summary.body.entry[0].resource.meta.tag.some((t: any) => t.code === 'SUBSETTED'));
    const elements = await fhir('GET', `/Patient?_id=${ids.p1}&_elements=gender`);
    assert.equal(elements.body.entry[0].resource.gender, 'female');
    assert.equal(elements.body.entry[0].resource.name, undefined);
  });

  test('what is not supported is a clear 400; a search that would decrypt too much is refused', async () => {
    const cases: [string, RegExp][] = [
      ['/Observation?nonsense=1', /Unknown search parameter "nonsense" for Observation\. Supported: .*code/],
      ['/Observation?code:below=1', /Modifier ":below" .* is not supported/],
      ['/Patient?phonetic=smith', /phonetic matching is not supported/],
      ['/Observation?_filter=x', /_filter .* is not supported/],
      ['/Observation?date=yesterday', /not a FHIR date/],
      ['/Observation?subject.subject.name=x', /chains deeper than one level/],
    ];
    for (const [q, re] of cases) {
      const r = await fhir('GET', q);
      assert.equal(r.status, 400, q);
      assert.match(r.body.issue[0].diagnostics, re, q);
    }
    const engine = new SearchEngine(node.services.store, { confirmCandidates: 2, sortCandidates: 10, estimateCap: 2, maxOffset: 100 });
    await assert.rejects(engine.search(node.services.storage, parseSearch('Observation', new URLSearchParams('code:text=rate'))), /would have to decrypt and check more than 2 resources/);
  });
});

describe('RESTful interactions', () => {
  test('conditional create (If-None-Exist): creates once, then returns the match; several matches are 412', async () => {
    const body = { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'MRN-COND' }], name: [{ family: 'Conditional' }] };
    const first = await fhir('POST', '/Patient', body, { 'if-none-exist': 'identifier=urn:mrn|MRN-COND' });
    assert.equal(first.status, 201);
    const second = await fhir('POST', '/Patient', body, { 'if-none-exist': 'identifier=urn:mrn|MRN-COND' });
    assert.equal(second.status, 200);
    assert.equal(second.body.id, first.body.id);
    same(await search('Patient', 'identifier=urn:mrn|MRN-COND'), [first.body.id]);
    const many = await fhir('POST', '/Patient', body, { 'if-none-exist': 'gender=male' });
    assert.equal(many.status, 412);
    const bad = await fhir('POST', '/Patient', body, { 'if-none-exist': 'bogus=1' });
    assert.equal(bad.status, 400, 'an unknown parameter never means "match all"');
  });

  test('conditional update and delete', async () => {
    const body = { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'MRN-CU' }], name: [{ family: 'Upserted' }], gender: 'other' };
    const created = await fhir('PUT', '/Patient?identifier=urn:mrn|MRN-CU', body);
    assert.equal(created.status, 201);
    const updated = await fhir('PUT', '/Patient?identifier=urn:mrn|MRN-CU', { ...body, gender: 'unknown' });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.id, created.body.id);
    assert.equal(updated.body.meta.versionId, '2');
    assert.equal((await fhir('PUT', '/Patient?gender=male', body)).status, 412);
    assert.equal((await fhir('DELETE', '/Patient?identifier=urn:mrn|MRN-CU')).status, 204);
    assert.equal((await fhir('GET', `/Patient/${created.body.id}`)).status, 410);
    assert.equal((await fhir('DELETE', '/Patient')).status, 400);
  });

  test('JSON Patch; other patch formats are 415; a failed test is 422', async () => {
    const p = await create({ resourceType: 'Patient', name: [{ family: 'Patchy' }], gender: 'male' });
    const patch = [{ op: 'replace', path: '/gender', value: 'female' }, { op: 'add', path: '/birthDate', value: '1990-01-01' }];
    const r = await fhir('PATCH', `/Patient/${p.id}`, JSON.stringify(patch), { 'content-type': 'application/json-patch+json', 'if-match': 'W/"1"' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.gender, 'female');
    assert.equal(r.body.meta.versionId, '2');
    assert.equal((await fhir('PATCH', `/Patient/${p.id}`, JSON.stringify(patch), { 'content-type': 'application/json-patch+json', 'if-match': 'W/"1"' })).status, 412);
    assert.equal((await fhir('PATCH', `/Patient/${p.id}`, JSON.stringify([{ op: 'test', path: '/gender', value: 'male' }]), { 'content-type': 'application/json-patch+json' })).status, 422);
    assert.equal((await fhir('PATCH', `/Patient/${p.id}`, JSON.stringify([{ op: 'add', path: '/birthDate', value: 19900101 }]), { 'content-type': 'application/json-patch+json' })).status, 400);
    assert.equal((await fhir('PATCH', `/Patient/${p.id}`, { resourceType: 'Parameters' })).status, 415);
  });

  test('type and system _history, paged, with _since; every patient returned is audited', async () => {
    const since = new Date().toISOString();
    const p = await create({ resourceType: 'Patient', name: [{ family: 'Historic' }] });
    await fhir('PUT', `/Patient/${p.id}`, { ...p, gender: 'female' });
    const type = await fhir('GET', `/Patient/_history?_since=${since}`);
    assert.equal(type.status, 200);
    assert.deepEqual(type.body.entry.map((e: any) => e.response.etag), ['W/"2"', 'W/"1"']);
    const paged = await fhir('GET', `/Patient/_history?_count=1`);
    assert.equal(paged.body.entry.length, 1);
    assert.ok(paged.body.link.some((l: any) => l.relation === 'next'));
    const system = await fhir('GET', `/_history?_since=${since}&_count=10`);
    assert.ok(system.body.entry.length >= 2);
    const entries = await fetch(`${node.url}/api/audit/entries?patient=${p.id}`, { headers: { authorization: `Bearer ${token}` } });
    const list = JSON.stringify(await entries.json());
    assert.match(list, /history-type/, 'type history audited for the patient whose versions it returned');
    assert.match(list, /history-system/, 'system history too');
  });

  test('Prefer return=minimal | representation | OperationOutcome; _format; 406 for XML; 415 for XML bodies; POST _search', async () => {
    const body = { resourceType: 'Patient', name: [{ family: 'Preferred' }] };
    const minimal = await fhir('POST', '/Patient', body, { prefer: 'return=minimal' });
    assert.equal(minimal.status, 201);
    assert.equal(minimal.body, undefined);
    assert.match(minimal.headers.get('location')!, /\/fhir\/Patient\/[0-9a-f-]{36}\/_history\/1$/);
    const oo = await fhir('POST', '/Patient', body, { prefer: 'return=OperationOutcome' });
    assert.equal(oo.body.resourceType, 'OperationOutcome');
    assert.equal((await fhir('POST', '/Patient', body, { prefer: 'return=representation' })).body.resourceType, 'Patient');
    assert.equal((await fhir('GET', `/Patient/${ids.p1}?_format=json`)).status, 200);
    assert.equal((await fhir('GET', `/Patient/${ids.p1}?_format=xml`)).status, 406);
    assert.equal((await fhir('GET', `/Patient/${ids.p1}`, undefined, { accept: 'application/fhir+xml' })).status, 406);
    assert.equal((await fhir('POST', '/Patient', '<Patient xmlns="http://hl7.org/fhir"/>', { 'content-type': 'application/fhir+xml' })).status, 415);
    const posted = await fetch(`${node.url}/fhir/Patient/_search?gender=female`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'family=carreno',
    });
    const bundle = (await posted.json()) as any;
    assert.deepEqual(bundle.entry.map((e: any) => e.resource.id), [ids.p1]);
  });
});

describe('$everything and Bundle caps', () => {
  test('$everything is paged (_count, next links), filtered by _since and _type, and covers every compartment type', async () => {
    const all = await fhir('GET', `/Patient/${ids.p1}/$everything`);
    const types = new Set(all.body.entry.map((e: any) => e.resource.resourceType));
    for (const t of ['Patient', 'Observation', 'Condition', 'MedicationRequest', 'Encounter', 'DocumentReference', 'RiskAssessment', 'Group']) assert.ok(types.has(t), t);
    assert.equal(all.body.entry[0].resource.resourceType, 'Patient');
    const page = await fhir('GET', `/Patient/${ids.p1}/$everything?_count=3`);
    assert.equal(page.body.entry.length, 3);
    assert.equal(page.body.total, all.body.total);
    const next = page.body.link.find((l: any) => l.relation === 'next').url as string;
    const page2 = await fhir('GET', next.slice(next.indexOf('/fhir') + 5));
    assert.equal(page2.body.entry.length, 3);
    assert.notEqual(page2.body.entry[0].resource.id, page.body.entry[0].resource.id);
    const obsOnly = await fhir('GET', `/Patient/${ids.p1}/$everything?_type=Observation`);
    assert.equal(obsOnly.body.total, 3);
    const since = await fhir('GET', `/Patient/${ids.p1}/$everything?_since=${new Date(Date.now() + 60_000).toISOString()}`);
    assert.equal(since.body.total, 0);
    // The Group of two patients is in both compartments.
    const p2 = await fhir('GET', `/Patient/${ids.p2}/$everything`);
    assert.ok(p2.body.entry.some((e: any) => e.resource.id === ids.group));
  });

  test('a transaction over the entry or byte cap is 413 and stores nothing', async () => {
    const before = await node.services.store.versionCount();
    const entries = (n: number, pad = 0) =>
      Array.from({ length: n }, (_, i) => ({ resource: { resourceType: 'Basic', code: { text: `x${i}${'y'.repeat(pad)}` } }, request: { method: 'POST', url: 'Basic' } }));
    const tooMany = await fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry: entries(21) });
    assert.equal(tooMany.status, 413);
    assert.match(tooMany.body.issue[0].diagnostics, /at most 20 entries/);
    const tooBig = await fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry: entries(10, 25_000) });
    assert.equal(tooBig.status, 413);
    assert.equal(await node.services.store.versionCount(), before, 'nothing stored');
    assert.equal((await fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry: entries(20) })).status, 200);
  });
});
