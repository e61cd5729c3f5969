import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../shared/errors.ts';
import type { Resource } from '../types.ts';
import { classify, matchedCodings, MAX_DEPTH, sensitivityOf } from './classify.ts';
import type { SensitiveClass } from './classes.ts';

const SCT = 'http://snomed.info/sct';
const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
const LNC = 'http://loinc.org';
const RX = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const HCPCS = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
const PCS = 'http://www.cms.gov/Medicare/Coding/ICD10';
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

const condition = (system: string, code: string, extra: Partial<Resource> = {}): Resource => ({
  resourceType: 'Condition',
  code: { coding: [{ system, code }] },
  ...extra,
});
const observation = (system: string, code: string): Resource => ({ resourceType: 'Observation', status: 'final', code: { coding: [{ system, code }] } });
const medication = (code: string): Resource => ({
  resourceType: 'MedicationRequest',
  status: 'active',
  intent: 'order',
  medicationCodeableConcept: { coding: [{ system: RX, code }] },
});
const procedure = (system: string, code: string): Resource => ({ resourceType: 'Procedure', status: 'completed', code: { coding: [{ system, code }] } });

// [what, resource, expected classes]
const cases: [string, Resource, SensitiveClass[]][] = [
  // hiv: HIV and other STIs
  ['SNOMED 86406008 HIV infection (the security review case)', condition(SCT, '86406008'), ['hiv']],
  ['SNOMED 165816005 HIV positive', condition(SCT, '165816005'), ['hiv']],
  ['ICD-10-CM B20', condition(ICD, 'B20'), ['hiv']],
  ['ICD-10-CM Z21', condition(ICD, 'Z21'), ['hiv']],
  ['ICD-10-CM O98.711 HIV in pregnancy', condition(ICD, 'O98.711'), ['hiv']],
  ['ICD-10 (WHO) B24 via its own system URI', condition('http://hl7.org/fhir/sid/icd-10', 'B24'), ['hiv']],
  ['LOINC 56888-1 HIV 1+2 Ab + p24 Ag', observation(LNC, '56888-1'), ['hiv']],
  ['LOINC 75622-1 HIV 1 and 2 tests', observation(LNC, '75622-1'), ['hiv']],
  ['LOINC 20447-9 HIV-1 RNA viral load', observation(LNC, '20447-9'), ['hiv']],
  ['LOINC 55277-8 HIV status (Synthea)', observation(LNC, '55277-8'), ['hiv']],
  ['SNOMED 31676001 HIV antigen test (Synthea)', procedure(SCT, '31676001'), ['hiv']],
  ['RxNorm 1999667 bictegravir/emtricitabine/TAF (Biktarvy)', medication('1999667'), ['hiv']],
  ['ICD-10-CM A54.02 gonococcal vulvovaginitis', condition(ICD, 'A54.02'), ['hiv']],
  ['ICD-10-CM A56.01 chlamydial cystitis', condition(ICD, 'A56.01'), ['hiv']],
  ['LOINC 20507-0 reagin Ab (syphilis)', observation(LNC, '20507-0'), ['hiv']],
  ['SNOMED 269828009 syphilis test (Synthea)', procedure(SCT, '269828009'), ['hiv']],
  // substance-use
  ['SNOMED 5602001 opioid abuse (the security review case)', condition(SCT, '5602001'), ['substance-use']],
  ['SNOMED 55680006 drug overdose (Synthea)', condition(SCT, '55680006'), ['substance-use']],
  ['SNOMED 7200002 alcoholism (Synthea)', condition(SCT, '7200002'), ['substance-use']],
  ['ICD-10-CM F11.20 with the dot', condition(ICD, 'F11.20'), ['substance-use']],
  ['ICD-10-CM F1120 without the dot', condition(ICD, 'F1120'), ['substance-use']],
  ['ICD-10-CM f11.20 in lower case', condition(ICD, 'f11.20'), ['substance-use']],
  ['ICD-10-CM F10.230 alcohol withdrawal', condition(ICD, 'F10.230'), ['substance-use']],
  ['ICD-10-CM F19 category alone', condition(ICD, 'F19'), ['substance-use']],
  ['ICD-10-CM T40.1X1A heroin poisoning', condition(ICD, 'T40.1X1A'), ['substance-use']],
  ['ICD-10-CM O99.320 drug use in pregnancy', condition(ICD, 'O99.320'), ['substance-use']],
  ['ICD-10-CM K70.30 alcoholic cirrhosis', condition(ICD, 'K70.30'), ['substance-use']],
  ['ICD-10-CM via its OID', condition('urn:oid:2.16.840.1.113883.6.90', 'F12.10'), ['substance-use']],
  ['RxNorm 1819 buprenorphine (ingredient)', medication('1819'), ['substance-use']],
  ['RxNorm 351265 buprenorphine 8 MG sublingual tablet', medication('351265'), ['substance-use']],
  ['RxNorm 351267 buprenorphine/naloxone 8/2 MG sublingual tablet', medication('351267'), ['substance-use']],
  ['RxNorm 6813 methadone (ingredient)', medication('6813'), ['substance-use']],
  ['RxNorm 864706 methadone 10 MG oral tablet', medication('864706'), ['substance-use']],
  ['RxNorm 637213 naltrexone 380 MG injection', medication('637213'), ['substance-use']],
  ['RxNorm 197623 disulfiram 250 MG', medication('197623'), ['substance-use']],
  ['RxNorm via its OID', { ...medication('1819'), medicationCodeableConcept: { coding: [{ system: 'urn:oid:2.16.840.1.113883.6.88', code: '1819' }] } }, ['substance-use']],
  ['HCPCS J0571 buprenorphine oral', procedure(HCPCS, 'J0571'), ['substance-use']],
  ['HCPCS h0020 methadone administration, lower case', procedure(HCPCS, 'h0020'), ['substance-use']],
  ['ICD-10-PCS HZ2ZZZZ detoxification services', procedure(PCS, 'HZ2ZZZZ'), ['substance-use']],
  ['LOINC 3879-4 opiates in urine', observation(LNC, '3879-4'), ['substance-use']],
  ['SNOMED 56876005 drug rehabilitation and detoxification (Synthea)', procedure(SCT, '56876005'), ['substance-use']],
  // mental-health
  ['SNOMED 370143000 major depressive disorder (Synthea)', condition(SCT, '370143000'), ['mental-health']],
  ['SNOMED 47505003 PTSD (Synthea)', condition(SCT, '47505003'), ['mental-health']],
  ['SNOMED 192127007 child attention deficit disorder (Synthea)', condition(SCT, '192127007'), ['mental-health']],
  ['ICD-10-CM F32.A depression unspecified', condition(ICD, 'F32.A'), ['mental-health']],
  ['ICD-10-CM F41.1 generalized anxiety disorder', condition(ICD, 'F41.1'), ['mental-health']],
  ['ICD-10-CM F20.9 schizophrenia', condition(ICD, 'F20.9'), ['mental-health']],
  ['ICD-10-CM R45.851 suicidal ideations', condition(ICD, 'R45.851'), ['mental-health']],
  ['ICD-10-CM T42.4X2A benzodiazepine poisoning, intentional self-harm', condition(ICD, 'T42.4X2A'), ['mental-health']],
  ['ICD-10-CM X78.0XXA self-harm by sharp glass', condition(ICD, 'X78.0XXA'), ['mental-health']],
  ['LOINC 44261-6 PHQ-9 total score', observation(LNC, '44261-6'), ['mental-health']],
  ['SNOMED 171207006 depression screening (Synthea)', procedure(SCT, '171207006'), ['mental-health']],
  ['RxNorm 406022 fluoxetine (Synthea)', medication('406022'), ['mental-health']],
  ['RxNorm 36437 sertraline (ingredient)', medication('36437'), ['mental-health']],
  ['RxNorm 1091392 methylphenidate 20 MG (Synthea)', medication('1091392'), ['mental-health']],
  ['HCPCS G0444 annual depression screening', procedure(HCPCS, 'G0444'), ['mental-health']],
  ['ICD-10-PCS GZ50ZZZ individual psychotherapy', procedure(PCS, 'GZ50ZZZ'), ['mental-health']],
  // reproductive (SEX, SDV)
  ['SNOMED 714812005 induced termination of pregnancy (Synthea)', procedure(SCT, '714812005'), ['reproductive']],
  ['ICD-10-CM O04.5 complication following induced termination', condition(ICD, 'O04.5'), ['reproductive']],
  ['ICD-10-CM Z33.2 elective termination of pregnancy', condition(ICD, 'Z33.2'), ['reproductive']],
  ['ICD-10-CM O03.9 spontaneous abortion', condition(ICD, 'O03.9'), ['reproductive']],
  ['ICD-10-CM Z30.430 IUD insertion', condition(ICD, 'Z30.430'), ['reproductive']],
  ['ICD-10-CM N97.9 female infertility', condition(ICD, 'N97.9'), ['reproductive']],
  ['ICD-10-CM T74.21XA adult sexual abuse, confirmed', condition(ICD, 'T74.21XA'), ['reproductive']],
  ['ICD-10-CM Z04.41 examination following alleged adult rape', condition(ICD, 'Z04.41'), ['reproductive']],
  ['SNOMED 65200003 IUD insertion (Synthea)', procedure(SCT, '65200003'), ['reproductive']],
  ['RxNorm 748856 Yaz 28 day pack (Synthea)', medication('748856'), ['reproductive']],
  ['RxNorm 389221 etonogestrel implant (Synthea)', medication('389221'), ['reproductive']],
  ['LOINC 76690-7 sexual orientation (Synthea)', observation(LNC, '76690-7'), ['reproductive']],
  ['LOINC 28245-9 abuse status (Synthea)', observation(LNC, '28245-9'), ['reproductive']],
  ['HCPCS S0199 medically induced abortion', procedure(HCPCS, 'S0199'), ['reproductive']],
  ['ICD-10-PCS 10A07ZZ abortion via natural opening', procedure(PCS, '10A07ZZ'), ['reproductive']],
  // genetics
  ['ICD-10-CM Q90.9 Down syndrome', condition(ICD, 'Q90.9'), ['genetics']],
  ['ICD-10-CM E84.0 cystic fibrosis with pulmonary manifestations', condition(ICD, 'E84.0'), ['genetics']],
  ['ICD-10-CM D57.1 sickle-cell disease without crisis', condition(ICD, 'D57.1'), ['genetics']],
  ['ICD-10-CM Z15.01 genetic susceptibility to breast cancer', condition(ICD, 'Z15.01'), ['genetics']],
  ['LOINC 69548-6 genetic variant assessment', observation(LNC, '69548-6'), ['genetics']],
  ['SNOMED 443529005 prenatal aneuploidy screening (Synthea)', procedure(SCT, '443529005'), ['genetics']],
  ['SNOMED 230265002 familial early-onset Alzheimer disease (Synthea)', condition(SCT, '230265002'), ['genetics']],
  // more than one class
  ['ICD-10-CM Z69.11 mental health services for victim of partner abuse', condition(ICD, 'Z69.11'), ['mental-health', 'reproductive']],
  ['ICD-10-CM F64.0 transsexualism', condition(ICD, 'F64.0'), ['mental-health', 'reproductive']],
  // negatives
  ['ICD-10-CM F17.210 nicotine dependence (tobacco is not Part 2)', condition(ICD, 'F17.210'), []],
  ['ICD-10-CM F03.90 dementia (not classified)', condition(ICD, 'F03.90'), []],
  ['ICD-10-CM F1 (shorter than any category)', condition(ICD, 'F1'), []],
  ['ICD-10-CM T40.2X5A adverse effect of opioids (not poisoning)', condition(ICD, 'T40.2X5A'), []],
  ['ICD-10-CM Z79.891 long-term opiate analgesic use', condition(ICD, 'Z79.891'), []],
  ['ICD-10-CM O80 normal delivery', condition(ICD, 'O80'), []],
  ['SNOMED 72892002 normal pregnancy (Synthea)', condition(SCT, '72892002'), []],
  ['SNOMED 26929004 Alzheimer disease (Synthea)', condition(SCT, '26929004'), []],
  ['SNOMED 38341003 hypertension', condition(SCT, '38341003'), []],
  ['SNOMED 449868002 smokes tobacco daily (Synthea)', condition(SCT, '449868002'), []],
  ['RxNorm 1049221 oxycodone/acetaminophen for pain (Synthea)', medication('1049221'), []],
  ['RxNorm 563026 diazepam, prescribed for seizures (Synthea)', medication('563026'), []],
  ['RxNorm 904870 buprenorphine transdermal (pain only)', medication('904870'), []],
  ['LOINC 2339-0 glucose', observation(LNC, '2339-0'), []],
  ['SNOMED code 86406008 under the LOINC system', condition(LNC, '86406008'), []],
  ['SNOMED code 86406008 under an unknown system', condition('http://example.org/codes', '86406008'), []],
  ['code without a system', { resourceType: 'Condition', code: { coding: [{ code: '86406008' }] } }, []],
  ['HIV only in the display and the text', { resourceType: 'Condition', code: { coding: [{ system: SCT, code: '38341003', display: 'HIV infection' }], text: 'HIV infection' } }, []],
  ['HIV only in the narrative', { resourceType: 'Condition', text: { status: 'generated', div: '<div>86406008 HIV</div>' }, code: { coding: [{ system: SCT, code: '38341003' }] } }, []],
  ['Encounter.class (v3-ActCode AMB) is not a label', { resourceType: 'Encounter', status: 'finished', class: { system: ACT, code: 'HIV' } }, []],
  ['meta.tag is not read', { resourceType: 'Condition', meta: { tag: [{ system: SCT, code: '86406008' }] } }, []],
];

