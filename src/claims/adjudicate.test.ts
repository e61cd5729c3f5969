import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimResponseOf, decide, explanationOfBenefitOf } from './adjudicate.ts';
import type { Flag } from './rules/types.ts';

const flag = (rule: string, severity: Flag['severity'], score = 0.5): Flag => ({ rule, severity, score, explanation: `${rule} found something`, evidence: {} });

test('decide: none approves, critical denies, others pend, incomplete pends', () => {
  const rows: [Parameters<typeof decide>[0], string][] = [
    [{ flags: [], complete: true, errors: [], score: 0 }, 'approved'],
    [{ flags: [flag('excluded-provider', 'critical', 0.95), flag('duplicate-claim', 'high')], complete: true, errors: [], score: 0.97 }, 'denied'],
    [{ flags: [flag('duplicate-claim', 'high')], complete: true, errors: [], score: 0.5 }, 'pended'],
    [{ flags: [], complete: false, errors: [{ rule: 'upcoding', message: 'lookup failed' }], score: 0 }, 'pended'],
  ];
  for (const [run, expected] of rows) assert.equal(decide(run).decision, expected);
  assert.match(decide(rows[1]![0]).reason, /excluded-provider/);
  assert.match(decide(rows[3]![0]).reason, /upcoding \(lookup failed\)/);
});

test('ClaimResponse and EOB carry the outcome, the flags and the claim link', () => {
  const claim = { resourceType: 'Claim', patient: { reference: 'Patient/p1' }, provider: { reference: 'Organization/o1' }, type: { text: 'professional' }, insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/c1' } }], item: [{ sequence: 1, productOrService: { text: '99213' }, net: { value: 90 } }] };
  const flags = [flag('duplicate-claim', 'high', 0.8)];
  const decision = decide({ flags, complete: true, errors: [], score: 0.8 });
  const r = claimResponseOf(claim, { id: 'r1', claimId: '0xabc', insurer: '0xins', decision, flags, created: '2026-01-01' });
  assert.equal(r.outcome, 'queued');
  assert.match(JSON.stringify(r.processNote), /\[duplicate-claim\] score 0.8/);
  const eob = explanationOfBenefitOf(claim, r, { id: 'e1', claimId: '0xabc', state: 'pended' });
  assert.equal(eob.outcome, 'queued');
  assert.deepEqual(eob.insurance, [{ focal: true, coverage: { reference: 'Coverage/c1' } }]);
  assert.match(String(eob.disposition), /ledger state: pended/);
});
