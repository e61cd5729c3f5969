import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInpatientClaim, linesByDate, listText, ncciSetting, score } from './claim-helpers.ts';
import { claim } from './testing.ts';

test('ncciSetting: practitioner tables for professional claims, outpatient hospital for outpatient bills, none otherwise', () => {
  const cases: [string | undefined, string | undefined, string | null][] = [
    ['professional', undefined, 'practitioner'],
    [undefined, undefined, 'practitioner'],
    ['institutional', '131', 'outpatient-hospital'],
    ['institutional', '0831', 'outpatient-hospital'],
    ['institutional', '111', null],
    ['institutional', '0211', null],
    ['pharmacy', undefined, null],
    ['oral', undefined, null],
    ['vision', undefined, null],
  ];
  for (const [type, subType, expected] of cases) {
    const c = { ...claim({ lines: ['99213'] }), type, ...(subType && { subType }) };
    assert.equal(ncciSetting(c), expected, `${type} ${subType}`);
  }
  assert.equal(isInpatientClaim({ ...claim({ lines: [] }), type: 'institutional', subType: '111' }), true);
});

test('linesByDate keeps first-seen date order', () => {
  const m = linesByDate(
    claim({
      lines: [
        { code: 'A0001', date: '2024-03-06' },
        { code: 'A0002', date: '2024-03-05' },
        { code: 'A0003', date: '2024-03-06' },
      ],
    }),
  );
  assert.deepEqual([...m.keys()], ['2024-03-06', '2024-03-05']);
  assert.deepEqual(
    m.get('2024-03-06')!.map((l) => l.sequence),
    [1, 3],
  );
});

test('listText and score', () => {
  assert.equal(listText([]), '');
  assert.equal(listText([1]), '1');
  assert.equal(listText([1, 2]), '1 and 2');
  assert.equal(listText([1, 2, 3]), '1, 2 and 3');
  assert.equal(score(1.7), 1);
  assert.equal(score(-1), 0);
  assert.equal(score(0.12345), 0.123);
});
