import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadSyntheticTables } from '../tables/claim-tables.ts';
import { frequencyLimitRule, windowsFor } from './frequency-limit.ts';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { claim } from './testing.ts';

// Synthetic limits: G0439 1 per days:365; G0438 1 per lifetime; G0446 1 per calendar year.
const tables = loadSyntheticTables();
const rule = frequencyLimitRule();
const withHistory = (...claims: ReturnType<typeof claim>[]) => new InMemoryClaimFacts({ tables, claims });

describe('frequency-limit', () => {
  test('a second annual visit 100 days after the first, at another provider, is flagged', async () => {
    const facts = withHistory(claim({ id: 'C-1', provider: 'Practitioner/dr2', date: '2023-11-26', lines: ['G0439'] }));
    const flags = await rule.evaluate(claim({ id: 'C-2', lines: ['G0439'] }), facts);
    assert.equal(flags.length, 1);
    assert.equal(
      flags[0]!.explanation,
      'G0439 on 2024-03-05 (line 1) makes 2 units for this member within the 365 days from 2023-03-07 to 2024-03-05 (also claim C-1 on 2023-11-26 at Practitioner/dr2); the limit is 1 per 365 days.',
    );
    assert.deepEqual(flags[0]!.evidence.claims, ['C-1']);
    assert.equal(flags[0]!.evidence.tableRows?.[0]?.row.period, '365 days');
  });

  test('365 days apart is allowed, 364 is not', async () => {
    assert.deepEqual(await rule.evaluate(claim({ id: 'C-2', lines: ['G0439'] }), withHistory(claim({ id: 'C-1', date: '2023-03-06', lines: ['G0439'] }))), []);
    assert.equal(
      (await rule.evaluate(claim({ id: 'C-2', lines: ['G0439'] }), withHistory(claim({ id: 'C-1', date: '2023-03-07', lines: ['G0439'] })))).length,
      1,
    );
  });

  test('a late claim for a service before one already on file is caught (forward window)', async () => {
    const facts = withHistory(claim({ id: 'C-1', date: '2024-06-01', lines: ['G0439'] }));
    assert.equal((await rule.evaluate(claim({ id: 'C-2', lines: ['G0439'] }), facts)).length, 1);
  });

  test('lifetime and calendar-year periods', async () => {
    const lifetime = withHistory(claim({ id: 'C-1', date: '2015-01-01', lines: ['G0438'] }));
    assert.match((await rule.evaluate(claim({ id: 'C-2', lines: ['G0438'] }), lifetime))[0]!.explanation, /within a lifetime/);
    const sameYear = withHistory(claim({ id: 'C-1', date: '2024-01-02', lines: ['G0446'] }));
    assert.match((await rule.evaluate(claim({ id: 'C-2', lines: ['G0446'] }), sameYear))[0]!.explanation, /within calendar year 2024/);
    const lastYear = withHistory(claim({ id: 'C-1', date: '2023-12-31', lines: ['G0446'] }));
    assert.deepEqual(await rule.evaluate(claim({ id: 'C-2', lines: ['G0446'] }), lastYear), []);
  });

  test('two units on this claim alone exceed a limit of one', async () => {
    assert.equal((await rule.evaluate(claim({ lines: [{ code: 'G0438', qty: 2 }] }), withHistory())).length, 1);
  });

  test('no flag for the first service, another member, or the claim itself on file', async () => {
    const self = claim({ id: 'C-2', lines: ['G0439'] });
    const facts = withHistory(self, claim({ id: 'C-9', patient: 'Patient/p9', lines: ['G0439'] }));
    assert.deepEqual(await rule.evaluate(self, facts), []);
  });

  test('windowsFor: rolling windows end and start on the date', () => {
    const limit = tables.frequency.get('G0439')!;
    assert.deepEqual(windowsFor(limit, '2024-03-01'), [
      { from: '2023-03-03', to: '2024-03-01' },
      { from: '2024-03-01', to: '2025-02-28' },
    ]);
  });
});
