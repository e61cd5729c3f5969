import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { dateRange } from './date-range.ts';
import { decimalRange } from './number-range.ts';
import { approximateRange, matchesRange } from './ranges.ts';
import { MAX_DATE_MS, MIN_DATE_MS, type NumericRange, type Prefix } from './types.ts';

const d = (v: string): NumericRange => dateRange(v)!;
const period = (start?: string, end?: string): NumericRange => ({ low: start ? d(start).low : MIN_DATE_MS, high: end ? d(end).high : MAX_DATE_MS });
/** A number query as parseSearch builds it: implicit range for eq/ne/ap, a point otherwise. */
const num = (prefix: Prefix, literal: string): NumericRange => {
  const r = decimalRange(literal)!;
  return prefix === 'eq' || prefix === 'ne' ? r : prefix === 'ap' ? approximateRange('number', r) : { low: r.value, high: r.value };
};
const point = (v: number): NumericRange => ({ low: v, high: v });

test('dates: the R4 search.html#date prefix table', () => {
  const rows: [Prefix, string, NumericRange, boolean, string][] = [
    ['eq', '2013-01-14', d('2013-01-14T00:00'), true, '2013-01-14T00:00 matches (obviously)'],
    ['eq', '2013-01-14', d('2013-01-14T10:00'), true, '2013-01-14T10:00 matches'],
    ['eq', '2013-01-14', d('2013-01-15T00:00'), false, "2013-01-15T00:00 does not match - it's not in the range"],
    ['ne', '2013-01-14', d('2013-01-15T00:00'), true, "2013-01-15T00:00 matches - it's not in the range"],
    ['ne', '2013-01-14', d('2013-01-14T00:00'), false, "2013-01-14T00:00 does not match - it's in the range"],
    ['ne', '2013-01-14', d('2013-01-14T10:00'), false, "2013-01-14T10:00 does not match - it's in the range"],
    ['lt', '2013-01-14T10:00', d('2013-01-14'), true, '2013-01-14 matches, because it includes the part of 14-Jan 2013 before 10am'],
    ['gt', '2013-01-14T10:00', d('2013-01-14'), true, '2013-01-14 matches, because it includes the part of 14-Jan 2013 after 10am'],
    ['ge', '2013-03-14', period('2013-01-21'), true, '"from 21-Jan 2013 onwards" is included because that period may include times after 14-Mar 2013'],
    ['le', '2013-03-14', period('2013-01-21'), true, '"from 21-Jan 2013 onwards" is included because that period may include times before 14-Mar 2013'],
    ['sa', '2013-03-14', period('2013-03-15'), true, '"from 15-Mar 2013 onwards" is included because that period starts after 14-Mar 2013'],
    ['sa', '2013-03-14', period('2013-01-21'), false, '"from 21-Jan 2013 onwards" is not included because that period starts before 14-Mar 2013'],
    ['sa', '2013-03-14', period(undefined, '2013-01-21'), false, '"before and including 21-Jan 2013" is not included because that period starts (and ends) before 14-Mar 2013'],
    ['eb', '2013-03-14', period('2013-03-15'), false, '"from 15-Mar 2013 onwards" is not included because that period starts after 14-Mar 2013'],
    ['eb', '2013-03-14', period('2013-01-21'), false, '"from 21-Jan 2013 onwards" is not included because that period starts before 14-Mar 2013, but does not end before it'],
    ['eb', '2013-03-14', period(undefined, '2013-01-21'), true, '"before and including 21-Jan 2013" is included because that period ends before 14-Mar 2013'],
    // More, from the prefix definitions.
    ['gt', '2013-01-14', d('2013-01-14T23:59'), false, 'gt a day: the range above the day starts at its end'],
    ['gt', '2013-01-14', d('2013-01-15'), true, 'the next day is above'],
    ['ge', '2013-01-14', d('2013-01-14T10:00'), true, 'ge: contained in the day'],
    ['lt', '2013-01-14', d('2013-01-14T10:00'), false, 'lt: within the day is not below it'],
    ['le', '2013-01-14', d('2013-01-14T10:00'), true, 'le: contained in the day'],
    ['le', '2013-01-14', d('2013-01-15'), false, 'le: the next day'],
    ['eq', '2013', period('2013-02-01', '2013-02-28'), true, 'a period inside the year'],
    ['eq', '2013', period('2013-02-01'), false, 'an open period is not inside the year'],
    ['ne', '2013', period('2013-02-01'), true, 'ne: not fully contained'],
  ];
  for (const [prefix, query, target, want, why] of rows) assert.equal(matchesRange(prefix, d(query), target), want, `${prefix}${query}: ${why}`);
});

