/** Scope documents: their hash is order-independent, and what they release, table-driven. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import { scopeDigest } from './commitments.ts';
import { scopeReleases, sensitivityOf, type Scope } from './scope.ts';

const obs = (over: Partial<Resource> = {}): Resource => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...over });
const labelled = (code: string) => obs({ meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code }] } });

test('the scope digest does not depend on order or repetition', () => {
  const a: Scope = { resourceTypes: ['Observation', 'Condition'], sensitive: ['hiv', 'mental-health'] };
  const b: Scope = { resourceTypes: ['Condition', 'Observation', 'Condition'], sensitive: ['mental-health', 'hiv'] };
  assert.equal(scopeDigest(a), scopeDigest(b));
  assert.notEqual(scopeDigest(a), scopeDigest({ resourceTypes: ['Observation', 'Condition'] }));
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

test('sensitive classes from security labels and from codes (a Condition with no label is still sensitive)', () => {
  assert.deepEqual(sensitivityOf(labelled('HIV')), ['hiv']);
  assert.deepEqual(sensitivityOf(labelled('ETH')), ['substance-use']);
  assert.deepEqual(sensitivityOf(obs()), []);
  const hiv: Resource = { resourceType: 'Condition', code: { coding: [{ system: 'http://snomed.info/sct', code: '86406008' }] } };
  const opioid: Resource = { resourceType: 'Condition', code: { coding: [{ system: 'http://snomed.info/sct', code: '5602001' }] } };
  assert.deepEqual(sensitivityOf(hiv), ['hiv']);
  assert.deepEqual(sensitivityOf(opioid), ['substance-use']);
  assert.equal(scopeReleases({ resourceTypes: ['Condition'] }, hiv), false, 'not under a plain Condition grant');
  assert.equal(scopeReleases({ resourceTypes: ['Condition'], sensitive: ['hiv'] }, hiv), true);
});
