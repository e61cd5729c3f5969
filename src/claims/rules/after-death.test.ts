import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { afterDeathRule } from './after-death.ts';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { claim, DEFAULT_PATIENT } from './testing.ts';

const rule = afterDeathRule();
const facts = new InMemoryClaimFacts({
  deaths: [{ patient: DEFAULT_PATIENT, death: { date: '2024-02-22', source: 'Patient/p1 deceasedDateTime, block 700' } }],
});

describe('service-after-death', () => {
  test('lines after the death date are one critical flag citing the death date and its source', async () => {
    const c = claim({
      lines: [
        { code: '99213', date: '2024-02-22' },
        { code: '99213', date: '2024-03-05' },
        { code: '36415', date: '2024-03-05' },
      ],
    });
    const flags = await rule.evaluate(c, facts);
    assert.equal(flags.length, 1);
    assert.equal(flags[0]!.severity, 'critical');
    assert.deepEqual(flags[0]!.evidence.lines, [2, 3]);
    assert.deepEqual(flags[0]!.evidence.dates, ['2024-02-22', '2024-03-05']);
    assert.equal(
      flags[0]!.explanation,
      "Lines 2 (99213 on 2024-03-05) and 3 (36415 on 2024-03-05) are dated after the patient's recorded death on 2024-02-22 (source: Patient/p1 deceasedDateTime, block 700), up to 12 days later.",
    );
  });

  test('a service on the day of death is not flagged', async () => {
    assert.deepEqual(await rule.evaluate(claim({ date: '2024-02-22', lines: ['99291'] }), facts), []);
  });

  test('a stay running past the death date is a high flag', async () => {
    const flags = await rule.evaluate(claim({ type: 'institutional', lines: [{ code: '0120', date: '2024-02-20', end: '2024-02-25' }] }), facts);
    assert.equal(flags.length, 1);
    assert.equal(flags[0]!.severity, 'high');
    assert.match(flags[0]!.explanation, /runs past the patient's recorded death on 2024-02-22/);
  });

  test('no flag for a living patient', async () => {
    assert.deepEqual(await rule.evaluate(claim({ patient: 'Patient/alive', lines: ['99213'] }), facts), []);
  });
});
