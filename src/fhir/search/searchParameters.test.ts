import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  resourceTypes,
  restrictExpression,
  searchParameter,
  searchParameterCodes,
  searchParametersOf,
  skippedSearchParameters,
} from './searchParameters.ts';
import { PREFIXES } from './types.ts';

test('every R4 resource type has its parameters, with the common ones', () => {
  let total = 0;
  for (const type of resourceTypes()) {
    const params = searchParametersOf(type);
    assert.ok(params, type);
    total += params.length;
    const codes = searchParameterCodes(type);
    assert.deepEqual(codes, [...codes].sort(), `${type} alphabetical`);
    assert.equal(new Set(codes).size, codes.length, `${type} unique codes`);
    for (const common of ['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source', '_content', '_query']) {
      assert.ok(codes.includes(common), `${type}.${common}`);
    }
    assert.equal(codes.includes('_text'), !['Binary', 'Bundle', 'Parameters'].includes(type), `${type}._text`);
    for (const p of params) {
      assert.equal(searchParameter(type, p.code), p, 'O(1) lookup returns the same definition');
      assert.equal(p.resourceType, type);
    }
  }
  // 1,378 definitions in the bundle, multi-base ones counted once per type, Resource ones 146 times.
  assert.ok(total > 2900 && total < 3100, `total ${total}`);
  assert.equal(searchParametersOf('Nope'), undefined);
  assert.equal(searchParameter('Patient', 'nope'), undefined);
  assert.deepEqual(searchParameterCodes('Nope'), []);
});

test('every expression of R4 compiles to direct accessors; none is left out', () => {
  assert.deepEqual(skippedSearchParameters(), []);
  for (const type of resourceTypes()) {
    for (const p of searchParametersOf(type)!) {
      if (['_text', '_content', '_query'].includes(p.code)) {
        assert.equal(p.indexed, false);
        assert.equal(p.evaluation, 'none');
      } else {
        assert.equal(p.evaluation, 'compiled', `${type}.${p.code}: ${p.expression}`);
        assert.equal(p.indexed, true, `${type}.${p.code}`);
      }
    }
  }
});

test('restrictExpression: the parts of a multi-base expression that apply to one type', () => {
  const rows: [string, string, string | undefined][] = [
    ['AllergyIntolerance.code | AllergyIntolerance.reaction.substance | Condition.code | Procedure.code', 'Condition', 'Condition.code'],
    ['AllergyIntolerance.code | AllergyIntolerance.reaction.substance | Condition.code', 'AllergyIntolerance', 'AllergyIntolerance.code | AllergyIntolerance.reaction.substance'],
    ['Resource.meta.lastUpdated', 'Patient', 'Resource.meta.lastUpdated'],
    ['name | alias', 'InsurancePlan', 'name | alias'],
    ['(ActivityDefinition.useContext.value as CodeableConcept) | (CodeSystem.useContext.value as CodeableConcept)', 'CodeSystem', '(CodeSystem.useContext.value as CodeableConcept)'],
    ["Patient.telecom.where(system='a|b') | Person.telecom", 'Patient', "Patient.telecom.where(system='a|b')"],
    ['Condition.code', 'Patient', undefined],
  ];
  for (const [expr, type, want] of rows) assert.equal(restrictExpression(expr, type), want, `${type}: ${expr}`);
  assert.equal(searchParameter('Condition', 'code')!.expression, 'Condition.code');
  assert.equal(searchParameter('Observation', 'patient')!.expression, 'Observation.subject.where(resolve() is Patient)');
});

test('types, targets, components, modifiers and prefixes', () => {
  const patient = searchParameter('Observation', 'patient')!;
  assert.equal(patient.type, 'reference');
  assert.deepEqual(patient.targets, ['Patient']);
  assert.deepEqual(patient.modifiers, ['missing', 'type', 'identifier']);
  assert.deepEqual(patient.unsupportedModifiers, ['above', 'below']);
  assert.deepEqual(patient.prefixes, []);
  assert.deepEqual(searchParameter('Observation', 'subject')!.targets, ['Device', 'Group', 'Location', 'Patient']);

  const combo = searchParameter('Observation', 'combo-code-value-quantity')!;
  assert.equal(combo.type, 'composite');
  assert.equal(combo.expression, 'Observation | Observation.component');
  assert.deepEqual(combo.components!.map((c) => [c.code, c.type, c.expression]), [
    ['combo-code', 'token', 'code'],
    ['combo-value-quantity', 'quantity', 'value.as(Quantity)'],
  ]);
  assert.deepEqual(combo.modifiers, []);

  const identifier = searchParameter('Patient', 'identifier')!;
  assert.deepEqual(identifier.modifiers, ['missing', 'not', 'text', 'of-type']);
  assert.deepEqual(identifier.valueTypes, ['Identifier']);
  assert.deepEqual(searchParameter('Patient', 'gender')!.modifiers, ['missing', 'not', 'text']);
  assert.deepEqual(searchParameter('Patient', 'name')!.modifiers, ['missing', 'exact', 'contains']);
  assert.deepEqual(searchParameter('ValueSet', 'url')!.modifiers, ['missing', 'above', 'below']);
  assert.deepEqual(searchParameter('Observation', 'date')!.prefixes, PREFIXES);
  assert.deepEqual(searchParameter('Observation', 'value-quantity')!.prefixes, PREFIXES);
  assert.deepEqual(searchParameter('RiskAssessment', 'probability')!.prefixes, PREFIXES);
  // A canonical-only reference parameter has no :identifier (search.html#reference).
  assert.ok(!searchParameter('QuestionnaireResponse', 'questionnaire')!.modifiers.includes('identifier'));
  assert.deepEqual(searchParameter('Observation', 'date')!.valueTypes, ['dateTime', 'Period', 'Timing', 'instant']);
});

