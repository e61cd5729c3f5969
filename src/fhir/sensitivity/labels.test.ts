import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../shared/canonical-json.ts';
import type { Resource } from '../types.ts';
import { sensitivityOf } from './classify.ts';
import { CLASS_DEFAULT_LABEL, CLASS_LABELS, EMITTED_LABELS, missingSecurityLabels, SENSITIVE_CLASSES, withSecurityLabels } from './labels.ts';

const SCT = 'http://snomed.info/sct';
const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

const R = { system: CONF, code: 'R', display: 'restricted' };
const HIV = { system: ACT, code: 'HIV', display: 'HIV/AIDS information sensitivity' };
const hivCondition = (meta?: Resource['meta']): Resource => ({
  resourceType: 'Condition',
  id: 'c1',
  ...(meta ? { meta } : {}),
  code: { coding: [{ system: SCT, code: '86406008', display: 'Human immunodeficiency virus infection' }] },
});
const codesOf = (r: Resource) => (r.meta?.security ?? []).map((s) => `${s.system === ACT ? 'ActCode' : s.system === CONF ? 'Conf' : s.system ?? '-'}#${s.code}`);

describe('withSecurityLabels', () => {
  it('adds Confidentiality R and ActCode HIV to an unlabelled HIV Condition (the security review case)', () => {
    const out = withSecurityLabels(hivCondition());
    assert.deepEqual(out.meta?.security, [R, HIV]);
    assert.deepEqual([...sensitivityOf(out)], ['hiv']);
  });

  it('adds R, ETH and OPIOIDUD to an opioid abuse Condition (SNOMED 5602001)', () => {
    const out = withSecurityLabels({ resourceType: 'Condition', code: { coding: [{ system: SCT, code: '5602001' }] } });
    assert.deepEqual(codesOf(out), ['Conf#R', 'ActCode#ETH', 'ActCode#OPIOIDUD']);
  });

  it('writes labels in a fixed order whatever the order of the codes', () => {
    const a: Resource = { resourceType: 'Claim', item: [{ productOrService: { coding: [{ system: ICD, code: 'F10.20' }] } }, { productOrService: { coding: [{ system: SCT, code: '86406008' }] } }] };
    const b: Resource = { resourceType: 'Claim', item: [...(a.item as unknown[])].reverse() };
    assert.deepEqual(codesOf(withSecurityLabels(a)), ['Conf#R', 'ActCode#HIV', 'ActCode#ETH', 'ActCode#ETHUD']);
    assert.deepEqual(codesOf(withSecurityLabels(b)), codesOf(withSecurityLabels(a)));
  });

  const dedupe: [string, { system?: string; code: string }[], string[]][] = [
    ['keeps an existing HIV label and adds only R', [{ system: ACT, code: 'HIV' }], ['ActCode#HIV', 'Conf#R']],
    ['keeps an existing R and adds only HIV', [{ system: CONF, code: 'R' }], ['Conf#R', 'ActCode#HIV']],
    ['treats the ActCode OID as the same system', [{ system: 'urn:oid:2.16.840.1.113883.5.4', code: 'HIV' }, { system: 'urn:oid:2.16.840.1.113883.5.25', code: 'R' }], ['urn:oid:2.16.840.1.113883.5.4#HIV', 'urn:oid:2.16.840.1.113883.5.25#R']],
    ['treats a label without system as present', [{ code: 'HIV' }, { code: 'R' }], ['-#HIV', '-#R']],
    ['does not add R when the author set V', [{ system: CONF, code: 'V' }], ['Conf#V', 'ActCode#HIV']],
    ['keeps an author N and still adds R (never removes a label)', [{ system: CONF, code: 'N' }], ['Conf#N', 'Conf#R', 'ActCode#HIV']],
    ['keeps unrelated labels in their order', [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST' }, { system: ACT, code: 'PSY' }], ['http://terminology.hl7.org/CodeSystem/v3-ActReason#HTEST', 'ActCode#PSY', 'Conf#R', 'ActCode#HIV']],
    ['does not count a label from an unknown system', [{ system: 'http://example.org', code: 'HIV' }], ['http://example.org#HIV', 'Conf#R', 'ActCode#HIV']],
  ];
  for (const [what, security, expected] of dedupe) {
    it(what, () => assert.deepEqual(codesOf(withSecurityLabels(hivCondition({ security }))), expected));
  }

  it('adds R to a resource that is sensitive by its labels only', () => {
    const out = withSecurityLabels({ resourceType: 'DocumentReference', meta: { security: [{ system: ACT, code: 'PSYTHPN' }] } });
    assert.deepEqual(codesOf(out), ['ActCode#PSYTHPN', 'Conf#R']);
  });

  it('adds nothing to a resource that is only restricted (bare R)', () => {
    const r: Resource = { resourceType: 'Condition', meta: { security: [{ system: CONF, code: 'R' }] } };
    assert.equal(withSecurityLabels(r), r);
  });

  it('returns the same object when nothing is missing, and for a non-sensitive resource', () => {
    const labelled = withSecurityLabels(hivCondition());
    assert.equal(withSecurityLabels(labelled), labelled);
    const plain: Resource = { resourceType: 'Condition', code: { coding: [{ system: SCT, code: '38341003' }] } };
    assert.equal(withSecurityLabels(plain), plain);
    assert.deepEqual(missingSecurityLabels(plain), []);
  });

  it('never mutates its input and keeps the rest of meta', () => {
    const input = hivCondition({ versionId: '3', security: [{ system: ACT, code: 'HIV' }] });
    const before = canonicalJson(input);
    const out = withSecurityLabels(input);
    assert.equal(canonicalJson(input), before);
    assert.notEqual(out, input);
    assert.equal(out.meta?.versionId, '3');
    assert.equal(out.code, input.code);
  });

  it("judges duplicates against the resource's own labels, not a contained resource's", () => {
    const r: Resource = {
      resourceType: 'MedicationRequest',
      contained: [{ resourceType: 'Medication', id: 'm', meta: { security: [{ system: ACT, code: 'ETH' }, { system: CONF, code: 'R' }] }, code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '351265' }] } }],
      medicationReference: { reference: '#m' },
    };
    assert.deepEqual(codesOf(withSecurityLabels(r)), ['Conf#R', 'ActCode#ETH', 'ActCode#OPIOIDUD']);
  });

  it('is idempotent and leaves the classes unchanged', () => {
    const samples: Resource[] = [
      hivCondition(),
      hivCondition({ security: [{ system: CONF, code: 'R' }] }),
      hivCondition({ security: [{ system: CONF, code: 'V' }] }),
      { resourceType: 'Condition', code: { coding: [{ system: ICD, code: 'Z69.11' }] } },
      { resourceType: 'Observation', code: { coding: [{ system: 'http://loinc.org', code: '69548-6' }] } },
    ];
    for (const r of samples) {
      const once = withSecurityLabels(r);
      assert.equal(withSecurityLabels(once), once);
      assert.deepEqual([...sensitivityOf(once)], [...sensitivityOf(r)]);
    }
  });
});

describe('class ↔ label mapping', () => {
  it('lists the six classes', () => {
    assert.deepEqual([...SENSITIVE_CLASSES], ['restricted', 'hiv', 'substance-use', 'mental-health', 'reproductive', 'genetics']);
  });
  it('each default label is read back as its class', () => {
    for (const [cls, label] of Object.entries(CLASS_DEFAULT_LABEL)) {
      assert.ok(CLASS_LABELS[cls as keyof typeof CLASS_LABELS].includes(label), `${label} → ${cls}`);
      assert.deepEqual([...sensitivityOf({ resourceType: 'Basic', meta: { security: [{ system: ACT, code: label }] } })], [cls]);
    }
  });
  it('every label the classifier writes is read back as a class', () => {
    for (const label of EMITTED_LABELS) {
      assert.ok(Object.values(CLASS_LABELS).some((codes) => codes.includes(label)), label);
    }
  });
});
