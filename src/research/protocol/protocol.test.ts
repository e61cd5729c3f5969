import assert from 'node:assert/strict';
import { test } from 'node:test';
import { protocolHash, scopeCovers, studyGranteeLabel, studyIdOf, subjectTagOf, type ProtocolVersionDoc } from './protocol.ts';

const base: ProtocolVersionDoc = {
  study: { resourceType: 'ResearchStudy', id: 's1', status: 'active', meta: { versionId: '1' } },
  document: 'Protocol v1',
  outcomes: [{ name: 'Change in HbA1c', measure: 'HbA1c (%)', timeFrame: '12 weeks', kind: 'primary' }],
  scope: { resourceTypes: ['Observation'] },
};

test('the protocol hash covers the study, the document, the outcomes and the scope, not meta', () => {
  const h = protocolHash(base);
  assert.equal(protocolHash({ ...base, study: { ...base.study, meta: { versionId: '7' } } }), h);
  for (const changed of [
    { ...base, document: 'Protocol v1.1' },
    { ...base, study: { ...base.study, status: 'closed-to-accrual' } },
    { ...base, outcomes: [{ ...base.outcomes[0]!, timeFrame: '24 weeks' }] },
    { ...base, scope: { resourceTypes: ['Observation', 'Condition'] } },
  ]) assert.notEqual(protocolHash(changed), h);
});

test('ids, labels and tags', () => {
  const sponsor = `0x${'ab'.repeat(32)}` as const;
  assert.equal(studyIdOf(sponsor, 's1'), studyIdOf(sponsor.toUpperCase().replace('0X', '0x') as `0x${string}`, 's1'));
  assert.notEqual(studyIdOf(sponsor, 's1'), studyIdOf(sponsor, 's2'));
  assert.equal(studyGranteeLabel('s1', 3), 'ResearchStudy/s1/_protocol/3');
  const k1 = Buffer.alloc(32, 1);
  const k2 = Buffer.alloc(32, 2);
  assert.equal(subjectTagOf(k1, 'p1'), subjectTagOf(k1, 'p1'));
  assert.notEqual(subjectTagOf(k1, 'p1'), subjectTagOf(k2, 'p1'));
  assert.match(subjectTagOf(k1, 'p1'), /^0x[0-9a-f]{64}$/);
});

test('a consent scope must cover the study scope', () => {
  assert.equal(scopeCovers({ resourceTypes: ['Observation', 'QuestionnaireResponse'] }, { resourceTypes: ['Observation'] }), undefined);
  assert.match(scopeCovers({ resourceTypes: ['Observation'] }, { resourceTypes: ['Observation', 'QuestionnaireResponse'] })!, /QuestionnaireResponse/);
});

test('a wider data scope forces re-consent; otherwise the sponsor decides', async () => {
  const { requiresReconsent } = await import('./protocol.ts');
  assert.deepEqual(requiresReconsent({ resourceTypes: ['Observation'] }, { resourceTypes: ['Observation'] }, false), { reconsent: false });
  assert.deepEqual(requiresReconsent({ resourceTypes: ['Observation'] }, { resourceTypes: ['Observation'] }, true), { reconsent: true });
  assert.equal(requiresReconsent({ resourceTypes: ['Observation'] }, { resourceTypes: ['Observation', 'Condition'] }, false).reconsent, true);
  assert.match(requiresReconsent({ resourceTypes: ['Observation'] }, { resourceTypes: ['Observation'], sensitive: ['hiv'] }, false).forcedBy!, /sensitive/);
});
