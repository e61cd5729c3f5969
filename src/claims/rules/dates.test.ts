import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDays, ageOn, dayNumber, daysBetween, eachDate, fhirDate, fromDayNumber, isIsoDate } from './dates.ts';

test('isIsoDate accepts real calendar dates only', () => {
  for (const d of ['2024-02-29', '2023-12-31', '0001-01-01']) assert.ok(isIsoDate(d), d);
  for (const d of ['2023-02-29', '2024-13-01', '2024-1-01', '20240101', '2024-01-01T00:00:00Z']) assert.ok(!isIsoDate(d), d);
});

test('fhirDate takes the written date of a dateTime and the first day of a partial date', () => {
  assert.equal(fhirDate('2012-12-29T01:20:07+00:00'), '2012-12-29');
  assert.equal(fhirDate('2015-10-16T00:00:00-07:00'), '2015-10-16');
  assert.equal(fhirDate('2014-08'), '2014-08-01');
  assert.equal(fhirDate('2014'), '2014-01-01');
  assert.equal(fhirDate('2014-02-30'), null);
  assert.equal(fhirDate(20140101), null);
});

test('day arithmetic across month, leap-day and year boundaries', () => {
  assert.equal(addDays('2024-02-28', 1), '2024-02-29');
  assert.equal(addDays('2024-03-01', -1), '2024-02-29');
  assert.equal(addDays('2023-12-31', 1), '2024-01-01');
  assert.equal(daysBetween('2023-03-05', '2024-03-05'), 366);
  assert.equal(fromDayNumber(dayNumber('1969-12-31')), '1969-12-31');
  assert.deepEqual(eachDate('2024-02-28', '2024-03-01'), ['2024-02-28', '2024-02-29', '2024-03-01']);
  assert.deepEqual(eachDate('2024-03-02', '2024-03-01'), []);
});

test('ageOn counts whole years; a 29 February birthday comes on 1 March in other years', () => {
  assert.equal(ageOn('2006-03-05', '2024-03-04'), 17);
  assert.equal(ageOn('2006-03-05', '2024-03-05'), 18);
  assert.equal(ageOn('2000-02-29', '2023-02-28'), 22);
  assert.equal(ageOn('2000-02-29', '2023-03-01'), 23);
  assert.equal(ageOn('2000-02-29', '2024-02-29'), 24);
});

test('years below 100 are not shifted to the 1900s', () => {
  assert.equal(fromDayNumber(dayNumber('0001-01-01')), '0001-01-01');
  assert.equal(addDays('0099-12-31', 1), '0100-01-01');
});
