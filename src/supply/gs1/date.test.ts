import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centuryYear, parseGs1Date, toGs1Date } from './date.ts';

test('centuryYear follows GS1 General Specifications §7.12 (the 50-year window around the current year)', () => {
  const cases: [number, number, number][] = [
    // [YY, current year, expected]
    [26, 2026, 2026],
    [76, 2026, 2076], // +50: same century
    [77, 2026, 1977], // +51: previous century
    [0, 2026, 2000],
    [99, 2026, 1999],
    [49, 2099, 2149], // 49 − 99 = −50: next century
    [50, 2099, 2050], // −49: same century
    [1, 2000, 2001],
    [51, 2000, 1951],
  ];
  for (const [yy, now, want] of cases) assert.equal(centuryYear(yy, now), want, `${yy} in ${now}`);
});

test('parseGs1Date resolves day 00 to the last day of the month, leap years included', () => {
  assert.deepEqual(parseGs1Date('201225', 'AI (17)', 2026), { date: '2020-12-25', dayGiven: true });
  assert.deepEqual(parseGs1Date('201200', 'AI (17)', 2026), { date: '2020-12-31', dayGiven: false });
  assert.deepEqual(parseGs1Date('240200', 'AI (17)', 2026), { date: '2024-02-29', dayGiven: false });
  assert.deepEqual(parseGs1Date('250200', 'AI (17)', 2026), { date: '2025-02-28', dayGiven: false });
  assert.deepEqual(parseGs1Date('260430', 'AI (17)', 2026), { date: '2026-04-30', dayGiven: true });
});

test('parseGs1Date refuses impossible months and days', () => {
  assert.throws(() => parseGs1Date('201325', 'AI (17)', 2026), { message: 'AI (17) 201325: month 13 is not 01–12 (the date is YYMMDD)' });
  assert.throws(() => parseGs1Date('250229', 'AI (17)', 2026), /day 29 is past the end of 2025-02 \(28 days/);
  assert.throws(() => parseGs1Date('260431', 'AI (17)', 2026), /day 31 is past the end of 2026-04/);
  assert.throws(() => parseGs1Date('260012', 'AI (17)', 2026), /month 00/);
});

test('toGs1Date is the inverse for a full date', () => {
  assert.equal(toGs1Date('2020-12-25'), '201225');
  assert.throws(() => toGs1Date('25-12-2020'), /expected YYYY-MM-DD/);
});
