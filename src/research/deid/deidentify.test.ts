import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { BIRTH_YEAR_ON_OR_BEFORE_URL, deidentify, type DeidentifyOptions, type FhirResource } from './deidentify.ts';
import type { SafeHarborClass } from './safe-harbor.ts';

const options: DeidentifyOptions = { studyId: 'study-1', studySecret: Buffer.alloc(32, 9), asOf: new Date('2024-06-01T00:00:00Z') };

/** One of everything Safe Harbor names, spread over the resource types a research export carries. */
function kitchenSink(): FhirResource[] {
  return [
    {
      resourceType: 'Patient',
      id: 'pat-7781',
      meta: { versionId: '4', lastUpdated: '2024-01-02T03:04:05Z', source: 'https://ehr.st-mary.example/fhir' },
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Johanna Quist, 12 Elm Lane</div>' },
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName', valueString: 'Hildegard Vornholt' },
        { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'Quincy', state: 'MA', country: 'US' } },
      ],
      identifier: [
        { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SS' }] }, system: 'http://hl7.org/fhir/sid/us-ssn', value: '999-12-3456' },
        { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:st-mary:mrn', value: 'MRN-55120934' },
        { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB' }] }, system: 'urn:acme-health:member', value: 'ACME-MEM-88213' },
        { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'AN' }] }, system: 'urn:st-mary:account', value: 'ACCT-4471902' },
        { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'DL' }] }, system: 'urn:oid:2.16.840.1.113883.4.3.25', value: 'S99950229' },
        { type: { text: 'Vehicle identification number' }, system: 'urn:dmv:vin', value: '1HGCM82633A004352' },
        { type: { text: 'Fingerprint template' }, system: 'urn:bio:fp', value: 'FP-TEMPLATE-7731' },
        { system: 'urn:loyalty', value: 'LOYAL-00981' },
      ],
      name: [{ use: 'official', family: 'Quist', given: ['Johanna', 'Maree'] }],
      telecom: [
        { system: 'phone', value: '617-555-0142', use: 'home' },
        { system: 'fax', value: '617-555-0199' },
        { system: 'email', value: 'johanna.quist@example.net' },
        { system: 'url', value: 'https://johannaquist.example.net/blog' },
      ],
      gender: 'female',
      birthDate: '1961-03-14',
      address: [
        {
          use: 'home',
          line: ['12 Elm Lane', 'Apt 3'],
          city: 'Braintree',
          district: 'Norfolk County',
          state: 'MA',
          postalCode: '02184',
          country: 'US',
          extension: [
            {
              url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
              extension: [
                { url: 'latitude', valueDecimal: 42.2079 },
                { url: 'longitude', valueDecimal: -71.0040 },
              ],
            },
          ],
        },
        { use: 'old', line: ['9 Canyon Rd'], city: 'Buffalo', state: 'WY', postalCode: '82834-1100', country: 'US' },
      ],
      photo: [{ contentType: 'image/jpeg', data: 'RkFDRVBIT1RPREFUQQ==', url: 'https://ehr.st-mary.example/photos/pat-7781.jpg' }],
      contact: [{ name: { family: 'Quist', given: ['Torben'] }, telecom: [{ system: 'phone', value: '617-555-0177' }] }],
      managingOrganization: { reference: 'Organization/org-stmary', display: 'St Mary Hospital Braintree' },
    },
    {
      resourceType: 'Organization',
      id: 'org-stmary',
      identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' }],
      name: 'St Mary Hospital Braintree',
      alias: ['Saint Mary of the Elms'],
      telecom: [{ system: 'phone', value: '781-555-0100' }],
      address: [{ line: ['250 Pond Street'], city: 'Braintree', state: 'MA', postalCode: '02184' }],
    },
    {
      resourceType: 'Practitioner',
      id: 'prac-1',
      identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '9941338201' }],
      name: [{ family: 'Okonkwo-Reyes', given: ['Ifeoma'], prefix: ['Dr.'] }],
      telecom: [{ system: 'email', value: 'i.okonkwo@st-mary.example' }],
      birthDate: '1975-09-30',
      qualification: [{ identifier: [{ system: 'urn:ma-board', value: 'MA-LIC-220197' }], code: { text: 'MD' } }],
    },
    {
      resourceType: 'Location',
      id: 'loc-1',
      name: 'Elm Lane Satellite Clinic',
      description: 'Second floor, next to the pharmacy',
      address: { line: ['40 Elm Lane'], city: 'Braintree', state: 'MA', postalCode: '03601' },
      position: { latitude: 42.21, longitude: -71.01 },
    },
    {
      resourceType: 'Encounter',
      id: 'enc-1',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      subject: { reference: 'Patient/pat-7781', display: 'Johanna Quist' },
      participant: [{ individual: { reference: 'Practitioner/prac-1', display: 'Dr. Ifeoma Okonkwo-Reyes' } }],
      period: { start: '2023-12-30T22:10:00-05:00', end: '2024-01-03T09:00:00-05:00' },
      length: { value: 4, unit: 'days', system: 'http://unitsofmeasure.org', code: 'd' },
      hospitalization: { preAdmissionIdentifier: { system: 'urn:st-mary:preadmit', value: 'PRE-77120' } },
      location: [{ location: { reference: 'Location/loc-1' }, period: { start: '2023-12-30T22:10:00-05:00' } }],
      serviceProvider: { reference: 'https://ehr.st-mary.example/fhir/Organization/org-stmary/_history/3' },
    },
    {
      resourceType: 'Observation',
      id: 'obs-1',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
      subject: { reference: 'Patient/pat-7781' },
      encounter: { reference: 'Encounter/enc-1' },
      effectiveDateTime: '2024-01-01T08:30:00Z',
      issued: '2024-01-01T09:00:00.000Z',
      valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
      note: [{ authorString: 'Nurse Ratchet', time: '2024-01-01T08:31:00Z', text: 'Pt called from 617-555-0142, uploaded via 192.168.44.7 at http://portal.example/u/9' }],
    },
    {
      resourceType: 'Condition',
      id: 'cond-1',
      subject: { reference: 'Patient/pat-7781' },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes mellitus type 2' }], text: 'T2DM (dx by Dr. Okonkwo-Reyes)' },
      onsetDateTime: '2015-07-04',
      recordedDate: '2015-07-05',
      note: [{ text: 'Family history per daughter Birgit Quist' }],
    },
    {
      resourceType: 'Claim',
      id: 'claim-1',
      identifier: [{ system: 'urn:st-mary:claims', value: 'CLM-2024-000991' }],
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'institutional' }] },
      use: 'claim',
      patient: { reference: 'Patient/pat-7781' },
      billablePeriod: { start: '2023-12-30', end: '2024-01-03' },
      created: '2024-01-04T10:00:00Z',
      provider: { reference: 'Organization/org-stmary' },
      priority: { coding: [{ code: 'normal' }] },
      insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/cov-1' }, preAuthRef: ['PA-55510'] }],
      accident: { date: '2023-12-30', locationAddress: { line: ['I-93 exit 7'], city: 'Quincy', state: 'MA', postalCode: '02169' } },
    },
    {
      resourceType: 'Coverage',
      id: 'cov-1',
      status: 'active',
      subscriberId: 'SUB-99120-03',
      beneficiary: { reference: 'Patient/pat-7781' },
      payor: [{ display: 'Acme Health' }],
      class: [{ type: { coding: [{ code: 'group' }] }, value: 'GRP-7731', name: 'Acme Gold Employees' }],
    },
    {
      resourceType: 'ExplanationOfBenefit',
      id: 'eob-1',
      identifier: [{ system: 'https://bluebutton.cms.gov/resources/variables/clm_id', value: 'EOB-88120044' }],
      status: 'active',
      type: { coding: [{ code: 'institutional' }] },
      use: 'claim',
      patient: { reference: 'Patient/pat-7781' },
      created: '2024-01-20T10:00:00Z',
      insurer: { display: 'Acme Health' },
      provider: { reference: 'Organization/org-stmary' },
      outcome: 'complete',
      disposition: 'Paid to Johanna Quist, cheque 00912',
      insurance: [{ focal: true, coverage: { reference: 'Coverage/cov-1' } }],
      processNote: [{ text: 'Member called 617-555-0142' }],
    },
    {
      resourceType: 'Device',
      id: 'dev-1',
      udiCarrier: [{ deviceIdentifier: '00844588003288', issuer: 'http://hl7.org/fhir/NamingSystem/gs1-di', carrierHRF: '(01)00844588003288(17)141120(10)7654321D(21)10987654d321', carrierAIDC: 'XWQyMDExMDg1NzY3NDAwMjAxNzE3MTQxMTIwMTBOWUZVTDAx' }],
      serialNumber: 'SN-10987654d321',
      lotNumber: '7654321D',
      manufactureDate: '2013-02-01',
      expirationDate: '2014-11-20',
      patient: { reference: 'Patient/pat-7781' },
      url: 'http://10.20.30.40/devices/dev-1',
    },
    {
      resourceType: 'DocumentReference',
      id: 'doc-1',
      masterIdentifier: { system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.3.6.1.4.1.21367.2005.3.7' },
      status: 'current',
      subject: { reference: 'Patient/pat-7781' },
      date: '2024-01-03T12:00:00Z',
      description: 'Discharge summary for Johanna Quist',
      content: [{ attachment: { contentType: 'application/pdf', url: 'https://ehr.st-mary.example/docs/ds-4471.pdf', title: 'Discharge summary 2024-01-03', creation: '2024-01-03T11:00:00Z' } }],
      context: { period: { start: '2023-12-30', end: '2024-01-03' } },
    },
    {
      resourceType: 'Media',
      id: 'media-face',
      status: 'completed',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/media-type', code: 'image' }] },
      subject: { reference: 'Patient/pat-7781' },
      createdDateTime: '2024-01-02T10:00:00Z',
      deviceName: 'Ward 4 camera CAM-SN-4410',
      content: { contentType: 'image/png', data: 'RkFDRUlNQUdFUE5H', title: 'Face photo' },
    },
    {
      resourceType: 'Media',
      id: 'media-voice',
      status: 'completed',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/media-type', code: 'audio' }] },
      modality: { text: 'Voice print enrolment' },
      subject: { reference: 'Patient/pat-7781' },
      content: { contentType: 'audio/wav', data: 'Vk9JQ0VQUklOVERBVEE=' },
    },
    {
      resourceType: 'AuditEvent',
      id: 'audit-1',
      type: { code: 'rest' },
      recorded: '2024-01-02T10:00:00Z',
      agent: [{ requestor: true, who: { reference: 'Practitioner/prac-1' }, network: { address: '203.0.113.77', type: '2' } }],
      source: { observer: { reference: 'Organization/org-stmary' } },
    },
  ];
}