describe('sensitivityOf: codes', () => {
  for (const [what, resource, expected] of cases) {
    it(`${what} → ${expected.length ? expected.join(', ') : 'not sensitive'}`, () => {
      assert.deepEqual([...sensitivityOf(resource)], expected);
    });
  }
});

describe('sensitivityOf: where the codes are', () => {
  const hivCoding = { system: SCT, code: '86406008' };
  const opioid = { system: ICD, code: 'F11.20' };
  const places: [string, Resource, SensitiveClass[]][] = [
    ['Observation.valueCodeableConcept', { resourceType: 'Observation', code: { coding: [{ system: LNC, code: '8302-2' }] }, valueCodeableConcept: { coding: [hivCoding] } }, ['hiv']],
    ['Observation.component.code', { resourceType: 'Observation', code: { coding: [{ system: LNC, code: '51969-4' }] }, component: [{ code: { coding: [{ system: LNC, code: '48018-6' }] } }] }, ['genetics']],
    ['Claim.diagnosis.diagnosisCodeableConcept', { resourceType: 'Claim', diagnosis: [{ sequence: 1, diagnosisCodeableConcept: { coding: [opioid] } }] }, ['substance-use']],
    ['Claim.item.productOrService', { resourceType: 'Claim', item: [{ sequence: 1, productOrService: { coding: [hivCoding] } }] }, ['hiv']],
    ['ExplanationOfBenefit.procedure.procedureCodeableConcept', { resourceType: 'ExplanationOfBenefit', procedure: [{ sequence: 1, procedureCodeableConcept: { coding: [{ system: SCT, code: '714812005' }] } }] }, ['reproductive']],
    ['Encounter.reasonCode', { resourceType: 'Encounter', reasonCode: [{ coding: [{ system: SCT, code: '47505003' }] }] }, ['mental-health']],
    ['DiagnosticReport.code', { resourceType: 'DiagnosticReport', code: { coding: [{ system: LNC, code: '51969-4' }] } }, ['genetics']],
    ['AllergyIntolerance.reaction.substance', { resourceType: 'AllergyIntolerance', reaction: [{ substance: { coding: [{ system: RX, code: '6813' }] }, manifestation: [] }] }, ['substance-use']],
    ['CarePlan.activity.detail.code', { resourceType: 'CarePlan', activity: [{ detail: { code: { coding: [{ system: SCT, code: '60112009' }] } } }] }, ['substance-use']],
    ['an extension valueCoding', { resourceType: 'Patient', extension: [{ url: 'http://example.org/x', valueCoding: hivCoding }] }, ['hiv']],
    ['a contained resource', { resourceType: 'MedicationRequest', contained: [{ resourceType: 'Medication', id: 'm', code: { coding: [{ system: RX, code: '351265' }] } }], medicationReference: { reference: '#m' } }, ['substance-use']],
    ['codes of two classes in one Claim', { resourceType: 'Claim', item: [{ productOrService: { coding: [hivCoding] } }, { productOrService: { coding: [opioid] } }] }, ['hiv', 'substance-use']],
    ['a second coding of the same concept', { resourceType: 'Condition', code: { coding: [{ system: SCT, code: '38341003' }, { system: ICD, code: 'B20' }] } }, ['hiv']],
  ];
  for (const [what, resource, expected] of places) {
    it(`${what} → ${expected.join(', ')}`, () => assert.deepEqual([...sensitivityOf(resource)], expected));
  }
  it('only a reference to a sensitive Condition is not seen (documented limitation)', () => {
    assert.deepEqual([...sensitivityOf({ resourceType: 'Claim', diagnosis: [{ sequence: 1, diagnosisReference: { reference: 'Condition/hiv' } }] })], []);
  });
});

