import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyContactPoint, classifyIdentifier, type IdentifierLike } from './identifier-class.ts';

const v2 = (code: string, text?: string): IdentifierLike => ({ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code }], ...(text ? { text } : {}) } });

describe('classifyIdentifier', () => {
  const cases: [string, IdentifierLike, string, string][] = [
    ['v2 SS', v2('SS'), 'Patient.identifier', 'ssn'],
    ['us-ssn system', { system: 'http://hl7.org/fhir/sid/us-ssn' }, 'Patient.identifier', 'ssn'],
    ['v2 MR', v2('MR'), 'Patient.identifier', 'mrn'],
    ['v2 MB', v2('MB'), 'Patient.identifier', 'health-plan'],
    ['Medicare system', { system: 'http://hl7.org/fhir/sid/us-medicare' }, 'Patient.identifier', 'health-plan'],
    ['v2 AN', v2('AN'), 'Patient.identifier', 'account'],
    ['Claim identifier by place', { system: 'urn:x' }, 'Claim.identifier', 'account'],
    ['v2 DL', v2('DL'), 'Patient.identifier', 'licence'],
    ['Synthea passport system', { system: 'http://standardhealthrecord.org/fhir/StructureDefinition/passportNumber' }, 'Patient.identifier', 'licence'],
    ['licence plate words beat the DL code', v2('DL', 'Vehicle licence plate'), 'Patient.identifier', 'vehicle'],
    ['VIN', { system: 'urn:example:vin', type: { text: 'VIN' } }, 'Patient.identifier', 'vehicle'],
    ['v2 SNO', v2('SNO'), 'Device.identifier', 'device'],
    ['Device identifier by place', { system: 'urn:x' }, 'Device.identifier', 'device'],
    ['fingerprint template id', { type: { text: 'Fingerprint template' } }, 'Patient.identifier', 'biometric'],
    ['Practitioner licence by place', { system: 'urn:state-board' }, 'Practitioner.qualification.identifier', 'licence'],
    ['NPI', { system: 'http://hl7.org/fhir/sid/us-npi' }, 'Practitioner.identifier', 'other-id'],
    ['unknown', { system: 'https://github.com/synthetichealth/synthea' }, 'Patient.identifier', 'other-id'],
  ];
  for (const [name, id, path, want] of cases) it(`${name} → ${want}`, () => assert.equal(classifyIdentifier(id, path), want));
});

describe('classifyContactPoint', () => {
  const cases: [unknown, string][] = [['phone', 'telephone'], ['sms', 'telephone'], ['fax', 'fax'], ['email', 'email'], ['url', 'url'], ['other', 'other-id'], [undefined, 'other-id']];
  for (const [system, want] of cases) it(`${String(system)} → ${want}`, () => assert.equal(classifyContactPoint(system), want));
});