test('US Core 6.1 search parameters exist with the expected types', () => {
  const rows: [string, string, string][] = [
    ['Patient', '_id', 'token'], ['Patient', 'identifier', 'token'], ['Patient', 'name', 'string'], ['Patient', 'family', 'string'],
    ['Patient', 'given', 'string'], ['Patient', 'gender', 'token'], ['Patient', 'birthdate', 'date'], ['Patient', 'death-date', 'date'],
    ['Observation', 'patient', 'reference'], ['Observation', 'category', 'token'], ['Observation', 'code', 'token'], ['Observation', 'date', 'date'],
    ['Observation', 'status', 'token'], ['Observation', '_lastUpdated', 'date'],
    ['Condition', 'patient', 'reference'], ['Condition', 'clinical-status', 'token'], ['Condition', 'category', 'token'], ['Condition', 'code', 'token'],
    ['Condition', 'onset-date', 'date'], ['Condition', 'abatement-date', 'date'], ['Condition', 'recorded-date', 'date'],
    ['Encounter', 'patient', 'reference'], ['Encounter', 'date', 'date'], ['Encounter', 'class', 'token'], ['Encounter', 'type', 'token'],
    ['Encounter', 'status', 'token'], ['Encounter', 'identifier', 'token'], ['Encounter', 'location', 'reference'],
    ['MedicationRequest', 'patient', 'reference'], ['MedicationRequest', 'intent', 'token'], ['MedicationRequest', 'status', 'token'],
    ['MedicationRequest', 'authoredon', 'date'], ['MedicationRequest', 'encounter', 'reference'],
    ['Procedure', 'patient', 'reference'], ['Procedure', 'date', 'date'], ['Procedure', 'code', 'token'], ['Procedure', 'status', 'token'],
    ['DiagnosticReport', 'patient', 'reference'], ['DiagnosticReport', 'category', 'token'], ['DiagnosticReport', 'code', 'token'],
    ['DiagnosticReport', 'date', 'date'], ['DiagnosticReport', 'status', 'token'],
    ['AllergyIntolerance', 'patient', 'reference'], ['AllergyIntolerance', 'clinical-status', 'token'],
    ['Immunization', 'patient', 'reference'], ['Immunization', 'date', 'date'], ['Immunization', 'status', 'token'],
    ['CarePlan', 'patient', 'reference'], ['CarePlan', 'category', 'token'], ['CarePlan', 'status', 'token'], ['CarePlan', 'date', 'date'],
    ['CareTeam', 'patient', 'reference'], ['CareTeam', 'status', 'token'],
    ['Goal', 'patient', 'reference'], ['Goal', 'lifecycle-status', 'token'], ['Goal', 'target-date', 'date'],
    ['DocumentReference', 'patient', 'reference'], ['DocumentReference', 'category', 'token'], ['DocumentReference', 'type', 'token'],
    ['DocumentReference', 'date', 'date'], ['DocumentReference', 'period', 'date'], ['DocumentReference', 'status', 'token'],
    ['Coverage', 'patient', 'reference'], ['Device', 'patient', 'reference'], ['Device', 'type', 'token'],
    ['Location', 'name', 'string'], ['Location', 'address', 'string'], ['Organization', 'name', 'string'], ['Organization', 'address', 'string'],
    ['Practitioner', 'name', 'string'], ['Practitioner', 'identifier', 'token'], ['PractitionerRole', 'specialty', 'token'],
    ['QuestionnaireResponse', 'patient', 'reference'], ['ServiceRequest', 'patient', 'reference'], ['Specimen', 'patient', 'reference'],
    ['Claim', 'patient', 'reference'], ['ExplanationOfBenefit', 'patient', 'reference'],
  ];
  for (const [type, code, kind] of rows) assert.equal(searchParameter(type, code)?.type, kind, `${type}.${code}`);
});
