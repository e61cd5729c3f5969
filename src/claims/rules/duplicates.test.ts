import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { duplicateRule } from './duplicates.ts';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { claim } from './testing.ts';

const rule = duplicateRule();

describe('duplicate-claim', () => {
  test('an exact resubmission under another claim id is one high flag naming the other claim', async () => {
    const prior = claim({ id: 'C-1', lines: ['99213', { code: '36415', qty: 1 }] });
    const now = claim({ id: 'C-2', lines: ['99213', { code: '36415', qty: 1 }] });
    const flags = await rule.evaluate(now, new InMemoryClaimFacts({ claims: [prior] }));
    assert.equal(flags.length, 1);
    assert.equal(flags[0]!.severity, 'high');
    assert.equal(flags[0]!.score, 0.95);
    assert.deepEqual(flags[0]!.evidence.claims, ['C-1']);
    assert.deepEqual(flags[0]!.evidence.lines, [1, 2]);
    assert.match(flags[0]!.explanation, /exactly repeat every line of claim C-1/);
  });

  const near: [string, Parameters<typeof claim>[0]['lines'][number], RegExp][] = [
    ['a day later', { code: '99213', date: '2024-03-06' }, /dated 2024-03-05 there, 2024-03-06 here/],
    ['a day earlier', { code: '99213', date: '2024-03-04' }, /dated 2024-03-05 there, 2024-03-04 here/],
    ['with another modifier', { code: '99213', mods: ['25'] }, /modifiers none there, 25 here/],
    ['with other units', { code: '99213', qty: 2 }, /1 unit there, 2 units here/],
  ];
  for (const [name, line, why] of near) {
    test(`the same code ${name} is a medium near-duplicate that says what differs`, async () => {
      const prior = claim({ id: 'C-1', lines: ['99213'] });
      const flags = await rule.evaluate(claim({ id: 'C-2', lines: [line] }), new InMemoryClaimFacts({ claims: [prior] }));
      assert.equal(flags.length, 1);
      assert.equal(flags[0]!.severity, 'medium');
      assert.equal(flags[0]!.evidence.details?.match, 'near');
      assert.match(flags[0]!.explanation, why);
    });
  }

  test('a repeat-procedure modifier (76) on an otherwise identical line is only a low flag', async () => {
    const prior = claim({ id: 'C-1', lines: ['93000'] });
    const flags = await rule.evaluate(claim({ id: 'C-2', lines: [{ code: '93000', mods: ['76'] }] }), new InMemoryClaimFacts({ claims: [prior] }));
    assert.equal(flags.length, 1);
    assert.equal(flags[0]!.severity, 'low');
    assert.equal(flags[0]!.evidence.details?.match, 'declared-repeat');
  });

  test('an exact line and a near line against the same claim give one high and one medium flag', async () => {
    const prior = claim({ id: 'C-1', lines: ['99213', '36415'] });
    const flags = await rule.evaluate(claim({ id: 'C-2', lines: ['99213', { code: '36415', qty: 3 }] }), new InMemoryClaimFacts({ claims: [prior] }));
    assert.deepEqual(
      flags.map((f) => [f.severity, f.evidence.lines]),
      [
        ['high', [1]],
        ['medium', [2]],
      ],
    );
  });

  const negatives: [string, Parameters<typeof claim>[0]][] = [
    ['two days apart', { id: 'C-2', lines: [{ code: '99213', date: '2024-03-07' }] }],
    ['another code', { id: 'C-2', lines: ['99214'] }],
    ['another provider', { id: 'C-2', provider: 'Practitioner/dr2', lines: ['99213'] }],
    ['another member', { id: 'C-2', patient: 'Patient/p2', lines: ['99213'] }],
    ['the same claim id (the claim itself on the registry)', { id: 'C-1', lines: ['99213'] }],
  ];
  for (const [name, spec] of negatives) {
    test(`no flag for ${name}`, async () => {
      const prior = claim({ id: 'C-1', lines: ['99213'] });
      assert.deepEqual(await rule.evaluate(claim(spec), new InMemoryClaimFacts({ claims: [prior] })), []);
    });
  }

  test('nearDays widens the window', async () => {
    const prior = claim({ id: 'C-1', lines: ['99213'] });
    const later = claim({ id: 'C-2', lines: [{ code: '99213', date: '2024-03-08' }] });
    assert.equal((await duplicateRule({ nearDays: 3 }).evaluate(later, new InMemoryClaimFacts({ claims: [prior] }))).length, 1);
  });

  test('identical lines within one claim are flagged, lines differing in units are not', async () => {
    const flags = await rule.evaluate(claim({ lines: ['97110', '97110', { code: '97140', qty: 1 }, { code: '97140', qty: 2 }] }), new InMemoryClaimFacts());
    assert.equal(flags.length, 1);
    assert.deepEqual(flags[0]!.evidence.lines, [1, 2]);
    assert.match(flags[0]!.explanation, /Line 2 repeats line 1 of the same claim exactly/);
  });
});

test('duplicate-claim: a claim of another type (pharmacy vs institutional) is not a duplicate', async () => {
  const prior = claim({ id: 'C-1', type: 'institutional', lines: ['99213'] });
  assert.deepEqual(await duplicateRule().evaluate(claim({ id: 'C-2', type: 'pharmacy', lines: ['99213'] }), new InMemoryClaimFacts({ claims: [prior] })), []);
});
