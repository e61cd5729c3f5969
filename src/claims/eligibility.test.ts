import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coverageIdOf, eligibilityResponseOf, inForce } from './eligibility.ts';

const coverage = { resourceType: 'Coverage', status: 'active', period: { start: '2026-01-01', end: '2026-12-31' } };

test('in force only when active and the period covers the date', () => {
  const rows: [Record<string, unknown>, string, boolean, RegExp][] = [
    [coverage, '2026-06-01', true, /in force/],
    [coverage, '2025-12-31', false, /starts 2026-01-01/],
    [coverage, '2027-01-01', false, /ended 2026-12-31/],
    [{ ...coverage, status: 'cancelled' }, '2026-06-01', false, /cancelled/],
  ];
  for (const [c, d, expected, why] of rows) {
    const r = inForce(c, d);
    assert.equal(r.inforce, expected, d);
    assert.match(r.reason, why);
  }
});

test('the response names the coverage and says in force, or says why it is an error', () => {
  const request = { resourceType: 'CoverageEligibilityRequest', patient: { reference: 'Patient/p' }, insurance: [{ coverage: { reference: 'Coverage/cov-1' } }] };
  assert.equal(coverageIdOf(request), 'cov-1');
  const ok = eligibilityResponseOf(request, { id: 'e1', insurer: '0xi', coverage, coverageId: 'cov-1', date: '2026-06-01', created: '2026-06-01' });
  assert.equal(ok.outcome, 'complete');
  assert.deepEqual((ok.insurance as { inforce: boolean }[])[0]!.inforce, true);
  const missing = eligibilityResponseOf(request, { id: 'e2', insurer: '0xi', coverageId: 'cov-9', date: '2026-06-01', created: '2026-06-01' });
  assert.equal(missing.outcome, 'error');
  assert.match(JSON.stringify(missing.error), /Coverage\/cov-9 is not held/);
});
