import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { claimsInBundle, codeKindOf, normalizeClaim } from './normalize.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const HL7 = join(ROOT, 'node_modules', 'hl7.fhir.r4.examples');
const SYNTHEA = join(ROOT, 'test', 'fixtures', 'synthea');
const read = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const hl7 = (id: string) => normalizeClaim(read(join(HL7, `Claim-${id}.json`)));

describe('normalizeClaim: HL7 R4 example Claims', () => {
  const files = readdirSync(HL7).filter((f) => /^Claim-.*\.json$/.test(f));

  test('all 17 examples normalize, every line dated', () => {
    assert.equal(files.length, 17);
    for (const f of files) {
      const c = normalizeClaim(read(join(HL7, f)));
      assert.ok(c.lines.length > 0, f);
      for (const l of c.lines) assert.match(l.serviceDate, /^\d{4}-\d{2}-\d{2}$/, f);
    }
  });

  test('MED-00050 (CMS 1500-style): CPT line, place of service, ICD-10 diagnoses, contained patient, insurer by identifier', () => {
    const c = hl7('MED-00050');
    assert.equal(c.id, 'MED-00050');
    assert.equal(c.type, 'institutional');
    assert.equal(c.subType, '831');
    assert.equal(c.created, '2015-10-16');
    assert.deepEqual(c.patient, { key: 'Claim/MED-00050#patient-1', reference: '#patient-1', resourceType: 'Patient' });
    assert.deepEqual(c.insurer, {
      key: 'http://www.bindb.com/bin|123456',
      identifier: { system: 'http://www.bindb.com/bin', value: '123456' },
      display: 'Humana Inc.',
    });
    assert.equal(c.provider.key, 'Organization/1');
    assert.equal(c.provider.resourceType, 'Organization');
    const [line] = c.lines;
    assert.equal(line!.code, '62264');
    assert.equal(line!.codeKind, 'cpt');
    assert.equal(line!.placeOfService, '24');
    assert.equal(line!.serviceDate, '2015-10-13');
    assert.equal(line!.dateSource, 'servicedDate');
    assert.equal(line!.net, 12500);
    assert.deepEqual(
      c.diagnoses.map((d) => d.code),
      ['M96.1', 'G89.4', 'M53.88', 'M47.816'],
    );
    assert.deepEqual(c.total, { value: 12500, currency: 'USD' });
  });

  test('100154: parties by identifier only', () => {
    const c = hl7('100154');
    assert.equal(c.patient.key, 'http://www.jurisdiction.com/nationalId|123AB345');
    assert.equal(c.provider.key, 'http://www.jurisdiction.com/careorganizations|HOSP12345');
  });

  test('960151: billable period; 660152: modifier; 760151: quantity; 100156: place of service and total', () => {
    assert.deepEqual(hl7('960151').billablePeriod, { from: '2014-08-15', to: '2014-08-16' });
    assert.deepEqual(hl7('660152').lines[0]!.modifiers, ['ROOH']);
    assert.equal(hl7('760151').lines[0]!.quantity, 90);
    const c = hl7('100156');
    assert.deepEqual(
      c.lines.map((l) => l.placeOfService),
      ['11', '11', '11'],
    );
    assert.equal(c.total?.value, 2255);
  });

  test('100150: care team member is the line performer; an unsystemed oral code is not taken for CPT', () => {
    const c = hl7('100150');
    assert.deepEqual(c.careTeam, [{ sequence: 1, provider: { key: 'Practitioner/example', reference: 'Practitioner/example', resourceType: 'Practitioner' } }]);
    assert.equal(c.lines[0]!.performer?.key, 'Practitioner/example');
    assert.equal(c.lines[0]!.codeKind, 'other');
  });
});

