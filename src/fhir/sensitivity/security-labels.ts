/**
 * The class ↔ security label mapping used by the consent policy.
 *
 * Security labels are `Resource.meta.security` Codings (FHIR R4 §8.1 "Security Labels"):
 * - confidentiality from HL7 v3 Confidentiality (`R` restricted, `V` very restricted, …);
 * - sensitivity from HL7 v3 ActCode `_ActInformationSensitivityPolicy` (HIV, ETH, PSY, SEX, …);
 * - privacy law from HL7 v3 ActCode `_ActPrivacyLaw` (`42CFRPart2`, `HIPAAPsyNotes`).
 * Codes and displays are those of THO v3-ActCode / v3-Confidentiality as shipped in the FHIR R4
 * definitions. A label counts when its system is one of those code systems (canonical URL, OID or
 * the pre-THO `http://hl7.org/fhir/v3/...` URL) or is absent; labels from other systems are ignored.
 *
 * Read side (`LABEL_CLASSES`): which classes a label puts a resource in. Several labels may map to
 * one class, and a label may map to two (SPI, "specially protected information", covers substance
 * use and mental health). `R` is special: it makes a resource `restricted` only when nothing else
 * explains it (no sensitivity label and no sensitive code), because the classifier itself adds `R`
 * to every sensitive resource (HL7 DS4P: sensitive information is at least restricted). `V` always
 * means `restricted`, as do TBOO, VIO and DRGIS, which have no class of their own.
 *
 * Write side (`EMITTED_LABELS`, `CLASS_DEFAULT_LABEL`): the labels the classifier adds.
 */
import { CLASS_BIT, type SensitiveClass } from './classes.ts';

export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const ACT_CODE_URIS = new Set([ACT_CODE_SYSTEM, 'urn:oid:2.16.840.1.113883.5.4', 'http://hl7.org/fhir/v3/ActCode']);
const CONFIDENTIALITY_URIS = new Set([CONFIDENTIALITY_SYSTEM, 'urn:oid:2.16.840.1.113883.5.25', 'http://hl7.org/fhir/v3/Confidentiality']);

/** The ActCode sensitivity labels the classifier writes (each value-set entry names some of them). */
export const EMITTED_LABELS = ['HIV', 'STD', 'ETH', 'ETHUD', 'OPIOIDUD', 'PSY', 'SEX', 'SDV', 'GDIS', 'SCA'] as const;
export type EmittedLabel = (typeof EMITTED_LABELS)[number];

/** HL7 display of each label the classifier writes (v3-ActCode, v3-Confidentiality). */
export const LABEL_DISPLAY: Readonly<Record<EmittedLabel | 'R', string>> = Object.freeze({
  R: 'restricted',
  HIV: 'HIV/AIDS information sensitivity',
  STD: 'sexually transmitted disease information sensitivity',
  ETH: 'substance abuse information sensitivity',
  ETHUD: 'alcohol use disorder information sensitivity',
  OPIOIDUD: 'opioid use disorder information sensitivity',
  PSY: 'psychiatry disorder information sensitivity',
  SEX: 'sexuality and reproductive health information sensitivity',
  SDV: 'sexual assault, abuse, or domestic violence information sensitivity',
  GDIS: 'genetic disease information sensitivity',
  SCA: 'sickle cell anemia information sensitivity',
});

/** Bit of each emitted label in a label mask. */
export const LABEL_BIT: Readonly<Record<EmittedLabel, number>> = Object.freeze(
  Object.fromEntries(EMITTED_LABELS.map((l, i) => [l, 1 << i])) as Record<EmittedLabel, number>,
);

/** The labels a value-set entry of each class may carry. */
export const CLASS_EMITTED_LABELS: Readonly<Record<Exclude<SensitiveClass, 'restricted'>, readonly EmittedLabel[]>> = Object.freeze({
  hiv: ['HIV', 'STD'],
  'substance-use': ['ETH', 'ETHUD', 'OPIOIDUD'],
  'mental-health': ['PSY'],
  reproductive: ['SEX', 'SDV'],
  genetics: ['GDIS', 'SCA'],
});

/** The label that stands for a whole class (used when only the class is known). */
export const CLASS_DEFAULT_LABEL: Readonly<Record<Exclude<SensitiveClass, 'restricted'>, EmittedLabel>> = Object.freeze({
  hiv: 'HIV',
  'substance-use': 'ETH',
  'mental-health': 'PSY',
  reproductive: 'SEX',
  genetics: 'GDIS',
});

