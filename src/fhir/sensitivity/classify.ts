/**
 * Classifies a FHIR resource into sensitive classes, at write time, from two kinds of evidence:
 *
 * 1. its codes: every Coding anywhere in the resource (any object with a string `system` and a
 *    string `code`: Condition.code, Observation.code / valueCodeableConcept / component.code,
 *    MedicationRequest.medicationCodeableConcept, Procedure.code, Claim and ExplanationOfBenefit
 *    diagnosis / procedure / item.productOrService, Encounter.type / reasonCode, CarePlan.category /
 *    activity.detail.code, DiagnosticReport.code, AllergyIntolerance.code, extensions, contained
 *    resources, …) is matched by system + code against the value sets (`value-sets.ts`): exact codes
 *    for SNOMED CT, LOINC, RxNorm and HCPCS, and code prefixes for ICD-10-CM / ICD-10 / ICD-10-PCS,
 *    with or without the dot;
 * 2. its security labels: `meta.security` (of the resource and of contained resources), read by
 *    `security-labels.ts`.
 *
 * Why both: the security review found an HIV Condition (SNOMED 86406008) released under a plain
 * Condition grant because it carried no label. Codes catch what authors do not label; labels keep
 * what authors know and codes cannot show (a psychotherapy note, a V-confidential record).
 *
 * Not seen: narrative (`text.div`), free text (`CodeableConcept.text`, `valueString`), and anything
 * only referenced (a Claim whose diagnosis is `diagnosisReference` only, a MedicationRequest with
 * `medicationReference`). SNOMED CT is matched by enumeration, without its hierarchy: a descendant
 * concept missing from the value sets is not recognised.
 *
 * Cost: one recursive walk over the JSON with no allocation except for matches and ICD codes.
 */
import type { Resource } from '../types.ts';
import { invalid } from '../../shared/errors.ts';
import { CLASS_BIT, CODE_CLASSES_MASK, classesOfMask, type SensitiveClass } from './classes.ts';
import { emptyLabelScan, labelsOfMask, readSecurityLabels, type EmittedLabel, type LabelScan } from './security-labels.ts';
import { CODE_INDEX, type CodeIndex } from './value-sets.ts';

/** Deeper JSON than this is refused (FHIR resources nest far less; this bounds the recursion). */
export const MAX_DEPTH = 256;

/** What a walk found, as bit masks. */
export interface Scan {
  /** Classes implied by codes. */
  codeClasses: number;
  /** ActCode labels implied by codes (LABEL_BIT mask). */
  codeLabels: number;
  /** What the security labels say. */
  labels: LabelScan;
}

export interface Classification {
  /** The classes the consent policy must see named in a grant (ordered as SENSITIVE_CLASSES). */
  readonly classes: readonly SensitiveClass[];
  /** Classes found from codes. */
  readonly fromCodes: readonly SensitiveClass[];
  /** Classes found from meta.security (R counted only when unexplained). */
  readonly fromLabels: readonly SensitiveClass[];
  /** The ActCode sensitivity labels the codes call for. */
  readonly labels: readonly EmittedLabel[];
}

function walk(node: object, scan: Scan, index: CodeIndex, depth: number): void {
  if (depth > MAX_DEPTH) throw invalid(`The resource nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v: unknown = node[i];
      if (typeof v === 'object' && v !== null) walk(v, scan, index, depth + 1);
    }
    return;
  }
  const obj = node as Record<string, unknown>;
  const code = obj.code;
  if (typeof code === 'string') {
    const system = obj.system;
    if (typeof system === 'string') {
      const hit = index.lookup(system, code);
      if (hit !== undefined) {
        scan.codeClasses |= hit.classes;
        scan.codeLabels |= hit.labels;
      }
    }
  }
  for (const key in obj) {
    const v = obj[key];
    if (typeof v !== 'object' || v === null) continue;
    if (key === 'meta') {
      // Security labels count; meta.tag and meta.profile are not clinical content.
      readSecurityLabels((v as { security?: unknown }).security, scan.labels);
      continue;
    }
    if (key === 'text' && !Array.isArray(v)) continue; // Narrative: XHTML, not coded
    walk(v, scan, index, depth + 1);
  }
}

/** Walks a resource and returns the raw masks (used by `withSecurityLabels`). */
export function scanResource(resource: Resource, index: CodeIndex = CODE_INDEX): Scan {
  const scan: Scan = { codeClasses: 0, codeLabels: 0, labels: emptyLabelScan() };
  walk(resource, scan, index, 0);
  return scan;
}

/** The final class mask of a scan, applying the R rule (see `security-labels.ts`). */
export function classMaskOf(scan: Scan): number {
  let mask = scan.codeClasses | scan.labels.classes;
  if (scan.labels.v || (scan.labels.r && (mask & CODE_CLASSES_MASK) === 0)) mask |= CLASS_BIT.restricted;
  return mask;
}

/**
 * The sensitive classes a resource carries, from its codes and its security labels. Returns a
 * shared frozen array in SENSITIVE_CLASSES order (empty when the resource is not sensitive).
 */
export function sensitivityOf(resource: Resource, index: CodeIndex = CODE_INDEX): readonly SensitiveClass[] {
  return classesOfMask(classMaskOf(scanResource(resource, index)));
}

/** The classes with their evidence (codes vs labels) and the labels the codes call for. */
export function classify(resource: Resource, index: CodeIndex = CODE_INDEX): Classification {
  const scan = scanResource(resource, index);
  const mask = classMaskOf(scan);
  return {
    classes: classesOfMask(mask),
    fromCodes: classesOfMask(scan.codeClasses),
    fromLabels: classesOfMask(scan.labels.classes | (mask & CLASS_BIT.restricted)), // restricted only ever comes from labels
    labels: labelsOfMask(scan.codeLabels),
  };
}

/** A Coding that matched a value set, for explanations and audits (not on the hot path). */
export interface MatchedCoding {
  readonly system: string;
  readonly code: string;
  readonly classes: readonly SensitiveClass[];
  readonly labels: readonly EmittedLabel[];
}

/** Every Coding of the resource that matched a value set, in document order. */
export function matchedCodings(resource: Resource, index: CodeIndex = CODE_INDEX): MatchedCoding[] {
  const out: MatchedCoding[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) throw invalid(`The resource nests deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(node)) return node.forEach((v) => visit(v, depth + 1));
    if (typeof node !== 'object' || node === null) return;
    const { system, code } = node as { system?: unknown; code?: unknown };
    if (typeof system === 'string' && typeof code === 'string') {
      const hit = index.lookup(system, code);
      if (hit) out.push({ system, code, classes: classesOfMask(hit.classes), labels: labelsOfMask(hit.labels) });
    }
    for (const [key, v] of Object.entries(node)) if (key !== 'meta' && !(key === 'text' && !Array.isArray(v))) visit(v, depth + 1);
  };
  visit(resource, 0);
  return out;
}
