import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalNumber, canonicalTimestamp, canonicalValue, pyFloatRepr, pyStr } from './canonical-value.ts';

test('pyFloatRepr prints floats as Python repr() does', () => {
  const cases: [number, string][] = [
    [0.5, '0.5'], [25.5, '25.5'], [-3.25, '-3.25'], [0.0001, '0.0001'], [0.00001, '1e-05'], [1.5e-7, '1.5e-07'],
    [1e-100, '1e-100'], [0.1 + 0.2, '0.30000000000000004'], [123456.789, '123456.789'], [1e15 + 0.5, '1000000000000000.5'],
  ];
  for (const [v, s] of cases) assert.equal(pyFloatRepr(v), s, String(v));
});

test('canonicalNumber: integral values lose ".0" and zeros, floats as Python, non-numbers untouched', () => {
  const cases: [string, string][] = [
    ['+012.50', '12.5'], ['3.0', '3'], ['-0', '0'], ['1e3', '1000'], ['1_000', '1000'], ['.5', '0.5'], ['5.', '5'],
    ['12345678901234567890', '12345678901234567168'], ['2017', '2017'], ['0123', '123'],
    ['abc', 'abc'], ['1.2.3', '1.2.3'], ['nan', 'nan'], ['1e400', '1e400'], ['+01:00', '+01:00'], ['0x10', '0x10'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalNumber(input), want, input);
});

test('canonicalTimestamp: UTC, milliseconds, half-even rounding of the microseconds', () => {
  const cases: [string, string][] = [
    ['2022-02-16T20:33:31.116000-06:00', '2022-02-17T02:33:31.116Z'],
    ['2026-01-10T09:15:30.1235+01:00', '2026-01-10T08:15:30.124Z'],
    ['2026-01-10T09:15:30.1225+01:00', '2026-01-10T08:15:30.122Z'],
    ['2026-01-10T23:59:59.0005-05:00', '2026-01-11T04:59:59.000Z'],
    ['2026-01-10T12:00:00.0015Z', '2026-01-10T12:00:00.002Z'],
    ['2026-01-10T12:00:00.123456789Z', '2026-01-10T12:00:00.123Z'],
    ['2019-04-02T15:00:00+0130', '2019-04-02T13:30:00.000Z'],
    ['2019-04-02T15:00Z', '2019-04-02T15:00:00.000Z'],
    ['not a date', 'not a date'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalTimestamp(input), want, input);
});

test('canonicalValue: CBV URNs to Web URIs, numbers, identifiers to Digital Links', () => {
  assert.equal(canonicalValue('urn:epcglobal:cbv:bizstep:shipping'), 'https://ref.gs1.org/cbv/BizStep-shipping');
  assert.equal(canonicalValue('urn:epcglobal:cbv:disp:in_transit'), 'https://ref.gs1.org/cbv/Disp-in_transit');
  assert.equal(canonicalValue('urn:epcglobal:cbv:btt:po'), 'https://ref.gs1.org/cbv/BTT-po');
  assert.equal(canonicalValue('urn:epc:id:sgtin:0614141.107346.2017'), 'https://id.gs1.org/01/10614141073464/21/2017');
  assert.equal(canonicalValue('4.50'), '4.5');
  assert.equal(canonicalValue('urn:epcglobal:cbv:bt:0614141073467:1152'), 'urn:epcglobal:cbv:bt:0614141073467:1152');
});

test('pyStr renders JSON scalars as Python str() of json.loads', () => {
  assert.deepEqual([true, false, null, 5, 2.5, 1e-7, 'x'].map(pyStr), ['True', 'False', 'None', '5', '2.5', '1e-07', 'x']);
});
