import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadSyntheticTables } from '../tables/claim-tables.ts';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { ptpRule } from './ptp-unbundling.ts';
import { claim } from './testing.ts';

// Synthetic practitioner edits used here (src/claims/tables/data/ptp-practitioner.synthetic.txt):
//   93000/93005 indicator 0 since 1996; 20610/20605 indicator 1; 17000/11900 indicator 9;
//   12001/11042 indicator 1, 2015-01-01 to deletion 2018-01-01;
//   96372/99211 indicator 0 2010-01-01..2015-01-01, then indicator 1 from 2019-01-01.
const tables = loadSyntheticTables();
const rule = ptpRule();
const facts = new InMemoryClaimFacts({ tables });

describe('ncci-ptp', () => {
  test('an indicator-0 pair is a high flag on the column 2 line, citing the table row', async () => {
    const flags = await rule.evaluate(claim({ lines: ['93000', '93005'] }), facts);
    assert.equal(flags.length, 1);
    const f = flags[0]!;
    assert.equal(f.severity, 'high');
    assert.deepEqual(f.evidence.lines, [1, 2]);
    assert.equal(
      f.explanation,
      'line 2 (93005) is the column 2 code of NCCI PTP edit 93000/93005 with line 1 (93000) on 2024-03-05, in force since 1996-01-01; modifier indicator 0: no modifier allows both.',
    );
    assert.deepEqual(f.evidence.tableRows?.[0]?.row, {
      column1: '93000',
      column2: '93005',
      effective: '1996-01-01',
      deletion: null,
      modifierIndicator: 0,
      rationale: 'Misuse of column two code with column one code',
    });
    assert.equal(f.evidence.tableRows?.[0]?.line, 16);
  });

  test('indicator 0 is not bypassed by a modifier', async () => {
    const flags = await rule.evaluate(claim({ lines: ['93000', { code: '93005', mods: ['59'] }] }), facts);
    assert.match(flags[0]!.explanation, /the 59 reported does not/);
  });

  const modifierCases: [string, string[], string[], number][] = [
    ['indicator 1 without a modifier', [], [], 1],
    ['indicator 1 with 59 on column 2', [], ['59'], 0],
    ['indicator 1 with XS on column 2', [], ['XS'], 0],
    ['indicator 1 with RT on column 1', ['RT'], [], 0],
    ['indicator 1 with a modifier NCCI does not associate (26)', [], ['26'], 1],
  ];
  for (const [name, mods1, mods2, expected] of modifierCases) {
    test(`${name}: ${expected} flag(s)`, async () => {
      const flags = await rule.evaluate(
        claim({
          lines: [
            { code: '20610', mods: mods1 },
            { code: '20605', mods: mods2 },
          ],
        }),
        facts,
      );
      assert.equal(flags.length, expected);
      if (expected) assert.equal(flags[0]!.severity, 'medium');
    });
  }

  const dated: [string, string, string[], number][] = [
    ['indicator 9 never applies', '2020-01-01', ['17000', '11900'], 0],
    ['before the effective date', '2014-12-31', ['12001', '11042'], 0],
    ['in force', '2017-12-31', ['12001', '11042'], 1],
    ['on the deletion date', '2018-01-01', ['12001', '11042'], 0],
    ['first period of a re-added edit (indicator 0)', '2012-06-01', ['96372', '99211'], 1],
    ['gap between the periods', '2016-06-01', ['96372', '99211'], 0],
    ['second period (indicator 1, no modifier)', '2020-06-01', ['96372', '99211'], 1],
  ];
  for (const [name, date, codes, expected] of dated) {
    test(`${name} (${date}): ${expected} flag(s)`, async () => {
      assert.equal((await rule.evaluate(claim({ date, lines: codes }), facts)).length, expected);
    });
  }

  test('the pair across two claims of the same provider and member on the same day is flagged with the other claim', async () => {
    const other = new InMemoryClaimFacts({ tables, claims: [claim({ id: 'C-1', lines: ['93000'] })] });
    const flags = await rule.evaluate(claim({ id: 'C-2', lines: ['93005'] }), other);
    assert.equal(flags.length, 1);
    assert.deepEqual(flags[0]!.evidence.claims, ['C-1']);
    assert.deepEqual(flags[0]!.evidence.lines, [1]);
    assert.match(flags[0]!.explanation, /^line 1 \(93005\) is the column 2 code of NCCI PTP edit 93000\/93005 with claim C-1 line 1 \(93000\)/);
  });

  test('the reverse order (column 2 code on file, column 1 code now) is found too', async () => {
    const other = new InMemoryClaimFacts({ tables, claims: [claim({ id: 'C-1', lines: ['93005'] })] });
    const flags = await rule.evaluate(claim({ id: 'C-2', lines: ['93000'] }), other);
    assert.match(flags[0]!.explanation, /^claim C-1 line 1 \(93005\) is the column 2 code/);
  });

  test('no flag across different days, providers or members', async () => {
    const other = new InMemoryClaimFacts({
      tables,
      claims: [
        claim({ id: 'C-1', date: '2024-03-04', lines: ['93000'] }),
        claim({ id: 'C-3', provider: 'Practitioner/dr9', lines: ['93000'] }),
        claim({ id: 'C-4', patient: 'Patient/p9', lines: ['93000'] }),
      ],
    });
    assert.deepEqual(await rule.evaluate(claim({ id: 'C-2', lines: ['93005'] }), other), []);
  });

  test('codes in reverse column order within a claim are not an edit', async () => {
    // 97140/97530 exists, 97530/97140 does not: one flag, not two.
    assert.equal((await rule.evaluate(claim({ lines: ['97530', '97140'] }), facts)).length, 1);
  });
});
