import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Hex } from 'viem';
import { ANSWERS, decide, lmsOf, type Answer, type VerificationFacts } from './decide.ts';

const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const [M, D, P, CASE] = [h(1), h(2), h(3), h(4)];
const base: VerificationFacts = {
  request: { gtin: '00614141123452', serial: 'S1', lot: 'L1', expiry: '2030-01-31' },
  known: { lot: 'L1', expiry: '2030-01-31', manufacturer: M },
  onLedger: true,
  prefixOwner: M,
  custody: { holder: P, inTransit: null, sealedIn: null, state: 'active' },
  statuses: [],
  today: '2027-06-01',
};

test('each fact gives its answer and its LMS fields', () => {
  const cases: [string, VerificationFacts, Answer, ReturnType<typeof lmsOf>][] = [
    ['all good', base, 'verified', { verified: true }],
    ['no record', { ...base, known: undefined }, 'unknown-serial', { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' }],
    ['not on the ledger', { ...base, onLedger: false }, 'unknown-serial', { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' }],
    ['wrong lot', { ...base, request: { ...base.request, lot: 'L9' } }, 'mismatch', { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' }],
    ['wrong expiry', { ...base, request: { ...base.request, expiry: '2031-01-31' } }, 'mismatch', { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Expiry' }],
    ['both wrong', { ...base, request: { ...base.request, lot: 'X', expiry: '2031-01-31' } }, 'mismatch', { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot_Expiry' }],
    ['dispensed', { ...base, custody: { ...base.custody!, state: 'dispensed' } }, 'dispensed', { verified: false, verificationFailureReason: 'Not_for_re-distribution' }],
    ['lot recalled', { ...base, statuses: [{ status: 'recalled', source: 'lot', subject: h(9), by: M }] }, 'recalled', { verified: false, verificationFailureReason: 'Manufacturer_policy', additionalInfo: 'Recalled' }],
    ['expired', { ...base, today: '2030-02-01' }, 'expired', { verified: false, verificationFailureReason: 'Manufacturer_policy', additionalInfo: 'Expired' }],
    ['stolen pallet', { ...base, statuses: [{ status: 'stolen', source: 'container', subject: CASE, by: D }] }, 'stolen', { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Suspect' }],
    ['suspect', { ...base, statuses: [{ status: 'suspect', source: 'unit', subject: h(9), by: P }] }, 'suspect', { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Suspect' }],
    ['illegitimate', { ...base, statuses: [{ status: 'illegitimate', source: 'unit', subject: h(9), by: M }] }, 'illegitimate', { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Illegitimate' }],
    ['foreign prefix', { ...base, prefixOwner: D }, 'illegitimate', { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Illegitimate' }],
    ['sender is not the holder', { ...base, request: { ...base.request, sender: D } }, 'broken-custody', { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Suspect' }],
    ['sender ships it, in transit', { ...base, request: { ...base.request, sender: P }, custody: { ...base.custody!, holder: P, inTransit: { from: P, to: D } } }, 'verified', { verified: true }],
    ['claimed in a case, but loose', { ...base, request: { ...base.request, parent: CASE } }, 'aggregation-mismatch', { verified: false, verificationFailureReason: 'No_reason_provided', additionalInfo: 'Suspect' }],
    ['claimed in an unknown case', { ...base, request: { ...base.request, parent: null } }, 'aggregation-mismatch', { verified: false, verificationFailureReason: 'No_reason_provided', additionalInfo: 'Suspect' }],
    ['in the case it came in', { ...base, request: { ...base.request, parent: CASE }, custody: { ...base.custody!, sealedIn: CASE } }, 'verified', { verified: true }],
  ];
  for (const [name, facts, answer, lms] of cases) {
    const d = decide(facts);
    assert.equal(d.answer, answer, name);
    assert.deepEqual(d.lms, lms, name);
    assert.equal(d.findings.length > 0, answer !== 'verified', name);
  }
});

test('the most serious finding wins, and every finding is kept', () => {
  const d = decide({ ...base, today: '2031-01-01', custody: { ...base.custody!, state: 'dispensed' }, statuses: [{ status: 'recalled', source: 'lot', subject: h(9), by: M }] });
  assert.equal(d.answer, 'dispensed');
  assert.deepEqual(d.findings.map((f) => f.answer), ['dispensed', 'recalled', 'expired']);
  assert.equal(ANSWERS[0], 'verified');
});
