import assert from 'node:assert/strict';
import { test } from 'node:test';
import { converterFor, type ConvertContext } from './convert.ts';
import { MAX_DATE_MS, MIN_DATE_MS, type IndexValue, type SearchParamType } from './types.ts';

const ctx: ConvertContext = { root: { resourceType: 'Observation', contained: [{ resourceType: 'Patient', id: 'p1' }] }, options: {} };
const run = (paramType: SearchParamType, fhirType: string, value: unknown): IndexValue[] => {
  const conv = converterFor(paramType, fhirType);
  assert.ok(conv, `${paramType} × ${fhirType}`);
  const out: IndexValue[] = [];
  conv(value, out, ctx);
  return out;
};
const ms = (iso: string) => Date.parse(iso);

test('token: per datatype, as search.html#token tabulates', () => {
  const rows: [string, unknown, IndexValue[]][] = [
    ['Coding', { system: 's', code: 'c', display: 'D' }, [{ kind: 'token', system: 's', code: 'c', text: 'D' }]],
    ['CodeableConcept', { coding: [{ system: 's', code: 'c' }, { code: 'd' }], text: 'T' }, [
      { kind: 'token', system: 's', code: 'c' },
      { kind: 'token', code: 'd' },
      { kind: 'token', text: 'T' },
    ]],
    ['Identifier', { system: 'urn:mrn', value: '42', type: { text: 'MRN', coding: [{ system: 'v2', code: 'MR' }] } }, [
      { kind: 'token', system: 'urn:mrn', code: '42', text: 'MRN', ofType: [{ system: 'v2', code: 'MR' }] },
    ]],
    ['ContactPoint', { system: 'phone', value: '555', use: 'home' }, [{ kind: 'token', code: '555' }]],
    ['code', 'final', [{ kind: 'token', code: 'final' }]],
    ['string', 'x', [{ kind: 'token', code: 'x' }]],
    ['boolean', false, [{ kind: 'token', code: 'false' }]],
    ['uri', 'http://x', [{ kind: 'token', code: 'http://x' }]],
    ['Coding', {}, []],
    ['Identifier', { use: 'official' }, []],
  ];
  for (const [type, value, want] of rows) assert.deepEqual(run('token', type, value), want, type);
});

test('string: HumanName and Address parts (search.html#string), primitives', () => {
  assert.deepEqual(run('string', 'HumanName', { use: 'official', text: 'Dr Eve M Smith', family: 'Smith', given: ['Eve', 'M'], prefix: ['Dr'], suffix: ['PhD'], period: { start: '2000' } }).map((v) => (v as { value: string }).value), ['Dr Eve M Smith', 'Smith', 'Eve', 'M', 'Dr', 'PhD']);
  assert.deepEqual(
    run('string', 'Address', { use: 'home', line: ['1 Rue', 'Bât B'], city: 'Lyon', district: 'Rhône', state: 'ARA', postalCode: '69001', country: 'FR', text: 'whole' }).map((v) => (v as { value: string }).value),
    ['whole', '1 Rue', 'Bât B', 'Lyon', 'Rhône', 'ARA', '69001', 'FR'],
  );
  assert.deepEqual(run('string', 'string', 'Eve'), [{ kind: 'string', value: 'Eve' }]);
  assert.deepEqual(run('string', 'string', ''), []);
});

test('date: date, dateTime, instant, Period with open ends, Timing outer limits', () => {
  assert.deepEqual(run('date', 'date', '2013-01-10'), [{ kind: 'date', low: ms('2013-01-10T00:00:00Z'), high: ms('2013-01-11T00:00:00Z') }]);
  assert.deepEqual(run('date', 'instant', '2013-01-10T10:00:00Z'), [{ kind: 'date', low: ms('2013-01-10T10:00:00Z'), high: ms('2013-01-10T10:00:00Z') + 1 }]);
  assert.deepEqual(run('date', 'Period', { start: '2013-01-21' }), [{ kind: 'date', low: ms('2013-01-21T00:00:00Z'), high: MAX_DATE_MS }]);
  assert.deepEqual(run('date', 'Period', { end: '2013-01' }), [{ kind: 'date', low: MIN_DATE_MS, high: ms('2013-02-01T00:00:00Z') }]);
  assert.deepEqual(run('date', 'Period', { start: '2013-01-01', end: '2013-01-02' }), [{ kind: 'date', low: ms('2013-01-01T00:00:00Z'), high: ms('2013-01-03T00:00:00Z') }]);
  assert.deepEqual(run('date', 'Period', {}), []);
  assert.deepEqual(
    run('date', 'Timing', { event: ['2013-02-01T10:00:00Z', '2013-01-31'], repeat: { boundsPeriod: { start: '2013-01-31', end: '2013-03-24' }, frequency: 1, period: 2, periodUnit: 'd' } }),
    [{ kind: 'date', low: ms('2013-01-31T00:00:00Z'), high: ms('2013-03-25T00:00:00Z') }],
  );
  assert.deepEqual(run('date', 'Timing', { repeat: { count: 3 } }), []);
  assert.deepEqual(run('date', 'dateTime', 'not a date'), []);
});

