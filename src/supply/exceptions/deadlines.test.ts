import assert from 'node:assert/strict';
import { test } from 'node:test';
import { businessDaysAfter, federalHolidays, isBusinessDay, oneBusinessDayAfter } from './deadlines.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

test('US federal holidays, with observed days', () => {
  const days = [...federalHolidays(2026)].sort().map((ms) => iso(ms).slice(0, 10));
  assert.deepEqual(days, ['2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25']);
  assert.ok(federalHolidays(2027).has(at('2027-12-31T00:00:00Z')), 'New Year 2028 falls on a Saturday: observed Friday 31 December 2027');
  assert.ok(federalHolidays(2027).has(at('2027-12-24T00:00:00Z')), 'Christmas 2027 on a Saturday: observed Friday');
});

test('one business day: the same time the next business day; weekends and holidays skipped', () => {
  const cases: [string, string][] = [
    ['2026-11-24T10:00:00.000Z', '2026-11-25T10:00:00.000Z'], // Tuesday → Wednesday
    ['2026-11-25T10:00:00.000Z', '2026-11-27T10:00:00.000Z'], // Wednesday → Friday (Thanksgiving)
    ['2026-11-27T16:30:00.000Z', '2026-11-30T16:30:00.000Z'], // Friday → Monday
    ['2026-11-28T09:00:00.000Z', '2026-11-30T23:59:59.999Z'], // Saturday → end of Monday
    ['2026-12-24T12:00:00.000Z', '2026-12-28T12:00:00.000Z'], // Thursday → Monday (Christmas Friday)
  ];
  for (const [received, due] of cases) assert.equal(iso(oneBusinessDayAfter(at(received))), due, received);
  assert.equal(isBusinessDay(at('2026-11-26T12:00:00Z')), false);
  assert.equal(iso(businessDaysAfter(at('2026-11-25T10:00:00Z'), 3)), '2026-12-01T10:00:00.000Z');
});