const run = () => deidentify(kitchenSink(), options);
const { resources: out, report } = run();
const json = JSON.stringify(out);
const touched = (cls: SafeHarborClass) => report.classes[cls].removed + report.classes[cls].generalised + report.classes[cls].pseudonymised;

describe('deidentify: every Safe Harbor identifier class is gone from the output', () => {
  const table: [SafeHarborClass, string, string[]][] = [
    ['names', '(A)', ['Quist', 'Johanna', 'Maree', 'Torben', 'Hildegard', 'Vornholt', 'Okonkwo', 'Ifeoma', 'St Mary', 'Saint Mary', 'Elm Lane Satellite', 'Ratchet', 'Birgit']],
    ['geographic', '(B)', ['12 Elm Lane', 'Apt 3', 'Braintree', 'Norfolk', 'Quincy', '02184', '9 Canyon Rd', 'Buffalo', '82834', '250 Pond', '40 Elm Lane', '03601', '42.2079', '-71.004', '42.21', 'I-93', '02169']],
    ['dates', '(C)', ['1961-03-14', '2024-01-02T03:04:05Z', '2023-12-30', '2024-01-03', '2024-01-01T08:30', '2024-01-01T09:00', '2015-07-04', '2015-07-05', '1975-09-30', '2024-01-04', '2024-01-20', '2013-02-01', '2014-11-20', '2024-01-02T10:00']],
    ['telephone', '(D)', ['617-555-0142', '617-555-0177', '781-555-0100']],
    ['fax', '(E)', ['617-555-0199']],
    ['email', '(F)', ['johanna.quist@example.net', 'i.okonkwo@st-mary.example']],
    ['ssn', '(G)', ['999-12-3456']],
    ['mrn', '(H)', ['MRN-55120934']],
    ['health-plan', '(I)', ['ACME-MEM-88213', 'SUB-99120-03', 'GRP-7731', 'Acme Gold']],
    ['account', '(J)', ['ACCT-4471902', 'CLM-2024-000991', 'EOB-88120044', 'PA-55510', 'PRE-77120', 'cheque 00912']],
    ['licence', '(K)', ['S99950229', 'MA-LIC-220197']],
    ['vehicle', '(L)', ['1HGCM82633A004352']],
    ['device', '(M)', ['00844588003288', 'SN-10987654d321', '7654321D', 'XWQyMDExMDg1', 'CAM-SN-4410']],
    ['url', '(N)', ['https://johannaquist.example.net', 'ehr.st-mary.example', 'portal.example', 'http://10.20.30.40']],
    ['ip', '(O)', ['192.168.44.7', '203.0.113.77', '10.20.30.40']],
    ['biometric', '(P)', ['FP-TEMPLATE-7731', 'Vk9JQ0VQUklOVERBVEE=']],
    ['photo', '(Q)', ['RkFDRVBIT1RPREFUQQ==', 'RkFDRUlNQUdFUE5H', 'photos/pat-7781.jpg']],
    ['other-id', '(R)', ['pat-7781', 'org-stmary', 'prac-1', 'loc-1', 'enc-1', 'obs-1', 'cond-1', 'claim-1', 'cov-1', 'eob-1', 'dev-1', 'doc-1', 'media-face', 'audit-1', 'LOYAL-00981', '1234567893', '9941338201', '21367.2005']],
  ];
  for (const [cls, cfr, values] of table) {
    it(`${cfr} ${cls}: ${values.length} original values absent, and reported`, () => {
      for (const v of values) assert.ok(!json.toLowerCase().includes(v.toLowerCase()), `${JSON.stringify(v)} is still in the output`);
      assert.ok(touched(cls) > 0, `nothing reported under ${cls}`);
    });
  }

  it('counts the classes it can tell apart', () => {
    assert.equal(report.classes.ssn.removed, 1);
    assert.equal(report.classes.mrn.removed, 1);
    assert.equal(report.classes.vehicle.removed, 1);
    assert.equal(report.classes.fax.removed, 1);
    assert.equal(report.classes.email.removed, 2);
    assert.equal(report.classes.telephone.removed, 3);
    assert.equal(report.classes.photo.removed, 2); // Patient.photo, the face Media
    assert.equal(report.classes.biometric.removed, 2); // fingerprint template id, voice Media
    // 3 HumanNames, the maiden name, Organization name + alias, Location name; the displays of
    // references to the patient and the doctor, and of Coverage.payor (it may point to a person);
    // the display and the text that name the hospital and the doctor (found by the check)
    assert.equal(report.classes.names.removed, 12);
    assert.ok(report.classes.geographic.generalised >= 4); // ZIPs → ZIP3
  });

  it('keeps what research needs: state, ZIP3, years, codes, values, gender', () => {
    const p = out[0]!;
    assert.equal(p['gender'], 'female');
    assert.equal(p['birthDate'], '1961');
    assert.deepEqual(p['address'], [
      { use: 'home', state: 'MA', postalCode: '021', country: 'US' },
      { use: 'old', state: 'WY', postalCode: '828', country: 'US' },
    ]);
    const obs = out.find((r) => r.resourceType === 'Observation')!;
    assert.equal(obs['effectiveDateTime'], '2024');
    assert.deepEqual(obs['valueQuantity'], { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' });
    assert.deepEqual(obs['code'], { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] });
    const enc = out.find((r) => r.resourceType === 'Encounter')!;
    assert.deepEqual(enc['period'], { start: '2023', end: '2024' });
    assert.deepEqual(enc['length'], { value: 4, unit: 'days', system: 'http://unitsofmeasure.org', code: 'd' });
  });
});

describe('deidentify: geography', () => {
  it('replaces a restricted ZIP3 by 000 and drops non-US postal codes and subdivisions', () => {
    const { resources } = deidentify(
      [
        { resourceType: 'Location', address: { state: 'NH', postalCode: '03601', country: 'US' } },
        { resourceType: 'Location', address: { state: 'Hamburg', city: 'Hamburg', postalCode: '20095', country: 'DE' } },
      ],
      options,
    );
    assert.deepEqual(resources[0]!['address'], { state: 'NH', postalCode: '000', country: 'US' });
    assert.deepEqual(resources[1]!['address'], { country: 'DE' });
  });
});

describe('deidentify: dates and ages', () => {
  const old: FhirResource[] = [
    { resourceType: 'Patient', id: 'p-old', birthDate: '1927-02-11', gender: 'male' },
    { resourceType: 'Immunization', id: 'imm', status: 'completed', vaccineCode: { text: 'smallpox' }, patient: { reference: 'Patient/p-old' }, occurrenceDateTime: '1931-05-01' },
    { resourceType: 'Encounter', id: 'e', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p-old' }, period: { start: '2020-02-01T10:00:00Z', end: '2020-02-02T10:00:00Z' } },
    { resourceType: 'Condition', subject: { reference: 'Patient/p-old' }, onsetAge: { value: 93, unit: 'years', system: 'http://unitsofmeasure.org', code: 'a' } },
    { resourceType: 'Condition', subject: { reference: 'Patient/p-young' }, onsetAge: { value: 47, unit: 'years', system: 'http://unitsofmeasure.org', code: 'a' }, abatementRange: { low: { value: 85, code: 'a' }, high: { value: 95, code: 'a' } } },
    { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '30525-0', display: 'Age' }] }, subject: { reference: 'Patient/p-old' }, valueQuantity: { value: 96, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' } },
    { resourceType: 'Patient', id: 'p-young', birthDate: '1990-12-31', deceasedDateTime: '2021-01-01T00:00:00Z' },
    { resourceType: 'Patient', id: 'p-died-old', birthDate: '1901-01-01', deceasedDateTime: '1995-04-04' },
  ];
  const { resources, report: r } = deidentify(old, options);
  const s = JSON.stringify(resources);

  it('withholds the birth year of a person aged 90+ and gives "born in or before asOf − 90"', () => {
    const p = resources[0]!;
    assert.equal(p['birthDate'], undefined);
    assert.ok(!s.includes('1927'));
    assert.deepEqual(p['extension'], [{ url: BIRTH_YEAR_ON_OR_BEFORE_URL, valueDate: '1934' }]);
    assert.deepEqual(p['_birthDate'], { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'masked' }] });
    assert.equal(r.patientsOver89, 2);
  });

  it('raises the years of their early records to that year (a 1931 vaccination would imply 93)', () => {
    assert.equal(resources[1]!['occurrenceDateTime'], '1934');
    assert.deepEqual(resources[2]!['period'], { start: '2020', end: '2020' });
  });

  it('finds the records of a 90+ person through urn:uuid references in a Bundle', () => {
    const bundle: FhirResource = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:7d0c8f1e-0000-4000-8000-000000000001', resource: { resourceType: 'Patient', birthDate: '1920-05-05' } },
        { fullUrl: 'urn:uuid:7d0c8f1e-0000-4000-8000-000000000002', resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'urn:uuid:7d0c8f1e-0000-4000-8000-000000000001' }, period: { start: '1925-01-01' } } },
      ],
    };
    const e = deidentify([bundle], options).resources[0]!['entry'] as { resource: FhirResource }[];
    assert.equal(e[0]!.resource['birthDate'], undefined);
    assert.deepEqual(e[1]!.resource['period'], { start: '1934' });
  });

  it('uses the year of death, not asOf, for the deceased', () => {
    assert.equal(resources[6]!['birthDate'], '1990'); // died at 30
    assert.equal(resources[6]!['deceasedDateTime'], '2021');
    assert.deepEqual(resources[7]!['extension'], [{ url: BIRTH_YEAR_ON_OR_BEFORE_URL, valueDate: '1905' }]); // died at 94
    assert.equal(resources[7]!['deceasedDateTime'], '1995');
  });

  it('aggregates explicit ages of 90+ into ">= 90 years" and leaves younger ages alone', () => {
    assert.deepEqual(resources[3]!['onsetAge'], { value: 90, comparator: '>=', unit: 'years', system: 'http://unitsofmeasure.org', code: 'a' });
    assert.deepEqual(resources[4]!['onsetAge'], { value: 47, unit: 'years', system: 'http://unitsofmeasure.org', code: 'a' });
    assert.deepEqual(resources[4]!['abatementRange'], { low: { value: 85, code: 'a' } }); // the upper bound said "older than 89"
    assert.deepEqual(resources[5]!['valueQuantity'], { value: 90, comparator: '>=', unit: 'years', system: 'http://unitsofmeasure.org', code: 'a' });
    assert.ok(!s.includes('"value":93') && !s.includes('"value":96') && !s.includes('"value":95'));
  });

  it('removes instants (FHIR cannot hold a year alone in one)', () => {
    const k = deidentify([{ resourceType: 'Observation', status: 'final', code: { text: 'x' }, issued: '2024-01-01T09:00:00Z', meta: { lastUpdated: '2024-01-01T09:00:00Z' } }], options);
    assert.deepEqual(k.resources[0], { resourceType: 'Observation', status: 'final', code: { text: 'x' } });
    assert.equal(k.report.classes.dates.removed, 2);
  });
});

