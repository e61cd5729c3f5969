import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { preSpecifiedVersion } from './pre-specified.ts';
import type { ProtocolVersion } from './types.ts';

const v = (version: string, effectiveDate: string): ProtocolVersion => ({ version, effectiveDate, outcomes: [] });
const versions = [v('3', '2022-05-01'), v('1', '2020-01-15'), v('2', '2021-03-01')];

describe('preSpecifiedVersion', () => {
  const cases: [string, string][] = [
    ['2020-01-15', '1'],
    ['2021-02-28', '1'],
    ['2021-03-01', '2'],
    ['2030-01-01', '3'],
  ];
  for (const [start, want] of cases) it(`enrolment from ${start} → version ${want}`, () => assert.equal(preSpecifiedVersion(versions, start).version, want));

  it('refuses a trial registered after it started enrolling', () => {
    assert.throws(() => preSpecifiedVersion(versions, '2019-12-31'), (e) => isDomainError(e, 'unprocessable') && e.code === 'not-pre-specified');
  });
  it('refuses a malformed date', () => {
    assert.throws(() => preSpecifiedVersion(versions, 'last spring'), (e) => isDomainError(e, 'invalid'));
  });
});
