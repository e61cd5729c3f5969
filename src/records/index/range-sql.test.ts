import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { matchesRange, PREFIXES, type NumericRange } from '../../fhir/search/index.ts';
import { rangeCondition } from './range-sql.ts';

const db = new Database(':memory:');
const range = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map((v): NumericRange => ({ low: v, high: v })),
  fc.tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: 1, max: 10 })).map(([l, w]): NumericRange => ({ low: l, high: l + w })),
  fc.constantFrom<NumericRange>({ low: -Infinity, high: 5 }, { low: 3, high: Infinity }),
);

test('every prefix in SQL agrees with matchesRange (points, ranges, open ends)', () => {
  fc.assert(
    fc.property(fc.constantFrom(...PREFIXES), range, range, (prefix, q, t) => {
      const c = rangeCondition(prefix, q);
      const row = db.prepare(`SELECT (${c.sql}) AS m FROM (SELECT ? AS lo, ? AS hi)`).get(...c.params, t.low, t.high) as { m: number };
      assert.equal(row.m === 1, matchesRange(prefix, q, t), `${prefix} q=[${q.low},${q.high}) t=[${t.low},${t.high})`);
    }),
    { numRuns: 5000 },
  );
});

test('table: a day query against instants and days', () => {
  const day = { low: 100, high: 200 };
  const cases: [string, NumericRange, boolean][] = [
    ['eq', { low: 150, high: 150 }, true],
    ['eq', { low: 50, high: 250 }, false],
    ['gt', { low: 200, high: 200 }, true],
    ['gt', { low: 199, high: 199 }, false],
    ['lt', { low: 99, high: 99 }, true],
    ['sa', { low: 150, high: 300 }, false],
    ['eb', { low: 0, high: 100 }, true],
  ];
  for (const [p, t, expected] of cases) {
    const c = rangeCondition(p as 'eq', day);
    const m = (db.prepare(`SELECT (${c.sql}) AS m FROM (SELECT ? AS lo, ? AS hi)`).get(...c.params, t.low, t.high) as { m: number }).m;
    assert.equal(m === 1, expected, `${p} [${t.low},${t.high})`);
  }
});
