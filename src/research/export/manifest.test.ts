import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manifestHash, manifestOf } from './manifest.ts';

test('the manifest hash is order-independent and changes with any resource', () => {
  const study = `0x${'aa'.repeat(32)}` as const;
  const a = { resourceType: 'Observation', id: 'x', valueQuantity: { value: 1 } };
  const b = { resourceType: 'Patient', id: 'y', gender: 'female' };
  const h = manifestHash(manifestOf(study, [a, b]));
  assert.equal(manifestHash(manifestOf(study, [b, a])), h);
  assert.notEqual(manifestHash(manifestOf(study, [a])), h);
  assert.notEqual(manifestHash(manifestOf(study, [a, { ...b, gender: 'male' }])), h);
  assert.notEqual(manifestHash(manifestOf(`0x${'bb'.repeat(32)}`, [a, b])), h);
});
