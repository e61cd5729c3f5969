import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decimalRange, numberRange } from './number-range.ts';

test('decimalRange: the implicit range is half a unit of the last significant digit (search.html#number)', () => {
  const rows: [string, number, number, number][] = [
    ['100', 100, 99.5, 100.5], // spec: [99.5 ... 100.5)
    ['100.00', 100, 99.995, 100.005], // spec: [99.995 ... 100.005)
    ['2.0', 2, 1.95, 2.05], // spec: "the number 2.0 has an implicit range of 1.95 to 2.05"
    ['5.4', 5.4, 5.35, 5.45], // spec quantity example 5.4(+/-0.05)
    ['5.40e-3', 0.0054, 0.005395, 0.005405], // spec: 0.0054(+/-0.000005)
    ['0.8', 0.8, 0.75, 0.85],
    ['-5.4', -5.4, -5.45, -5.35],
    ['+3', 3, 2.5, 3.5],
    // The spec table says [95, 105) for 1e2; half a unit of its one significant digit is 50.
    ['1e2', 100, 50, 150],
    ['1.5E-7', 1.5e-7, 1.45e-7, 1.55e-7],
  ];
  for (const [literal, value, low, high] of rows) assert.deepEqual(decimalRange(literal), { value, low, high }, literal);
});

test('decimalRange: not a decimal → undefined', () => {
  for (const bad of ['', 'abc', '1.', '.5', '1e', '1,5', '0x10', 'NaN', 'Infinity', '1e999']) assert.equal(decimalRange(bad), undefined, bad);
});

test('numberRange: a JSON number has the precision of its shortest form', () => {
  assert.deepEqual(numberRange(2), { value: 2, low: 1.5, high: 2.5 });
  assert.deepEqual(numberRange(0.25), { value: 0.25, low: 0.245, high: 0.255 });
  assert.deepEqual(numberRange(1e21), { value: 1e21, low: 5e20, high: 1.5e21 });
  assert.equal(numberRange(Number.NaN), undefined);
});