describe('deidentify: pseudonymous ids and references', () => {
  it('maps a resource id and every reference to it to the same pseudonym, whatever the reference form', () => {
    const p = out[0]!;
    const pid = p.id!;
    assert.match(pid, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const r of out.filter((x) => x.resourceType === 'Observation' || x.resourceType === 'Condition')) {
      assert.deepEqual(r['subject'], { reference: `Patient/${pid}` });
    }
    const org = out.find((r) => r.resourceType === 'Organization')!;
    const enc = out.find((r) => r.resourceType === 'Encounter')!;
    assert.deepEqual(enc['serviceProvider'], { reference: `Organization/${org.id}` }); // server base and _history gone
  });

  it('is deterministic within a study and differs across studies', () => {
    assert.equal(run().resources[0]!.id, out[0]!.id);
    const other = deidentify(kitchenSink(), { ...options, studyId: 'study-2', studySecret: Buffer.alloc(32, 10) });
    assert.notEqual(other.resources[0]!.id, out[0]!.id);
  });

  it('keeps Bundle links working: fullUrl, urn:uuid references, contained references, request.url', () => {
    const bundle: FhirResource = {
      resourceType: 'Bundle',
      type: 'transaction',
      timestamp: '2024-01-01T00:00:00Z',
      entry: [
        { fullUrl: 'urn:uuid:0b7c1f0e-7d1f-4f5e-9d0a-1b2c3d4e5f60', resource: { resourceType: 'Patient', id: '0b7c1f0e-7d1f-4f5e-9d0a-1b2c3d4e5f60' }, request: { method: 'POST', url: 'Patient' } },
        {
          fullUrl: 'https://ehr.example/fhir/ExplanationOfBenefit/e1',
          resource: {
            resourceType: 'ExplanationOfBenefit',
            id: 'e1',
            contained: [{ resourceType: 'Coverage', id: 'coverage', status: 'active', beneficiary: { reference: 'urn:uuid:0b7c1f0e-7d1f-4f5e-9d0a-1b2c3d4e5f60' }, payor: [{ display: 'private' }] }],
            patient: { reference: 'urn:uuid:0b7c1f0e-7d1f-4f5e-9d0a-1b2c3d4e5f60' },
            insurance: [{ focal: true, coverage: { reference: '#coverage' } }],
          },
          request: { method: 'PUT', url: 'ExplanationOfBenefit/e1' },
        },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient?identifier=urn:mrn|MRN-1' } }, request: { method: 'POST', url: 'Observation?identifier=urn:x|1' } },
      ],
    };
    const [b] = deidentify([bundle], options).resources;
    const entries = b!['entry'] as { fullUrl?: string; resource: FhirResource; request: { url: string } }[];
    const pid = entries[0]!.resource.id!;
    assert.equal(entries[0]!.fullUrl, `urn:uuid:${pid}`);
    assert.equal(b!['timestamp'], undefined);
    const eob = entries[1]!.resource;
    assert.equal(entries[1]!.fullUrl, `https://deidentified.invalid/fhir/ExplanationOfBenefit/${eob.id}`);
    assert.equal(entries[1]!.request.url, `ExplanationOfBenefit/${eob.id}`);
    assert.deepEqual(eob['patient'], { reference: `urn:uuid:${pid}` });
    const cov = (eob['contained'] as FhirResource[])[0]!;
    assert.deepEqual((eob['insurance'] as { coverage: unknown }[])[0]!.coverage, { reference: `#${cov.id}` });
    assert.deepEqual(cov['beneficiary'], { reference: `urn:uuid:${pid}` });
    assert.equal(entries[2]!.resource['subject'], undefined); // a conditional reference carries an identifier
    assert.equal(entries[2]!.request.url, 'Observation');
    assert.ok(!JSON.stringify(b).includes('MRN-1') && !JSON.stringify(b).includes('ehr.example'));
  });

  it('pseudonymises DICOM UIDs as OIDs under 2.25', () => {
    const { resources } = deidentify([{ resourceType: 'ImagingStudy', status: 'available', subject: { reference: 'Patient/x' }, series: [{ uid: '1.2.840.99999999.1.91267909.1559319189628', modality: { code: 'DX' } }] }], options);
    const uid = (resources[0]!['series'] as { uid: string }[])[0]!.uid;
    assert.match(uid, /^2\.25\.\d+$/);
  });
});

