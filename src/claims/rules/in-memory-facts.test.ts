import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { claim } from './testing.ts';

test('claim lookups: member+provider by overlapping range, member across providers, provider+day including rendering providers', () => {
  const a = claim({ id: 'A', date: '2024-03-05', lines: ['99213'] });
  const b = claim({ id: 'B', provider: 'Organization/group', date: '2024-03-06', lines: [{ code: '90837', performer: 'Practitioner/t1' }] });
  const span = claim({ id: 'S', type: 'institutional', date: '2024-03-01', lines: [{ code: '0120', end: '2024-03-10' }] });
  const facts = new InMemoryClaimFacts({ claims: [a, b, span] });
  const ids = (cs: readonly { id: string }[]) => cs.map((c) => c.id);
  assert.deepEqual(ids(facts.priorClaims('Patient/p1', 'Practitioner/dr1', { from: '2024-03-05', to: '2024-03-05' })), ['A', 'S']);
  assert.deepEqual(ids(facts.priorClaims('Patient/p1', 'Practitioner/dr1', { from: '2024-03-11', to: '2024-03-12' })), []);
  assert.deepEqual(ids(facts.memberClaims('Patient/p1', { from: '2024-03-06', to: '2024-03-06' })), ['B', 'S']);
  assert.deepEqual(ids(facts.providerClaimsOnDay('Practitioner/t1', '2024-03-06')), ['B']);
  assert.deepEqual(ids(facts.providerClaimsOnDay('Organization/group', '2024-03-06')), ['B']);
  assert.deepEqual(ids(facts.providerClaimsOnDay('Practitioner/dr1', '2024-03-09')), ['S']);
});

test('licence history: null without history, none before the first status, the latest status after', () => {
  const facts = new InMemoryClaimFacts({
    licences: [
      { provider: 'P', status: { status: 'suspended', since: '2024-02-01', sourceBlock: 8 } },
      { provider: 'P', status: { status: 'active', since: '2020-01-01', sourceBlock: 2 } },
    ],
  });
  assert.equal(facts.licenceStatusAt('Q', '2024-01-01'), null);
  assert.equal(facts.licenceStatusAt('P', '2019-12-31')?.status, 'none');
  assert.equal(facts.licenceStatusAt('P', '2024-01-31')?.status, 'active');
  assert.equal(facts.licenceStatusAt('P', '2024-02-01')?.status, 'suspended');
});

test('inpatient stays overlap the asked range; open stays run on', () => {
  const facts = new InMemoryClaimFacts({
    inpatientStays: [
      { patient: 'X', stay: { id: 'S1', facility: 'H', admit: '2024-01-01', discharge: '2024-01-05' } },
      { patient: 'X', stay: { id: 'S2', facility: 'H', admit: '2024-02-01', discharge: null } },
    ],
  });
  assert.deepEqual(
    facts.inpatientStays('X', { from: '2024-01-05', to: '2024-03-01' }).map((s) => s.id),
    ['S1', 'S2'],
  );
  assert.deepEqual(
    facts.inpatientStays('X', { from: '2024-01-06', to: '2024-01-31' }).map((s) => s.id),
    [],
  );
});
