import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exclusionRule } from './exclusion.ts';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { claim } from './testing.ts';

const rule = exclusionRule();
const facts = new InMemoryClaimFacts({
  exclusions: [
    { npi: '1234567893', exclusion: { list: 'LEIE', type: '1128a1', since: '2023-06-20', source: '2024-02 LEIE' } },
    { npi: '1245319599', exclusion: { list: 'LEIE', type: '1128b4', since: '2020-01-01', reinstated: '2024-01-01' } },
  ],
});

describe('provider-excluded', () => {
  test('an excluded billing NPI is a critical flag naming the list, type and start date', async () => {
    const flags = await rule.evaluate(claim({ npi: '1234567893', lines: ['99213', '36415'] }), facts);
    assert.equal(flags.length, 1);
    assert.equal(flags[0]!.severity, 'critical');
    assert.deepEqual(flags[0]!.evidence.lines, [1, 2]);
    assert.equal(
      flags[0]!.explanation,
      'NPI 1234567893 (Practitioner/dr1) is on the LEIE exclusion list since 2023-06-20 (type 1128a1), covering the date of service 2024-03-05 of lines 1 and 2.',
    );
    assert.deepEqual(flags[0]!.evidence.proofs, [{ kind: 'exclusion', ref: 'LEIE:1234567893@2024-02 LEIE' }]);
  });

  test('no flag for a service before the exclusion began', async () => {
    assert.deepEqual(await rule.evaluate(claim({ npi: '1234567893', date: '2023-06-19', lines: ['99213'] }), facts), []);
  });

  test('no flag after reinstatement; a flag while excluded', async () => {
    assert.deepEqual(await rule.evaluate(claim({ npi: '1245319599', date: '2024-01-01', lines: ['99213'] }), facts), []);
    assert.equal((await rule.evaluate(claim({ npi: '1245319599', date: '2023-12-31', lines: ['99213'] }), facts)).length, 1);
  });

  test('no flag without an NPI, or with one that is not excluded', async () => {
    assert.deepEqual(await rule.evaluate(claim({ lines: ['99213'] }), facts), []);
    assert.deepEqual(await rule.evaluate(claim({ npi: '1987654325', lines: ['99213'] }), facts), []);
  });

  test('a rendering provider on one line is checked too', async () => {
    const c = claim({ lines: ['99213', { code: '97110', performer: 'Practitioner/pt' }] });
    const withNpi = { ...c, lines: [c.lines[0]!, { ...c.lines[1]!, performer: { key: 'Practitioner/pt', npi: '1234567893' } }] };
    const flags = await rule.evaluate(withNpi, facts);
    assert.deepEqual(flags[0]!.evidence.lines, [2]);
    assert.equal(flags[0]!.evidence.details?.provider, 'Practitioner/pt');
  });
});
