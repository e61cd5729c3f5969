import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dateRange } from './date-range.ts';

const ms = (iso: string) => Date.parse(iso);

test('dateRange: the range a FHIR date / dateTime / instant covers (search.html#date)', () => {
  const rows: [string, boolean, string, string][] = [
    ['2013', false, '2013-01-01T00:00:00Z', '2014-01-01T00:00:00Z'],
    ['2013-02', false, '2013-02-01T00:00:00Z', '2013-03-01T00:00:00Z'],
    ['2012-02', false, '2012-02-01T00:00:00Z', '2012-03-01T00:00:00Z'],
    ['2013-12', false, '2013-12-01T00:00:00Z', '2014-01-01T00:00:00Z'],
    ['2013-01-10', false, '2013-01-10T00:00:00Z', '2013-01-11T00:00:00Z'],
    ['2013-01-14T10:00', false, '2013-01-14T10:00:00Z', '2013-01-14T10:01:00Z'],
    ['2013-01-14T10:00Z', false, '2013-01-14T10:00:00Z', '2013-01-14T10:01:00Z'],
    ['2015-08-12T05:23:45', false, '2015-08-12T05:23:45Z', '2015-08-12T05:23:46Z'],
    ['2015-08-12T05:23:45+02:00', false, '2015-08-12T03:23:45Z', '2015-08-12T03:23:46Z'],
    ['2015-08-12T05:23:45-05:30', false, '2015-08-12T10:53:45Z', '2015-08-12T10:53:46Z'],
    ['2015-08-12T05:23:45.1Z', false, '2015-08-12T05:23:45.100Z', '2015-08-12T05:23:45.200Z'],
    ['2015-08-12T05:23:45.12Z', false, '2015-08-12T05:23:45.120Z', '2015-08-12T05:23:45.130Z'],
    ['2015-08-12T05:23:45.123Z', false, '2015-08-12T05:23:45.123Z', '2015-08-12T05:23:45.124Z'],
    ['2015-08-12T05:23:45.123456Z', false, '2015-08-12T05:23:45.123Z', '2015-08-12T05:23:45.124Z'],
    ['2015-08-12T05:23:45Z', true, '2015-08-12T05:23:45.000Z', '2015-08-12T05:23:45.001Z'],
  ];
  for (const [value, instant, low, high] of rows) {
    assert.deepEqual(dateRange(value, instant), { low: ms(low), high: ms(high) }, value);
  }
});

test('dateRange: years before 100 are not shifted to the 1900s', () => {
  const r = dateRange('0050-06-01')!;
  assert.equal(new Date(r.low).getUTCFullYear(), 50);
  assert.equal(r.high - r.low, 86_400_000);
});

test('dateRange: not a date → undefined', () => {
  for (const bad of ['', '13', '2013-13', '2013-00', '2013-02-30', '2013-02-29', '2013-01-01T25:00', '2013-01-01T10', '2013-01-01T10:61', 'today', '2013/01/01', '2013-01-01T10:00:00+15:00', '2013-1-1']) {
    assert.equal(dateRange(bad), undefined, bad);
  }
  assert.ok(dateRange('2012-02-29'), 'leap day');
});