describe('deidentify: free text', () => {
  it('removes narratives, notes, descriptions and strings, and reports where', () => {
    for (const v of ['Second floor', 'Discharge summary', 'Family history', 'Paid to', 'Member called']) assert.ok(!json.includes(v), v);
    assert.ok(out.every((r) => r['text'] === undefined && r['note'] === undefined));
    assert.equal(report.freeText.byElement['Patient.text'], 1);
    assert.equal(report.freeText.byElement['Observation.note'], 1);
    assert.equal(report.freeText.byElement['Location.description'], 1);
  });

  it('keeps code displays that pass the check and removes those that do not', () => {
    const cond = out.find((r) => r.resourceType === 'Condition')!;
    assert.deepEqual(cond['code'], { coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes mellitus type 2' }] }); // text named the doctor
    assert.equal(report.freeText.removedByCheck, 2); // managingOrganization.display, Condition.code.text
    const enc = out.find((r) => r.resourceType === 'Encounter')!;
    assert.deepEqual(enc['subject'], { reference: `Patient/${out[0]!.id}` }); // display of a person: removed without a check
    const eob = out.find((r) => r.resourceType === 'ExplanationOfBenefit')!;
    assert.deepEqual(eob['insurer'], { display: 'Acme Health' }); // insurer can only be an Organization: kept after the check
  });

  it('keeps listed text elements (keepText) only when they pass the check', () => {
    const obs = (v: string): FhirResource => ({ resourceType: 'Observation', status: 'final', code: { text: 'Urine culture' }, subject: { reference: 'Patient/p1' }, valueString: v });
    const input = [{ resourceType: 'Patient', id: 'p1', name: [{ family: 'Zabriskie' }] }, obs('No growth'), obs('Call Mrs Zabriskie'), obs('See 2024-02-03')];
    const { resources: r0 } = deidentify(input, options);
    assert.equal(r0[1]!['valueString'], undefined); // removed by default
    const { resources: r1 } = deidentify(input, { ...options, keepText: ['Observation.value[x]'] });
    assert.deepEqual(r1.slice(1).map((r) => r['valueString']), ['No growth', undefined, undefined]);
  });
});

describe('deidentify: input handling', () => {
  it('marks a required element it had to empty as masked (data-absent-reason), so the resource stays valid', () => {
    const cov = out.find((r) => r.resourceType === 'Coverage')!;
    assert.deepEqual(cov['payor'], [{ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'masked' }] }]);
  });

  it('removes and reports properties FHIR R4 does not define (they could hold anything)', () => {
    const { resources, report: r } = deidentify([{ resourceType: 'Patient', gender: 'male', nickname: 'Jojo' } as FhirResource], options);
    assert.deepEqual(resources[0], { resourceType: 'Patient', gender: 'male' });
    assert.deepEqual(r.unknownElementsRemoved, { 'Patient.nickname': 1 });
  });

  it('does not modify its input', () => {
    const input = kitchenSink();
    const before = JSON.stringify(input);
    deidentify(input, options);
    assert.equal(JSON.stringify(input), before);
  });

  const bad: [string, unknown, Partial<DeidentifyOptions>][] = [
    ['a non-resource', [{ foo: 1 }], {}],
    ['an unknown resource type', [{ resourceType: 'Patinet' }], {}],
    ['a short secret', [], { studySecret: Buffer.alloc(8) }],
    ['no study id', [], { studyId: '' }],
  ];
  for (const [name, input, opt] of bad) {
    it(`refuses ${name} with an invalid DomainError`, () => {
      assert.throws(() => deidentify(input as FhirResource[], { ...options, ...opt }), (e) => isDomainError(e, 'invalid'));
    });
  }
});
