import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageInYears, reduceToYear, yearOf } from './dates.ts';

describe('reduceToYear', () => {
  const cases: [string, number | undefined, string | undefined][] = [
    ['1982-04-16', undefined, '1982'],
    ['1965-06-18T07:45:08+00:00', undefined, '1965'],
    ['2012-01-21T07:45:08.002+00:00', undefined, '2012'],
    ['2019', undefined, '2019'],
    ['2019-04', undefined, '2019'],
    ['1915-03-01', 1929, '1929'], // before the floor of a 90+ person: aggregated
    ['1995-03-01', 1929, '1995'],
    ['April 2019', undefined, undefined],
    ['19820416', undefined, undefined],
  ];
  for (const [v, floor, want] of cases) it(`${v}${floor ? ` (floor ${floor})` : ''} → ${want}`, () => assert.equal(reduceToYear(v, floor), want));

  it('keeps the order of any two dates (a Period stays start ≤ end)', () => {
    const dates = ['1999-12-31T23:59:59Z', '2000-01-01', '2000-06-30T10:00:00+02:00', '2001-01-01'];
    for (let i = 1; i < dates.length; i++) assert.ok(Number(reduceToYear(dates[i - 1]!)) <= Number(reduceToYear(dates[i]!)));
    assert.equal(yearOf('x'), undefined);
  });
});

describe('ageInYears', () => {
  const cases: [object, number | undefined][] = [
    [{ value: 91, code: 'a' }, 91],
    [{ value: 91, unit: 'Years' }, 91],
    [{ value: 24, code: 'mo' }, 2],
    [{ value: 365.25, code: 'd' }, 1],
    [{ value: 91, code: 'kg' }, undefined],
    [{ code: 'a' }, undefined],
  ];
  for (const [q, want] of cases) it(`${JSON.stringify(q)} → ${want}`, () => assert.equal(ageInYears(q), want));
});
