/** Scope documents: their hash is order-independent, and what they release, table-driven. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import { scopeHash, scopeReleases, sensitivityOf, type Scope } from './scope.ts';

const obs = (over: Partial<Resource> = {}): Resource => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...over });
const labelled = (code: string) => obs({ meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code }] } });

test('the scope hash does not depend on order or repetition', () => {
  const a: Scope = { resourceTypes: ['Observation', 'Condition'], sensitive: ['hiv', 'mental-health'] };
  const b: Scope = { resourceTypes: ['Condition', 'Observation', 'Condition'], sensitive: ['mental-health', 'hiv'] };
  assert.equal(scopeHash(a), scopeHash(b));
  assert.notEqual(scopeHash(a), scopeHash({ resourceTypes: ['Observation', 'Condition'] }));
});

test('what a scope releases', () => {
  const cases: [string, Scope, Resource, boolean][] = [
    ['a listed type', { resourceTypes: ['Observation'] }, obs(), true],
    ['an unlisted type', { resourceTypes: ['Condition'] }, obs(), false],
    ['the Patient comes with any scope', { resourceTypes: ['Condition'] }, { resourceType: 'Patient' }, true],
    ['a matching category', { resourceTypes: ['Observation'], categories: ['vital-signs'] }, obs({ category: [{ coding: [{ code: 'vital-signs' }] }] }), true],
    ['another category', { resourceTypes: ['Observation'], categories: ['laboratory'] }, obs({ category: [{ coding: [{ code: 'vital-signs' }] }] }), false],
    ['sensitive data not named', { resourceTypes: ['Observation'] }, labelled('PSY'), false],
    ['sensitive data named', { resourceTypes: ['Observation'], sensitive: ['mental-health'] }, labelled('PSY'), true],
    ['another sensitive class named', { resourceTypes: ['Observation'], sensitive: ['hiv'] }, labelled('PSY'), false],
  ];
  for (const [what, scope, resource, released] of cases) assert.equal(scopeReleases(scope, resource), released, what);
});

test('sensitive classes from security labels', () => {
  assert.deepEqual(sensitivityOf(labelled('HIV')), ['hiv']);
  assert.deepEqual(sensitivityOf(labelled('ETH')), ['substance-use']);
  assert.deepEqual(sensitivityOf(obs()), []);
});
