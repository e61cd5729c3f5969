import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseFhirPath } from '@medplum/core';
import { isDomainError } from '../../shared/errors.ts';
import { converterFor } from './convert.ts';
import { extractIndexValues, extractParam } from './extract.ts';
import { compiledParamsOf, isResourceType, searchParameter, type CompiledParam } from './searchParameters.ts';
import { MAX_DATE_MS, type IndexValue } from './types.ts';

const example = (file: string) => JSON.parse(readFileSync(new URL(`../../../node_modules/hl7.fhir.r4.examples/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const byCode = (resource: unknown) => Object.fromEntries(extractIndexValues(resource).map((p) => [p.param.code, p.values]));
const ms = (iso: string) => Date.parse(iso);

test('Patient: name parts, identifier, gender, birthdate, telecom, deceased, address', () => {
  const v = byCode(example('Patient-example.json'));
  assert.deepEqual(v.family, [{ kind: 'string', value: 'Chalmers' }, { kind: 'string', value: 'Windsor' }]);
  assert.deepEqual(v.given, [{ kind: 'string', value: 'Peter' }, { kind: 'string', value: 'James' }, { kind: 'string', value: 'Jim' }]);
  assert.deepEqual(v.identifier, [{ kind: 'token', system: 'urn:oid:1.2.36.146.595.217.0.1', code: '12345', ofType: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }]);
  assert.deepEqual(v.gender, [{ kind: 'token', code: 'male' }]);
  assert.deepEqual(v.birthdate, [{ kind: 'date', low: ms('1974-12-25T00:00:00Z'), high: ms('1974-12-26T00:00:00Z') }]);
  assert.deepEqual(v.deceased, [{ kind: 'token', code: 'false' }]);
  assert.deepEqual(v.phone, [{ kind: 'token', code: '(03) 5555 6473' }, { kind: 'token', code: '(03) 3410 5613' }, { kind: 'token', code: '(03) 5555 8834' }]);
  assert.equal(v.email, undefined);
  assert.deepEqual(v['address-city'], [{ kind: 'string', value: 'PleasantVille' }]);
  assert.deepEqual(v.organization, [{ kind: 'reference', reference: 'Organization/1', targetType: 'Organization', id: '1' }]);
  assert.deepEqual(v._id, [{ kind: 'token', code: 'example' }]);
  assert.equal(v['death-date'], undefined, 'absent values give no entry');
});

test('Observation: patient / subject, code, category, date, value-quantity, composites from components', () => {
  const v = byCode(example('Observation-blood-pressure.json'));
  assert.deepEqual(v.patient, [{ kind: 'reference', reference: 'Patient/example', targetType: 'Patient', id: 'example' }]);
  assert.deepEqual(v.category, [{ kind: 'token', system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', text: 'Vital Signs' }]);
  assert.deepEqual(v.date, [{ kind: 'date', low: ms('2012-09-17T00:00:00Z'), high: ms('2012-09-18T00:00:00Z') }]);
  assert.deepEqual(v['based-on'], [{ kind: 'reference', identifier: { kind: 'token', system: 'https://acme.org/identifiers', code: '1234' } }]);
  const composite = v['component-code-value-quantity'] as { kind: 'composite'; components: IndexValue[] }[];
  assert.equal(composite.length, 4);
  assert.deepEqual(composite[3], {
    kind: 'composite',
    components: [
      { kind: 'token', system: 'http://loinc.org', code: '8462-4', text: 'Diastolic blood pressure' },
      { kind: 'quantity', value: 60, low: 59.5, high: 60.5, system: 'http://unitsofmeasure.org', code: 'mm[Hg]', unit: 'mmHg' },
    ],
  });
  assert.equal(v['value-quantity'], undefined, 'the panel has no top-level value');
  assert.equal((v['combo-value-quantity'] as unknown[]).length, 2, 'combo includes component values');

  const glucose = byCode(example('Observation-f001.json'));
  assert.deepEqual(glucose['value-quantity'], [{ kind: 'quantity', value: 6.3, low: 6.25, high: 6.35, system: 'http://unitsofmeasure.org', code: 'mmol/L', unit: 'mmol/l' }]);
  // effectivePeriod with a start only: open to the future (search.html#date: "a missing upper boundary").
  assert.deepEqual(glucose.date, [{ kind: 'date', low: ms('2013-04-02T09:30:10+01:00'), high: MAX_DATE_MS }]);
});

test('Condition, Claim, Encounter, MedicationRequest, Procedure, DiagnosticReport: the US Core keys', () => {
  const cond = byCode(example('Condition-example.json'));
  assert.deepEqual(cond['clinical-status'], [{ kind: 'token', system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }]);
  assert.deepEqual(cond.patient, [{ kind: 'reference', reference: 'Patient/example', targetType: 'Patient', id: 'example' }]);
  assert.deepEqual(cond['onset-date'], [{ kind: 'date', low: ms('2012-05-24T00:00:00Z'), high: ms('2012-05-25T00:00:00Z') }]);

  const claim = byCode(example('Claim-100150.json'));
  assert.deepEqual(claim.patient, [{ kind: 'reference', reference: 'Patient/1', targetType: 'Patient', id: '1' }]);
  assert.deepEqual(claim.use, [{ kind: 'token', code: 'claim' }]);

  const enc = byCode(example('Encounter-example.json'));
  assert.deepEqual(enc.class, [{ kind: 'token', system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', text: 'inpatient encounter' }]);

  const mr = byCode(example('MedicationRequest-medrx0302.json'));
  assert.deepEqual(mr.intent, [{ kind: 'token', code: 'order' }]);
  assert.ok(mr.authoredon);

  const proc = byCode(example('Procedure-example.json'));
  assert.deepEqual(proc.date, [{ kind: 'date', low: ms('2013-04-05T00:00:00Z'), high: ms('2013-04-06T00:00:00Z') }]);

  const dr = byCode(example('DiagnosticReport-f201.json'));
  assert.ok(dr.category && dr.code && dr.date && dr.patient, 'US Core DiagnosticReport keys present');
});

test('Bundle composition / message parameters index the nested first resource', () => {
  const bundle = { resourceType: 'Bundle', type: 'document', entry: [{ resource: { resourceType: 'Composition', id: 'c1' } }, { resource: { resourceType: 'Patient', id: 'p' } }] };
  assert.deepEqual(byCode(bundle).composition, [{ kind: 'reference', reference: 'Composition/c1', targetType: 'Composition', id: 'c1' }]);
});

test('values are de-duplicated within a parameter; contained resources are not indexed', () => {
  const v = byCode({
    resourceType: 'Patient',
    name: [{ given: ['Ann'] }, { given: ['Ann'], family: 'Lee' }],
    contained: [{ resourceType: 'Patient', id: 'x', name: [{ family: 'Hidden' }] }],
  });
  assert.deepEqual(v.given, [{ kind: 'string', value: 'Ann' }]);
  assert.deepEqual(v.family, [{ kind: 'string', value: 'Lee' }]);
  // Long lists are de-duplicated by key (a pairwise pass would be quadratic on a 6,000-code ValueSet).
  const many = byCode({ resourceType: 'Patient', name: Array.from({ length: 12 }, (_, i) => ({ given: ['A', `B${i % 3}`] })) });
  assert.deepEqual(many.given, ['A', 'B0', 'B1', 'B2'].map((value) => ({ kind: 'string', value })));
  const codes = byCode({ resourceType: 'Observation', code: { coding: Array.from({ length: 20 }, (_, i) => ({ system: 's', code: `c${i % 10}` })) } });
  assert.equal(codes.code!.length, 10);
});

test('local bases: absolute references to this node index as Type/id', () => {
  const obs = { resourceType: 'Observation', subject: { reference: 'https://node.example/fhir/Patient/7' } };
  const local = extractIndexValues(obs, { localBases: ['https://node.example/fhir'] }).find((p) => p.param.code === 'patient')!.values;
  assert.deepEqual(local, [{ kind: 'reference', reference: 'Patient/7', targetType: 'Patient', id: '7' }]);
  const remote = extractIndexValues(obs).find((p) => p.param.code === 'patient')!.values;
  assert.deepEqual(remote, [{ kind: 'reference', reference: 'https://node.example/fhir/Patient/7', targetType: 'Patient', id: '7' }]);
});

test('extractParam: one parameter, and the FHIRPath fallback for expressions outside the compiled subset', () => {
  const pat = example('Patient-example.json');
  const compiled = compiledParamsOf('Patient')!.find((p) => p.def.code === 'birthdate')!;
  assert.deepEqual(extractParam(compiled, pat), [{ kind: 'date', low: ms('1974-12-25T00:00:00Z'), high: ms('1974-12-26T00:00:00Z') }]);
  const def = { ...searchParameter('Patient', 'given')!, code: 'first-given', expression: 'Patient.name.given.first()', evaluation: 'fhirpath' as const };
  const fallback: CompiledParam = { def, kind: 'fhirpath', atom: parseFhirPath(def.expression), convert: (t) => converterFor('string', t, isResourceType(t)) };
  assert.deepEqual(extractParam(fallback, pat), [{ kind: 'string', value: 'Peter' }]);
  assert.throws(() => extractParam(compiled, { resourceType: 'Observation' }), (e) => isDomainError(e, 'invalid'));
});

test('not a resource → DomainError invalid', () => {
  for (const bad of [null, 'x', [], {}, { resourceType: 'Nope' }, { resourceType: 42 }]) {
    assert.throws(() => extractIndexValues(bad), (e) => isDomainError(e, 'invalid'), JSON.stringify(bad));
  }
});
