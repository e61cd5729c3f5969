import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmTally } from './em-tally.ts';
import { claim } from './rules/testing.ts';

test('counts E/M levels per provider, with every other provider as peers', () => {
  const t = new EmTally();
  t.add(claim({ id: 'a', provider: 'Practitioner/a', lines: [{ code: '99215' }, { code: '99215' }, { code: '36415' }] }));
  t.add(claim({ id: 'b', provider: 'Practitioner/b', lines: [{ code: '99213' }] }));
  t.add(claim({ id: 'c', provider: 'Practitioner/c', lines: [{ code: '99214', qty: 2 }] }));
  const a = t.profile('Practitioner/a')!;
  assert.deepEqual(a.provider, { '99215': 2 });
  assert.deepEqual(a.peers, [{ '99213': 1 }, { '99214': 2 }]);
  assert.equal(t.profile('Practitioner/nobody'), null);
});
