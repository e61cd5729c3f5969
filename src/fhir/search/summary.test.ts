import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { applyElements, applySummary, SUBSETTED_TAG } from './summary.ts';

const example = (file: string) => JSON.parse(readFileSync(new URL(`../../../node_modules/hl7.fhir.r4.examples/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const tagged = (r: Record<string, unknown>) => ((r.meta as { tag?: { code: string }[] } | undefined)?.tag ?? []).some((t) => t.code === 'SUBSETTED');

test('_summary=true: isSummary elements (and mandatory ones), recursing into backbone elements', () => {
  const pat = example('Patient-example.json');
  const s = applySummary(pat, 'true');
  assert.deepEqual(Object.keys(s).sort(), ['_birthDate', 'active', 'address', 'birthDate', 'deceasedBoolean', 'gender', 'id', 'identifier', 'managingOrganization', 'meta', 'name', 'resourceType', 'telecom'].sort());
  assert.equal(s.text, undefined, 'narrative is not a summary element');
  assert.equal(s.contact, undefined, 'Patient.contact is not a summary element');
  assert.deepEqual(s.name, pat.name, 'datatype values are kept whole');
  assert.ok(tagged(s));
  assert.ok(!tagged(pat), 'the input is not modified');

  const obs = example('Observation-blood-pressure.json');
  const o = applySummary(obs, 'true');
  assert.equal(o.interpretation, undefined);
  assert.equal(o.bodySite, undefined);
  const comps = o.component as Record<string, unknown>[];
  assert.equal(comps.length, 2);
  assert.ok(comps[0]!.code && comps[0]!.valueQuantity, 'component.code and component.value are summary');
  assert.equal(comps[0]!.interpretation, undefined, 'component.interpretation is not');
});

test('_summary=text, data, false', () => {
  const obs = example('Observation-blood-pressure.json');
  const t = applySummary(obs, 'text');
  assert.deepEqual(Object.keys(t).sort(), ['code', 'id', 'meta', 'resourceType', 'status', 'text'], 'text, id, meta and top-level mandatory elements');
  assert.ok(tagged(t));
  const d = applySummary(obs, 'data');
  assert.equal(d.text, undefined);
  assert.deepEqual(d.component, obs.component);
  assert.ok(tagged(d));
  assert.equal(applySummary(obs, 'false'), obs);
});

test('_elements: listed top-level elements plus id, meta, mandatory and modifier elements', () => {
  const pat = example('Patient-example.json');
  const e = applyElements(pat, ['birthDate', 'name']);
  assert.deepEqual(Object.keys(e).sort(), ['_birthDate', 'active', 'birthDate', 'deceasedBoolean', 'id', 'meta', 'name', 'resourceType']);
  const obs = example('Observation-f001.json');
  assert.deepEqual(Object.keys(applyElements(obs, ['value'])).sort(), ['code', 'id', 'meta', 'resourceType', 'status', 'valueQuantity']);
  assert.deepEqual(Object.keys(applyElements(obs, ['valueString'])).sort(), ['code', 'id', 'meta', 'resourceType', 'status']);
  assert.throws(() => applyElements(obs, ['nope']), (err) => isDomainError(err, 'invalid') && /nope/.test(err.message));
});

test('the SUBSETTED tag is added once, beside existing tags', () => {
  const r = { resourceType: 'Patient', id: 'p', meta: { tag: [{ system: 'x', code: 'y' }] } };
  const once = applySummary(r, 'data');
  assert.deepEqual((once.meta as { tag: unknown[] }).tag, [{ system: 'x', code: 'y' }, { ...SUBSETTED_TAG }]);
  assert.deepEqual(applySummary(once, 'data').meta, once.meta);
  assert.throws(() => applySummary({ resourceType: 'Nope' }, 'true'), (err) => isDomainError(err, 'invalid'));
});
