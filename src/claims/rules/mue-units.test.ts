import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadSyntheticTables } from '../tables/claim-tables.ts';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { mueRule } from './mue-units.ts';
import { claim } from './testing.ts';

// Synthetic practitioner MUEs: 20610 = 2 (MAI 1), 90837 = 1 (MAI 2), 97110 = 6 (MAI 3).
const tables = loadSyntheticTables();
const rule = mueRule();
const empty = new InMemoryClaimFacts({ tables });

describe('mue-units', () => {
  test('MAI 1 checks each line on its own', async () => {
    const split = claim({
      lines: [
        { code: '20610', qty: 2, mods: ['RT'] },
        { code: '20610', qty: 2, mods: ['LT'] },
      ],
    });
    assert.deepEqual(await rule.evaluate(split, empty), []);
    const flags = await rule.evaluate(claim({ lines: [{ code: '20610', qty: 3 }] }), empty);
    assert.equal(flags.length, 1);
    assert.equal(flags[0]!.severity, 'medium');
    assert.equal(
      flags[0]!.explanation,
      'Line 1 bills 3 units of 20610 on 2024-03-05, over the MUE of 2 per line (MAI 1, line edit; rationale: Anatomic Consideration).',
    );
    assert.deepEqual(flags[0]!.evidence.tableRows?.[0]?.row, { code: '20610', value: 2, mai: 1, rationale: 'Anatomic Consideration', setting: 'practitioner' });
  });

  test('MAI 2 sums the date across lines and is high', async () => {
    const flags = await rule.evaluate(claim({ lines: ['90837', { code: '90837', mods: ['59'] }] }), empty);
    assert.equal(flags.length, 1);
    assert.equal(flags[0]!.severity, 'high');
    assert.deepEqual(flags[0]!.evidence.lines, [1, 2]);
    assert.match(
      flags[0]!.explanation,
      /^2 units of 90837 on 2024-03-05 for this member \(line 1: 1; line 2: 1\) exceed the MUE of 1 per date of service \(MAI 2, date of service edit: policy/,
    );
  });

  test("MAI 3 counts the same-day units on the provider's other claims for the member", async () => {
    const earlier = claim({ id: 'C-1', lines: [{ code: '97110', qty: 4 }] });
    const facts = new InMemoryClaimFacts({ tables, claims: [earlier] });
    const flags = await rule.evaluate(claim({ id: 'C-2', lines: [{ code: '97110', qty: 3 }] }), facts);
    assert.equal(flags.length, 1);
    assert.equal(flags[0]!.severity, 'medium');
    assert.deepEqual(flags[0]!.evidence.claims, ['C-1']);
    assert.equal(flags[0]!.evidence.details?.units, 7);
    assert.deepEqual(await rule.evaluate(claim({ id: 'C-2', lines: [{ code: '97110', qty: 2 }] }), facts), []);
  });

  test('other dates, other members and codes without an MUE are not counted', async () => {
    const facts = new InMemoryClaimFacts({
      tables,
      claims: [
        claim({ id: 'C-1', date: '2024-03-04', lines: [{ code: '97110', qty: 6 }] }),
        claim({ id: 'C-3', patient: 'Patient/p2', lines: [{ code: '97110', qty: 6 }] }),
      ],
    });
    assert.deepEqual(
      await rule.evaluate(
        claim({
          id: 'C-2',
          lines: [
            { code: '97110', qty: 6 },
            { code: '99999', qty: 50 },
          ],
        }),
        facts,
      ),
      [],
    );
  });

  test('claims outside the practitioner setting are not checked against the practitioner table', async () => {
    assert.deepEqual(await rule.evaluate(claim({ type: 'institutional', subType: '131', lines: [{ code: '20610', qty: 9 }] }), empty), []);
    assert.deepEqual(await rule.evaluate(claim({ type: 'pharmacy', lines: [{ code: '20610', qty: 9 }] }), empty), []);
  });
});