/**
 * Read side: the meta.security codes that put a resource in each class. For `restricted`, `R`
 * counts only when unexplained (see above). ETH, HIV, PSY and SDV also exist, deprecated, in
 * v3-Confidentiality (ConfidentialityByInfoType) and are read there too.
 */
export const CLASS_LABELS: Readonly<Record<SensitiveClass, readonly string[]>> = Object.freeze({
  restricted: ['V', 'R', 'TBOO', 'VIO', 'DRGIS'],
  hiv: ['HIV', 'STD'],
  'substance-use': ['ETH', 'SUD', 'ETHUD', 'OPIOIDUD', 'SPI', '42CFRPart2'],
  'mental-health': ['PSY', 'PSYTHPN', 'MH', 'BH', 'EMOTDIS', 'COGN', 'DVD', 'SPI', 'HIPAAPsyNotes'],
  reproductive: ['SEX', 'SDV', 'MST'],
  genetics: ['GDIS', 'SCA', 'SICKLE'],
});

/** ActCode code → class mask (R and V are Confidentiality codes, handled apart). */
const ACT_CODE_CLASSES = new Map<string, number>();
for (const [cls, codes] of Object.entries(CLASS_LABELS) as [SensitiveClass, readonly string[]][]) {
  for (const code of codes) {
    if (code === 'R' || code === 'V') continue;
    ACT_CODE_CLASSES.set(code, (ACT_CODE_CLASSES.get(code) ?? 0) | CLASS_BIT[cls]);
  }
}
/** v3-Confidentiality ConfidentialityByInfoType codes (deprecated) → class mask. */
const CONFIDENTIALITY_INFO_TYPE = new Map<string, number>([
  ['ETH', CLASS_BIT['substance-use']],
  ['HIV', CLASS_BIT.hiv],
  ['PSY', CLASS_BIT['mental-health']],
  ['SDV', CLASS_BIT.reproductive],
]);
const EMITTED_BIT = new Map<string, number>(EMITTED_LABELS.map((l) => [l, LABEL_BIT[l]]));

/** What the labels already on a resource say. Mutable accumulator, filled by `readSecurityLabels`. */
export interface LabelScan {
  /** Classes the labels put the resource in (not counting R). */
  classes: number;
  /** Emitted ActCode labels already present (system ActCode or absent), to avoid duplicates. */
  present: number;
  /** Confidentiality R present (system v3-Confidentiality or absent). */
  r: boolean;
  /** Confidentiality V present. */
  v: boolean;
}

export function emptyLabelScan(): LabelScan {
  return { classes: 0, present: 0, r: false, v: false };
}

/**
 * Reads a `meta.security` value (anything: this runs on unvalidated JSON) into `scan`. Unknown
 * systems and malformed entries are ignored.
 */
export function readSecurityLabels(security: unknown, scan: LabelScan): void {
  if (!Array.isArray(security)) return;
  for (let i = 0; i < security.length; i++) {
    const label: unknown = security[i];
    if (typeof label !== 'object' || label === null) continue;
    const code = (label as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    const system = (label as { system?: unknown }).system;
    const anySystem = system === undefined;
    if (anySystem || (typeof system === 'string' && ACT_CODE_URIS.has(system))) {
      const classes = ACT_CODE_CLASSES.get(code);
      if (classes !== undefined) scan.classes |= classes;
      const bit = EMITTED_BIT.get(code);
      if (bit !== undefined) scan.present |= bit;
    }
    if (anySystem || (typeof system === 'string' && CONFIDENTIALITY_URIS.has(system))) {
      if (code === 'R') scan.r = true;
      else if (code === 'V') scan.v = true;
      else {
        const classes = CONFIDENTIALITY_INFO_TYPE.get(code);
        if (classes !== undefined) scan.classes |= classes;
      }
    }
  }
}

const LABELS_BY_MASK: readonly (readonly EmittedLabel[])[] = Array.from({ length: 1 << EMITTED_LABELS.length }, (_, mask) =>
  Object.freeze(EMITTED_LABELS.filter((l) => (mask & LABEL_BIT[l]) !== 0)),
);

/** The emitted labels of a label mask, in `EMITTED_LABELS` order (a shared frozen array). */
export function labelsOfMask(mask: number): readonly EmittedLabel[] {
  return LABELS_BY_MASK[mask & ((1 << EMITTED_LABELS.length) - 1)]!;
}