describe('sensitivityOf: security labels', () => {
  const labelled = (security: { system?: string; code: string }[], codes: Resource = { resourceType: 'Condition' }): Resource => ({ ...codes, meta: { security } });
  const labelCases: [string, Resource, SensitiveClass[]][] = [
    ['ActCode HIV', labelled([{ system: ACT, code: 'HIV' }]), ['hiv']],
    ['ActCode STD', labelled([{ system: ACT, code: 'STD' }]), ['hiv']],
    ['ActCode ETH', labelled([{ system: ACT, code: 'ETH' }]), ['substance-use']],
    ['ActCode ETHUD', labelled([{ system: ACT, code: 'ETHUD' }]), ['substance-use']],
    ['ActCode OPIOIDUD', labelled([{ system: ACT, code: 'OPIOIDUD' }]), ['substance-use']],
    ['ActCode 42CFRPart2 (privacy law)', labelled([{ system: ACT, code: '42CFRPart2' }]), ['substance-use']],
    ['ActCode PSY', labelled([{ system: ACT, code: 'PSY' }]), ['mental-health']],
    ['ActCode PSYTHPN', labelled([{ system: ACT, code: 'PSYTHPN' }]), ['mental-health']],
    ['ActCode MH', labelled([{ system: ACT, code: 'MH' }]), ['mental-health']],
    ['ActCode SPI (substance use and mental health)', labelled([{ system: ACT, code: 'SPI' }]), ['substance-use', 'mental-health']],
    ['ActCode SEX', labelled([{ system: ACT, code: 'SEX' }]), ['reproductive']],
    ['ActCode SDV', labelled([{ system: ACT, code: 'SDV' }]), ['reproductive']],
    ['ActCode GDIS', labelled([{ system: ACT, code: 'GDIS' }]), ['genetics']],
    ['ActCode SCA', labelled([{ system: ACT, code: 'SCA' }]), ['genetics']],
    ['ActCode TBOO', labelled([{ system: ACT, code: 'TBOO' }]), ['restricted']],
    ['Confidentiality V', labelled([{ system: CONF, code: 'V' }]), ['restricted']],
    ['Confidentiality R alone', labelled([{ system: CONF, code: 'R' }]), ['restricted']],
    ['Confidentiality R with HIV label: R is explained', labelled([{ system: CONF, code: 'R' }, { system: ACT, code: 'HIV' }]), ['hiv']],
    ['Confidentiality R on an HIV Condition: R is explained', labelled([{ system: CONF, code: 'R' }], condition(SCT, '86406008')), ['hiv']],
    ['Confidentiality V on an HIV Condition: both', labelled([{ system: CONF, code: 'V' }], condition(SCT, '86406008')), ['restricted', 'hiv']],
    ['Confidentiality N', labelled([{ system: CONF, code: 'N' }]), []],
    ['deprecated Confidentiality HIV (ConfidentialityByInfoType)', labelled([{ system: CONF, code: 'HIV' }]), ['hiv']],
    ['ActCode by OID', labelled([{ system: 'urn:oid:2.16.840.1.113883.5.4', code: 'ETH' }]), ['substance-use']],
    ['pre-THO URL http://hl7.org/fhir/v3/ActCode', labelled([{ system: 'http://hl7.org/fhir/v3/ActCode', code: 'PSY' }]), ['mental-health']],
    ['label without a system', labelled([{ code: 'GDIS' }]), ['genetics']],
    ['R without a system', labelled([{ code: 'R' }]), ['restricted']],
    ['label from an unknown system is ignored', labelled([{ system: 'http://example.org/labels', code: 'HIV' }]), []],
    ['R in ActCode is not Confidentiality R', labelled([{ system: ACT, code: 'R' }]), []],
    ['labels of a contained resource count', { resourceType: 'Bundle', contained: [{ resourceType: 'Condition', meta: { security: [{ system: ACT, code: 'PSY' }] } }] }, ['mental-health']],
    ['malformed labels are ignored', { resourceType: 'Condition', meta: { security: [null, 'HIV', { code: 42 }, { system: 7, code: 'HIV' }] as never } }, []],
    ['meta.security that is not an array is ignored', { resourceType: 'Condition', meta: { security: { code: 'HIV' } as never } }, []],
  ];
  for (const [what, resource, expected] of labelCases) {
    it(`${what} → ${expected.length ? expected.join(', ') : 'not sensitive'}`, () => assert.deepEqual([...sensitivityOf(resource)], expected));
  }
});