test('dates: ap is 10% of the gap between now and the date', () => {
  const now = d('2014-03-14').low; // a year after the searched date: ±36.5 days
  const q = approximateRange('date', d('2013-03-14'), now);
  assert.ok(matchesRange('ap', q, d('2013-03-14')), '14-Mar 2013 is included - as it exactly matches');
  assert.ok(matchesRange('ap', q, d('2013-03-01')), 'two weeks before is near');
  assert.ok(!matchesRange('ap', q, d('2013-01-21')), '21-Jan 2013 is not included (52 days away; 10% of a year is 36.5)');
  assert.ok(!matchesRange('ap', q, d('2015-06-15')), '15-Jun 2015 is not included - as it is not near 14-Mar 2013');
});

test('numbers: the R4 search.html#number table, targets exact (integers) or with implicit precision', () => {
  const rows: [Prefix, string, NumericRange, boolean, string][] = [
    ['eq', '100', point(100), true, '100 is in [99.5, 100.5)'],
    ['eq', '100', point(99.5), true, 'the low bound is in'],
    ['eq', '100', point(100.5), false, 'the high bound is out'],
    ['eq', '100', point(100.4), true, '3 significant figures'],
    ['eq', '100.00', point(100), true, 'Whole numbers also equal 100.00'],
    ['eq', '100.00', point(100.01), false, 'but not 100.01'],
    ['eq', '100.00', decimalRange('100.001')!, true, 'a decimal target with its own implicit range inside [99.995, 100.005)'],
    ['lt', '100', point(99.9), true, 'Values that are less than exactly 100'],
    ['lt', '100', point(100), false, 'not 100 itself'],
    ['le', '100', point(100), true, 'Values that are less or equal to exactly 100'],
    ['le', '100', point(100.1), false, '100.1 is above'],
    ['gt', '100', point(100.1), true, 'Values that are greater than exactly 100'],
    ['gt', '100', point(100), false, 'not 100 itself'],
    ['ge', '100', point(100), true, 'Values that are greater or equal to exactly 100'],
    ['ge', '100', point(99.99), false, 'below'],
    ['ne', '100', point(101), true, 'Values that are not equal to 100'],
    ['ne', '100', point(100.2), false, '(actually, in the range 99.5 to 100.5)'],
    ['eq', '2', point(2), true, 'dose-number=2: integer exact match'],
    ['eq', '2', point(3), false, 'dose 3'],
    ['gt', '0.8', point(0.81), true, 'probability=gt0.8'],
    ['gt', '0.8', point(0.8), false, 'not 0.8 itself'],
    ['sa', '5', point(5.1), true, 'starts after'],
    ['eb', '5', point(4.9), true, 'ends before'],
    ['ap', '100', point(109), true, 'within 10%'],
    ['ap', '100', point(111), false, 'beyond 10%'],
    // A Range target (quantity): explicitly a range.
    ['gt', '7', { low: 5, high: 10 }, true, 'a Range 5–10 has values above 7'],
    ['lt', '7', { low: 5, high: 10 }, true, 'and below 7'],
    ['eq', '7', { low: 5, high: 10 }, false, 'but is not within 7'],
    ['ge', '10', { low: 5, high: 10 }, false, 'half-open: 10 itself is not in [5, 10)'],
    ['lt', '5', { low: -Infinity, high: 5 }, true, 'a "<5" quantity is below 5'],
  ];
  for (const [prefix, query, target, want, why] of rows) assert.equal(matchesRange(prefix, num(prefix, query), target), want, `${prefix}${query} vs ${JSON.stringify(target)}: ${why}`);
});

test('the SQL forms in the module comment equal matchesRange for range targets and range queries', () => {
  const sql: Record<Prefix, (lo: number, hi: number, L: number, H: number) => boolean> = {
    eq: (lo, hi, L, H) => lo >= L && hi <= H,
    ne: (lo, hi, L, H) => !(lo >= L && hi <= H),
    gt: (_lo, hi, _L, H) => hi > H,
    lt: (lo, _hi, L) => lo < L,
    ge: (lo, hi, L, H) => hi > H || (lo >= L && hi <= H),
    le: (lo, hi, L, H) => lo < L || (lo >= L && hi <= H),
    sa: (lo, _hi, _L, H) => lo >= H,
    eb: (_lo, hi, L) => hi <= L,
    ap: (lo, hi, L, H) => lo < H && hi > L,
  };
  const range = fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 30 })).map(([lo, w]) => ({ low: lo, high: lo + w }));
  fc.assert(
    fc.property(fc.constantFrom(...(Object.keys(sql) as Prefix[])), range, range, (prefix, q, t) => {
      assert.equal(sql[prefix](t.low, t.high, q.low, q.high), matchesRange(prefix, q, t), `${prefix} q=${JSON.stringify(q)} t=${JSON.stringify(t)}`);
    }),
    { numRuns: 3000 },
  );
});
