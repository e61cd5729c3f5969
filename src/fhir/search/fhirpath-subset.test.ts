import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeTypeName, parseSubset } from './fhirpath-subset.ts';

test('parseSubset: the expression shapes the R4 search parameters use', () => {
  const rows: [string, unknown][] = [
    ['Patient.name', { k: 'member', base: { k: 'ident', name: 'Patient' }, name: 'name' }],
    ['name | alias', { k: 'union', items: [{ k: 'ident', name: 'name' }, { k: 'ident', name: 'alias' }] }],
    ['(Observation.value as Quantity)', { k: 'as', base: { k: 'member', base: { k: 'ident', name: 'Observation' }, name: 'value' }, type: 'Quantity' }],
    ['Condition.onset.as(Age)', { k: 'as', base: { k: 'member', base: { k: 'ident', name: 'Condition' }, name: 'onset' }, type: 'Age' }],
    ['x.ofType(FHIR.Period)', { k: 'as', base: { k: 'ident', name: 'x' }, type: 'Period' }],
    ['value.as(System.DateTime)', { k: 'as', base: { k: 'ident', name: 'value' }, type: 'dateTime' }],
    ['Bundle.entry[0].resource', { k: 'member', base: { k: 'index', base: { k: 'member', base: { k: 'ident', name: 'Bundle' }, name: 'entry' }, n: 0 }, name: 'resource' }],
    ['Observation.subject.where(resolve() is Patient)', { k: 'whereResolveIs', base: { k: 'member', base: { k: 'ident', name: 'Observation' }, name: 'subject' }, type: 'Patient' }],
    ["Patient.telecom.where(system='email')", { k: 'whereEq', base: { k: 'member', base: { k: 'ident', name: 'Patient' }, name: 'telecom' }, name: 'system', value: 'email' }],
    ["a.where(type='it\\'s')", { k: 'whereEq', base: { k: 'ident', name: 'a' }, name: 'type', value: "it's" }],
    ['%resource.referenceSeq.chromosome', { k: 'member', base: { k: 'member', base: { k: 'resource' }, name: 'referenceSeq' }, name: 'chromosome' }],
    [
      'Patient.deceased.exists() and Patient.deceased != false',
      {
        k: 'and',
        left: { k: 'exists', base: { k: 'member', base: { k: 'ident', name: 'Patient' }, name: 'deceased' } },
        right: { k: 'ne', left: { k: 'member', base: { k: 'ident', name: 'Patient' }, name: 'deceased' }, right: { k: 'literal', value: false } },
      },
    ],
    ['a or b.empty()', { k: 'or', left: { k: 'ident', name: 'a' }, right: { k: 'empty', base: { k: 'ident', name: 'b' } } }],
    ["a.b = 'x'", { k: 'eq', left: { k: 'member', base: { k: 'ident', name: 'a' }, name: 'b' }, right: { k: 'literal', value: 'x' } }],
  ];
  for (const [expr, want] of rows) assert.deepEqual(parseSubset(expr), want, expr);
});

test('parseSubset: anything outside the subset → undefined (FHIRPath fallback)', () => {
  for (const expr of ['a.first()', 'a.b is Patient', 'a + 1', 'a.where(b > 1)', 'a[b]', '%context.x', 'a implies b', 'resolve()', "a.where(x='1' and y='2')", 'a.b)', '(a', 'a.b.c 1.5', 'a | ']) {
    assert.equal(parseSubset(expr), undefined, expr);
  }
});

test('normalizeTypeName: System types as FHIR primitives', () => {
  assert.equal(normalizeTypeName('DateTime'), 'dateTime');
  assert.equal(normalizeTypeName('String'), 'string');
  assert.equal(normalizeTypeName('Quantity'), 'Quantity');
});