describe('classify', () => {
  it('separates evidence from codes and from labels, and names the labels the codes call for', () => {
    const r: Resource = {
      resourceType: 'Claim',
      meta: { security: [{ system: ACT, code: 'PSY' }] },
      item: [{ productOrService: { coding: [{ system: ICD, code: 'F11.20' }] } }, { productOrService: { coding: [{ system: SCT, code: '86406008' }] } }],
    };
    const c = classify(r);
    assert.deepEqual([...c.classes], ['hiv', 'substance-use', 'mental-health']);
    assert.deepEqual([...c.fromCodes], ['hiv', 'substance-use']);
    assert.deepEqual([...c.fromLabels], ['mental-health']);
    assert.deepEqual([...c.labels], ['HIV', 'ETH', 'OPIOIDUD']);
  });
  it('calls for ETHUD on alcohol codes, STD on other STIs, SDV on abuse, SCA on sickle cell', () => {
    assert.deepEqual([...classify(condition(ICD, 'F10.20')).labels], ['ETH', 'ETHUD']);
    assert.deepEqual([...classify(condition(ICD, 'A53.9')).labels], ['STD']);
    assert.deepEqual([...classify(condition(ICD, 'T74.11XA')).labels], ['SDV']);
    assert.deepEqual([...classify(condition(ICD, 'D57.00')).labels], ['GDIS', 'SCA']);
  });
  it('returns shared frozen arrays (no allocation per call)', () => {
    const a = sensitivityOf(condition(SCT, '86406008'));
    const b = sensitivityOf(condition(ICD, 'B20'));
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a));
  });
});