describe('normalizeClaim: Synthea Claims', () => {
  const bundles = readdirSync(SYNTHEA).filter((f) => /^(Alfreda_Wyman|Denny_Bins|Eddy_Fadel)_.*\.json$/.test(f));

  test('every Claim of the three bundles normalizes (37 claims)', () => {
    const counts = bundles.map((f) => claimsInBundle(read(join(SYNTHEA, f))).length);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      37,
    );
  });

  test('SNOMED and CVX lines dated from billablePeriod, encounters kept, diagnoses resolved through the bundle, no insurer', () => {
    const claims = claimsInBundle(read(join(SYNTHEA, 'Denny_Bins_bc0fbd67-bfe3-46c8-8ce9-ef20b0705b46.json')));
    const c = claims.find((x) => x.id === 'ce036e60-3cac-4518-b0c7-76273555ea44')!;
    assert.equal(c.type, 'institutional');
    assert.equal(c.insurer, undefined);
    assert.equal(c.patient.key, 'urn:uuid:14867dba-fb11-4df3-9829-8e8e081b39e6');
    assert.equal(c.patient.resourceType, 'Patient');
    assert.equal(c.provider.resourceType, 'Organization');
    assert.deepEqual(
      c.lines.map((l) => [l.code, l.codeKind, l.serviceDate, l.dateSource]),
      [
        ['185345009', 'snomed', '2012-12-29', 'billablePeriod'],
        ['10509002', 'snomed', '2012-12-29', 'billablePeriod'],
        ['23426006', 'snomed', '2012-12-29', 'billablePeriod'],
      ],
    );
    assert.deepEqual(c.lines[0]!.encounters, ['urn:uuid:b40514dd-711d-4903-af87-2e0585380a38']);
    assert.deepEqual(c.lines[1]!.diagnosisSequences, [1]);
    assert.deepEqual(c.diagnoses, [
      { sequence: 1, code: '10509002', system: 'http://snomed.info/sct', reference: 'urn:uuid:257886be-2121-427d-9427-1e07ffb321d0', types: [] },
    ]);
    assert.deepEqual(c.serviceRange, { from: '2012-12-29', to: '2012-12-29' });
    assert.ok(claims.some((x) => x.lines.some((l) => l.codeKind === 'cvx')));
  });
});

describe('normalizeClaim: refusals name the element', () => {
  const base = {
    resourceType: 'Claim',
    id: 'x',
    patient: { reference: 'Patient/1' },
    provider: { reference: 'Practitioner/1' },
    created: '2024-03-05',
    item: [{ sequence: 1, productOrService: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99213' }] } }],
  };
  const item = (extra: Record<string, unknown>) => ({ ...base, item: [{ ...base.item[0], ...extra }] });
  const cases: [string, unknown, RegExp][] = [
    ['not a Claim', { resourceType: 'Patient' }, /expected a FHIR R4 Claim, got a Patient/],
    ['no patient', { ...base, patient: undefined }, /Claim\.patient is required/],
    ['no provider', { ...base, provider: undefined }, /Claim\.provider is required/],
    ['bad created', { ...base, created: '05/03/2024' }, /Claim\.created "05\/03\/2024" is not a FHIR date/],
    ['bad servicedDate', item({ servicedDate: '2024-02-30' }), /Claim\.item\[0\]\.servicedDate "2024-02-30" is not a FHIR date/],
    ['zero quantity', item({ quantity: { value: 0 } }), /Claim\.item\[0\]\.quantity\.value "0" is not a positive number/],
    ['period ending before it starts', item({ servicedPeriod: { start: '2024-03-05', end: '2024-03-01' } }), /ends \(2024-03-01\) before it starts/],
    ['uncoded service', item({ productOrService: { text: 'visit' } }), /Claim\.item\[0\]\.productOrService has no coded value/],
  ];
  for (const [name, input, message] of cases) {
    test(name, () => {
      assert.throws(
        () => normalizeClaim(input),
        (err: unknown) => isDomainError(err, 'invalid') && message.test(err.message),
      );
    });
  }

  test('a minimal professional claim: defaults (1 unit, date from created)', () => {
    const c = normalizeClaim(base);
    assert.equal(c.lines[0]!.quantity, 1);
    assert.equal(c.lines[0]!.dateSource, 'created');
    assert.equal(c.lines[0]!.serviceDate, '2024-03-05');
  });

  test('servicedPeriod and an NPI on the provider reference', () => {
    const c = normalizeClaim({
      ...item({ servicedPeriod: { start: '2024-03-01T10:00:00-05:00', end: '2024-03-03' } }),
      provider: { reference: 'Practitioner/1', identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' } },
    });
    assert.deepEqual([c.lines[0]!.serviceDate, c.lines[0]!.serviceEnd, c.lines[0]!.dateSource], ['2024-03-01', '2024-03-03', 'servicedPeriod']);
    assert.equal(c.provider.npi, '1234567893');
  });
});

test('codeKindOf: by system, and by HCPCS/CPT shape only without one', () => {
  assert.equal(codeKindOf('http://www.ama-assn.org/go/cpt', '99213'), 'cpt');
  assert.equal(codeKindOf('https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', 'G0439'), 'hcpcs');
  assert.equal(codeKindOf('http://snomed.info/sct', '99213'), 'snomed');
  assert.equal(codeKindOf(undefined, '0591T'), 'cpt');
  assert.equal(codeKindOf(undefined, 'J1100'), 'hcpcs');
  assert.equal(codeKindOf(undefined, '1200'), 'other');
});
