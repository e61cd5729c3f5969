/**
 * The code systems the sensitivity value sets use, with the other URIs the same systems appear
 * under in real data (OIDs, older FHIR URLs, CMS Blue Button URLs), and how codes of each system
 * are normalised before lookup.
 *
 * Canonical URIs follow HL7 Terminology (THO) "External code systems"; OIDs are the HL7 OID registry
 * ones. ICD-10 (WHO) shares the ICD-10-CM index: the categories used here (F10–F19, A50–A64, B20,
 * Z21, O00–O08, Q90–Q99, …) have the same meaning in both, and the WHO-only HIV categories
 * B21–B24 are listed in `hiv.json`.
 */
export const SNOMED = 'http://snomed.info/sct';
export const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
export const LOINC = 'http://loinc.org';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const HCPCS = 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
export const ICD10PCS = 'http://www.cms.gov/Medicare/Coding/ICD10';
export const GENOMICS_TBD = 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs';

/** How a system's codes are normalised: `icd` drops dots and upper-cases (`f11.20` → `F1120`), `upper` upper-cases. */
export type Normalization = 'none' | 'upper' | 'icd';

export interface CodeSystemInfo {
  readonly canonical: string;
  readonly aliases: readonly string[];
  readonly normalization: Normalization;
  /** Whether value sets may list prefixes (hierarchical code systems). */
  readonly prefixes: boolean;
}

export const CODE_SYSTEMS: readonly CodeSystemInfo[] = [
  { canonical: SNOMED, aliases: ['urn:oid:2.16.840.1.113883.6.96'], normalization: 'none', prefixes: false },
  {
    canonical: ICD10CM,
    aliases: ['urn:oid:2.16.840.1.113883.6.90', 'http://hl7.org/fhir/sid/icd-10', 'urn:oid:2.16.840.1.113883.6.3'],
    normalization: 'icd',
    prefixes: true,
  },
  { canonical: LOINC, aliases: ['urn:oid:2.16.840.1.113883.6.1'], normalization: 'none', prefixes: false },
  { canonical: RXNORM, aliases: ['urn:oid:2.16.840.1.113883.6.88'], normalization: 'none', prefixes: false },
  {
    canonical: HCPCS,
    aliases: [
      'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
      'urn:oid:2.16.840.1.113883.6.285',
      'urn:oid:2.16.840.1.113883.6.14',
      'https://bluebutton.cms.gov/resources/codesystem/hcpcs',
    ],
    normalization: 'upper',
    prefixes: false,
  },
  {
    canonical: ICD10PCS,
    aliases: ['urn:oid:2.16.840.1.113883.6.4', 'https://www.cms.gov/Medicare/Coding/ICD10'],
    normalization: 'icd',
    prefixes: true,
  },
  { canonical: GENOMICS_TBD, aliases: [], normalization: 'none', prefixes: false },
];

const BY_URI = new Map<string, CodeSystemInfo>();
for (const s of CODE_SYSTEMS) for (const uri of [s.canonical, ...s.aliases]) BY_URI.set(uri, s);

/** The code system a Coding.system names, if it is one the value sets use. */
export function codeSystemOf(uri: string): CodeSystemInfo | undefined {
  return BY_URI.get(uri);
}

/** Normalises a code for lookup: ICD codes lose their dots and are upper-cased. */
export function normalizeCode(code: string, normalization: Normalization): string {
  switch (normalization) {
    case 'none':
      return code;
    case 'upper':
      return code.trim().toUpperCase();
    case 'icd':
      return (code.includes('.') ? code.replaceAll('.', '') : code).trim().toUpperCase();
  }
}