describe('matchedCodings', () => {
  it('lists each matching Coding with its classes and labels', () => {
    const r: Resource = { resourceType: 'Claim', item: [{ productOrService: { coding: [{ system: SCT, code: '38341003' }, { system: ICD, code: 'F11.20' }] } }] };
    assert.deepEqual(matchedCodings(r), [{ system: ICD, code: 'F11.20', classes: ['substance-use'], labels: ['ETH', 'OPIOIDUD'] }]);
  });
});

describe('depth limit', () => {
  it(`refuses JSON nested deeper than ${MAX_DEPTH} levels with a DomainError`, () => {
    let deep: Record<string, unknown> = { system: SCT, code: '86406008' };
    for (let i = 0; i < MAX_DEPTH + 5; i++) deep = { x: deep };
    assert.throws(
      () => sensitivityOf({ resourceType: 'Basic', ...deep }),
      (e: unknown) => e instanceof DomainError && e.kind === 'invalid' && /nests deeper/.test(e.message),
    );
  });
  it('accepts ordinary nesting (a QuestionnaireResponse 20 items deep)', () => {
    let item: Record<string, unknown> = { linkId: 'x', answer: [{ valueCoding: { system: SCT, code: '86406008' } }] };
    for (let i = 0; i < 20; i++) item = { linkId: String(i), item: [item] };
    assert.deepEqual([...sensitivityOf({ resourceType: 'QuestionnaireResponse', item: [item] })], ['hiv']);
  });
});
