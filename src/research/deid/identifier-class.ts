/**
 * Which Safe Harbor class (45 CFR §164.514(b)(2)(i)(D)–(R)) a FHIR `Identifier` or `ContactPoint`
 * belongs to, for the report. Every Identifier and ContactPoint is removed whatever its class; the
 * class only says what was removed. An Identifier is classed by its type code (HL7 v2 table 0203),
 * its system, the words in its type, and failing those by where it sits (a Device's identifiers are
 * device identifiers, a Claim's are account numbers).
 */
import type { SafeHarborClass } from './safe-harbor.ts';

interface CodingLike {
  system?: unknown;
  code?: unknown;
  display?: unknown;
}
export interface IdentifierLike {
  system?: unknown;
  type?: { coding?: unknown; text?: unknown };
}

/** HL7 v2 table 0203 identifier type codes (http://terminology.hl7.org/CodeSystem/v2-0203). */
const V2_0203: Record<string, SafeHarborClass> = {
  SS: 'ssn',
  SB: 'ssn', // social beneficiary
  MR: 'mrn',
  MRT: 'mrn',
  PI: 'mrn', // patient internal identifier
  PT: 'mrn',
  MA: 'health-plan', // Medicaid
  MC: 'health-plan', // Medicare
  MB: 'health-plan', // member number
  SN: 'health-plan', // subscriber number
  NIIP: 'health-plan',
  NH: 'health-plan',
  AN: 'account',
  ACSN: 'account',
  VN: 'account', // visit number
  DL: 'licence',
  LN: 'licence',
  MD: 'licence',
  DEA: 'licence',
  NP: 'licence',
  RN: 'licence',
  PPN: 'licence',
  BCT: 'licence', // birth certificate
  CZ: 'licence',
  NCT: 'licence',
  DC: 'licence', // death certificate
  SNO: 'device',
  UDI: 'device',
  NPI: 'other-id',
};

const SYSTEMS: [RegExp, SafeHarborClass][] = [
  [/us-ssn|2\.16\.840\.1\.113883\.4\.1$/, 'ssn'],
  [/us-medicare|us-mbi|medicaid|2\.16\.840\.1\.113883\.4\.(?:572|927)\b/, 'health-plan'],
  [/2\.16\.840\.1\.113883\.4\.3\.\d+|passport|driver/i, 'licence'],
  [/us-npi|2\.16\.840\.1\.113883\.4\.6$/, 'other-id'],
  [/clm_id|claim|account|invoice/i, 'account'],
];

const WORDS: [RegExp, SafeHarborClass][] = [
  [/vehicle|\bvin\b|licen[cs]e plate|number plate/i, 'vehicle'],
  [/finger|voice|retina|\biris\b|biometric|palm ?print|face ?print/i, 'biometric'],
  [/social security|\bssn\b/i, 'ssn'],
  [/medical record|\bmrn\b|chart number/i, 'mrn'],
  [/member|subscriber|beneficiary|medicaid|medicare|insurance|policy|health plan/i, 'health-plan'],
  [/account|claim|invoice|billing/i, 'account'],
  [/licen[cs]e|certificate|passport|permit/i, 'licence'],
  [/device|serial|\budi\b/i, 'device'],
];

/** Element paths whose identifiers belong to a class regardless of their type. */
const BY_PATH: [RegExp, SafeHarborClass][] = [
  [/^Device\.|\.udiCarrier/, 'device'],
  [/^(?:Claim|ExplanationOfBenefit|ClaimResponse|Account|Invoice|ChargeItem|PaymentNotice|PaymentReconciliation)\./, 'account'],
  [/^(?:Coverage|CoverageEligibilityRequest|CoverageEligibilityResponse|EnrollmentRequest)\./, 'health-plan'],
  [/^(?:Practitioner|PractitionerRole)\.qualification/, 'licence'],
  [/^Encounter\.hospitalization\.preAdmissionIdentifier$/, 'account'],
];

function codings(type: IdentifierLike['type']): CodingLike[] {
  return Array.isArray(type?.coding) ? (type.coding as CodingLike[]) : [];
}

/** The class of an Identifier found at element path `path` (e.g. `Patient.identifier`). */
export function classifyIdentifier(identifier: IdentifierLike, path: string): SafeHarborClass {
  const words = [identifier.type?.text, ...codings(identifier.type).map((c) => c.display)].filter((w): w is string => typeof w === 'string').join(' ');
  const vehicleOrBiometric = WORDS.slice(0, 2).find(([re]) => re.test(words) || (typeof identifier.system === 'string' && re.test(identifier.system)));
  if (vehicleOrBiometric) return vehicleOrBiometric[1];
  for (const c of codings(identifier.type)) {
    if (typeof c.code === 'string' && V2_0203[c.code] !== undefined) return V2_0203[c.code]!;
  }
  if (typeof identifier.system === 'string') {
    for (const [re, cls] of SYSTEMS) if (re.test(identifier.system)) return cls;
  }
  for (const [re, cls] of WORDS) if (re.test(words)) return cls;
  for (const [re, cls] of BY_PATH) if (re.test(path)) return cls;
  return 'other-id';
}

/** The class of a ContactPoint by its `system` (FHIR R4 ContactPointSystem). */
export function classifyContactPoint(system: unknown): SafeHarborClass {
  switch (system) {
    case 'phone':
    case 'pager':
    case 'sms':
      return 'telephone';
    case 'fax':
      return 'fax';
    case 'email':
      return 'email';
    case 'url':
      return 'url';
    default:
      return 'other-id';
  }
}
