import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadSyntheticTables } from '../tables/claim-tables.ts';
import { impossibleDayRule } from './impossible-day.ts';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { claim } from './testing.ts';

const tables = loadSyntheticTables();
const rule = impossibleDayRule();

/** `n` claims for different patients, each one 90837 (60 min in the synthetic table). */
const psychotherapy = (n: number, provider = 'Practitioner/dr1') =>
  Array.from({ length: n }, (_, i) => claim({ id: `P-${i}`, patient: `Patient/${i}`, provider, lines: ['90837'] }));

describe('impossible-day', () => {
  test('24 hours of 90837 is possible, 25 is not', async () => {
    const ok = new InMemoryClaimFacts({ tables, claims: psychotherapy(23) });
    assert.deepEqual(await rule.evaluate(claim({ id: 'NEW', patient: 'Patient/x', lines: ['90837'] }), ok), []);

    const over = new InMemoryClaimFacts({ tables, claims: psychotherapy(24) });
    const flags = await rule.evaluate(claim({ id: 'NEW', patient: 'Patient/x', lines: ['90837'] }), over);
    assert.equal(flags.length, 1);
    const f = flags[0]!;
    assert.equal(f.evidence.details?.totalMinutes, 1500);
    assert.equal(f.evidence.claims?.length, 24);
    assert.deepEqual(f.evidence.codes, ['90837']);
    assert.equal(f.evidence.tableRows?.[0]?.row.minutes, 60);
    assert.equal(f.evidence.tableRows?.[0]?.synthetic, true);
    assert.equal(
      f.explanation,
      "Practitioner/dr1 billed 1500 minutes (25.0 h) of timed services on 2024-03-05 across 25 claims (this claim's line 1: 60 min), more than the 24 h in a day.",
    );
  });

  test('units multiply the minutes (97110 × 100 = 1500 min in one claim)', async () => {
    const flags = await rule.evaluate(claim({ lines: [{ code: '97110', qty: 100 }] }), new InMemoryClaimFacts({ tables }));
    assert.equal(flags[0]?.evidence.details?.totalMinutes, 1500);
  });

  test('lines are attributed to their rendering provider, not the billing group', async () => {
    const history = psychotherapy(24, 'Organization/group').map((c) => ({
      ...c,
      lines: c.lines.map((l, i) => ({ ...l, performer: { key: `Practitioner/t${c.id}-${i}` } })),
    }));
    const facts = new InMemoryClaimFacts({ tables, claims: history });
    assert.deepEqual(await rule.evaluate(claim({ provider: 'Organization/group', lines: [{ code: '90837', performer: 'Practitioner/x' }] }), facts), []);
  });

  test('other days, untimed codes and the claim itself already on the registry do not count', async () => {
    const otherDay = psychotherapy(30).map((c) => ({ ...c, lines: c.lines.map((l) => ({ ...l, serviceDate: '2024-03-04', serviceEnd: '2024-03-04' })) }));
    const self = claim({ id: 'NEW', lines: [{ code: '90837', qty: 20 }] });
    const facts = new InMemoryClaimFacts({ tables, claims: [...otherDay, self, claim({ lines: [{ code: '36415', qty: 500 }] })] });
    assert.deepEqual(await rule.evaluate(self, facts), []);
  });

  test('maxMinutes is configurable', async () => {
    const flags = await impossibleDayRule({ maxMinutes: 600 }).evaluate(claim({ lines: [{ code: '90837', qty: 11 }] }), new InMemoryClaimFacts({ tables }));
    assert.equal(flags.length, 1);
  });
});