test('number and quantity: implicit ranges, exact integers, comparators, Money, Range', () => {
  assert.deepEqual(run('number', 'integer', 2), [{ kind: 'number', value: 2, low: 2, high: 2 }]);
  assert.deepEqual(run('number', 'decimal', 0.8), [{ kind: 'number', value: 0.8, low: 0.75, high: 0.85 }]);
  assert.deepEqual(run('quantity', 'Quantity', { value: 5.4, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' }), [
    { kind: 'quantity', value: 5.4, low: 5.35, high: 5.45, system: 'http://unitsofmeasure.org', code: 'mg', unit: 'mg' },
  ]);
  assert.deepEqual(run('quantity', 'Quantity', { value: 5, comparator: '<' }), [{ kind: 'quantity', value: 5, low: -Infinity, high: 5 }]);
  assert.deepEqual(run('quantity', 'Age', { value: 60, comparator: '>=', code: 'a' }), [{ kind: 'quantity', value: 60, low: 60, high: Infinity, code: 'a' }]);
  assert.deepEqual(run('quantity', 'Money', { value: 100, currency: 'EUR' }), [
    { kind: 'quantity', value: 100, low: 99.5, high: 100.5, system: 'urn:iso:std:iso:4217', code: 'EUR' },
  ]);
  assert.deepEqual(run('quantity', 'Range', { low: { value: 5, unit: 'mg' }, high: { value: 10, unit: 'mg' } }), [{ kind: 'quantity', low: 5, high: 10, unit: 'mg' }]);
  assert.deepEqual(run('quantity', 'Range', { high: { value: 10 } }), [{ kind: 'quantity', low: -Infinity, high: 10 }]);
  assert.deepEqual(run('quantity', 'Quantity', { unit: 'mg' }), []);
});

test('reference: Reference (literal, identifier, type, contained), canonical, nested Resource', () => {
  assert.deepEqual(run('reference', 'Reference', { reference: 'Patient/1/_history/3', display: 'x' }), [
    { kind: 'reference', reference: 'Patient/1', targetType: 'Patient', id: '1', version: '3' },
  ]);
  assert.deepEqual(run('reference', 'Reference', { type: 'Patient', identifier: { system: 's', value: 'v' } }), [
    { kind: 'reference', targetType: 'Patient', identifier: { kind: 'token', system: 's', code: 'v' } },
  ]);
  assert.deepEqual(run('reference', 'Reference', { reference: '#p1' }), [{ kind: 'reference', reference: '#p1', targetType: 'Patient' }]);
  assert.deepEqual(run('reference', 'Reference', { display: 'only a display' }), []);
  assert.deepEqual(run('reference', 'canonical', 'http://x/Questionnaire/q|2.0'), [{ kind: 'reference', reference: 'http://x/Questionnaire/q', version: '2.0', canonical: true }]);
  assert.deepEqual(run('reference', 'Resource', { resourceType: 'Composition', id: 'c1' }), [{ kind: 'reference', reference: 'Composition/c1', targetType: 'Composition', id: 'c1' }]);
  assert.deepEqual(run('uri', 'uri', 'urn:oid:1.2'), [{ kind: 'uri', value: 'urn:oid:1.2' }]);
});

test('pairs FHIR does not search are rejected at compile time (search.html#table)', () => {
  for (const [p, t] of [['quantity', 'SampledData'], ['token', 'Ratio'], ['string', 'Attachment'], ['date', 'string'], ['number', 'string'], ['composite', 'Quantity']] as const) {
    assert.equal(converterFor(p, t), undefined, `${p} × ${t}`);
  }
});
