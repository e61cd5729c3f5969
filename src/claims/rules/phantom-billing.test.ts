import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { phantomBillingRule } from './phantom-billing.ts';
import type { ClaimFacts } from './types.ts';
import { claim, DEFAULT_PATIENT, DEFAULT_PROVIDER, encounterProof } from './testing.ts';

const rule = phantomBillingRule();
const facts = new InMemoryClaimFacts({
  encounters: [{ provider: DEFAULT_PROVIDER, patient: DEFAULT_PATIENT, date: '2024-03-05', proof: encounterProof() }],
});

describe('no-encounter-proof', () => {
  test('no flag when an anchored encounter backs the date', async () => {
    assert.deepEqual(await rule.evaluate(claim({ lines: ['99213', '36415'] }), facts), []);
  });

  test('a date with no proof is flagged once, citing what was looked for and which lines it concerns', async () => {
    const c = claim({ lines: ['99213', { code: '97110', date: '2024-03-06' }, { code: '97140', date: '2024-03-06' }] });
    const flags = await rule.evaluate(c, facts);
    assert.equal(flags.length, 1);
    const f = flags[0]!;
    assert.equal(f.severity, 'high');
    assert.deepEqual(f.evidence.lines, [2, 3]);
    assert.deepEqual(f.evidence.dates, ['2024-03-06']);
    assert.deepEqual(f.evidence.details, { lookedFor: 'Encounter', patient: DEFAULT_PATIENT, provider: DEFAULT_PROVIDER, date: '2024-03-06', proof: null });
    assert.match(f.explanation, /No anchored Encounter of Patient\/p1 at Practitioner\/dr1 on 2024-03-06 backs lines 2 \(97110\) and 3 \(97140\)/);
  });

  test('a proof at another provider does not count', async () => {
    const flags = await rule.evaluate(claim({ provider: 'Organization/other', lines: ['99213'] }), facts);
    assert.equal(flags.length, 1);
  });

  test('pharmacy claims are skipped unless asked for', async () => {
    const rx = claim({ type: 'pharmacy', lines: [{ code: '562721', date: '2024-04-01' }] });
    assert.deepEqual(await rule.evaluate(rx, facts), []);
    assert.equal((await phantomBillingRule({ skipTypes: [] }).evaluate(rx, facts)).length, 1);
  });

  test('async facts are awaited', async () => {
    const asyncFacts = Object.create(facts) as ClaimFacts;
    asyncFacts.encounterProof = async () => null;
    assert.equal((await rule.evaluate(claim({ lines: ['99213'] }), asyncFacts)).length, 1);
  });
});
