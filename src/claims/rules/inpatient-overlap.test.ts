import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { inpatientOverlapRule } from './inpatient-overlap.ts';
import { claim } from './testing.ts';

const rule = inpatientOverlapRule();
const facts = new InMemoryClaimFacts({
  inpatientStays: [
    {
      patient: 'Patient/p1',
      stay: { id: 'Encounter/stay-1', facility: 'Organization/hospital', admit: '2024-03-01', discharge: '2024-03-08', claimId: 'IP-1' },
    },
  ],
});

describe('billed-during-inpatient-stay', () => {
  const cases: [string, Parameters<typeof claim>[0], number][] = [
    ['an office visit (POS 11) mid-stay', { lines: [{ code: '99213', pos: '11' }] }, 1],
    ['a hospital visit (POS 21) mid-stay', { lines: [{ code: '99232', pos: '21' }] }, 0],
    ['a professional line without a place of service', { lines: ['99213'] }, 0],
    ['an office visit on the admission day', { date: '2024-03-01', lines: [{ code: '99213', pos: '11' }] }, 0],
    ['an office visit on the discharge day', { date: '2024-03-08', lines: [{ code: '99213', pos: '11' }] }, 0],
    ['an office visit after the stay', { date: '2024-03-09', lines: [{ code: '99213', pos: '11' }] }, 0],
    ['an outpatient facility claim mid-stay', { type: 'institutional', subType: '131', provider: 'Organization/other', lines: ['36415'] }, 1],
    ["the stay's own inpatient claim", { id: 'IP-1', type: 'institutional', subType: '111', provider: 'Organization/hospital', lines: ['0120'] }, 0],
    ['a pharmacy claim', { type: 'pharmacy', lines: [{ code: '562721', pos: '01' }] }, 0],
    ['another patient', { patient: 'Patient/p2', lines: [{ code: '99213', pos: '11' }] }, 0],
  ];
  for (const [name, spec, expected] of cases) {
    test(`${name}: ${expected} flag(s)`, async () => {
      assert.equal((await rule.evaluate(claim(spec), facts)).length, expected);
    });
  }

  test('the flag names the stay, its dates and the line', async () => {
    const [f] = await rule.evaluate(
      claim({
        lines: [
          { code: '99213', pos: '11' },
          { code: '99232', pos: '21' },
        ],
      }),
      facts,
    );
    assert.equal(
      f!.explanation,
      'Line 1 (99213 on 2024-03-05, place of service 11) is billed outside an inpatient setting while the patient was admitted (stay Encounter/stay-1 at Organization/hospital, admitted 2024-03-01, discharged 2024-03-08).',
    );
    assert.deepEqual(f!.evidence.lines, [1]);
    assert.deepEqual(f!.evidence.claims, ['IP-1']);
  });

  test('a stay not yet discharged covers every later date', async () => {
    const open = new InMemoryClaimFacts({
      inpatientStays: [{ patient: 'Patient/p1', stay: { id: 'E2', facility: 'Organization/h', admit: '2024-01-01', discharge: null } }],
    });
    const [f] = await rule.evaluate(claim({ lines: [{ code: '99213', pos: '12' }] }), open);
    assert.match(f!.explanation, /not yet discharged/);
  });
});
