/**
 * Adds HL7 security labels to a resource at write time, from what `classify.ts` finds in its codes:
 * the ActCode sensitivity labels of every matched value-set entry (HIV, STD, ETH, ETHUD, OPIOIDUD,
 * PSY, SEX, SDV, GDIS, SCA; system v3-ActCode) and Confidentiality `R` (system v3-Confidentiality)
 * for any sensitive resource (FHIR R4 §8.1.1; HL7 DS4P: sensitive information is at least
 * restricted). Labels the author set are kept as they are, in their order; a label already
 * present (same code, same code system or no system) is not added twice; new labels are appended
 * in a fixed order (R first, then EMITTED_LABELS order) so the result, and its canonical-JSON hash,
 * depend only on the input. `R` is not added when the author set `V` (stricter). An author's
 * `N`/`L`/`M` stays: this module never removes a label, so such a resource ends up with two
 * confidentiality codes (the consent policy reads the stricter one).
 *
 * Also re-exports the class list and the class ↔ label mapping the consent policy uses.
 */
import type { Resource } from '../types.ts';
import { classMaskOf, scanResource } from './classify.ts';
import { CODE_CLASSES_MASK } from './classes.ts';
import { ACT_CODE_SYSTEM, CONFIDENTIALITY_SYSTEM, LABEL_DISPLAY, emptyLabelScan, labelsOfMask, readSecurityLabels } from './security-labels.ts';
import { CODE_INDEX, type CodeIndex } from './value-sets.ts';

export { SENSITIVE_CLASSES, type SensitiveClass } from './classes.ts';
export {
  ACT_CODE_SYSTEM,
  CLASS_DEFAULT_LABEL,
  CLASS_EMITTED_LABELS,
  CLASS_LABELS,
  CONFIDENTIALITY_SYSTEM,
  EMITTED_LABELS,
  LABEL_DISPLAY,
  type EmittedLabel,
} from './security-labels.ts';

/** A security label Coding as written by this module. */
export interface SecurityLabel {
  system: string;
  code: string;
  display: string;
}

/** The labels `withSecurityLabels` would add to this resource (empty when none are missing). */
export function missingSecurityLabels(resource: Resource, index: CodeIndex = CODE_INDEX): SecurityLabel[] {
  const scan = scanResource(resource, index);
  const sensitive = (classMaskOf(scan) & CODE_CLASSES_MASK) !== 0;
  if (!sensitive && scan.codeLabels === 0) return [];
  // Duplicates are judged against the resource's own labels (contained resources keep theirs).
  const own = emptyLabelScan();
  readSecurityLabels(resource.meta?.security, own);
  const out: SecurityLabel[] = [];
  if (sensitive && !own.r && !own.v) out.push({ system: CONFIDENTIALITY_SYSTEM, code: 'R', display: LABEL_DISPLAY.R });
  for (const l of labelsOfMask(scan.codeLabels & ~own.present)) out.push({ system: ACT_CODE_SYSTEM, code: l, display: LABEL_DISPLAY[l] });
  return out;
}

/**
 * The resource with the security labels its codes call for added to `meta.security`. Returns the
 * same object when nothing is missing; otherwise a shallow copy with a new `meta` (the input is
 * never mutated).
 */
export function withSecurityLabels<T extends Resource>(resource: T, index: CodeIndex = CODE_INDEX): T {
  const add = missingSecurityLabels(resource, index);
  if (add.length === 0) return resource;
  const existing = Array.isArray(resource.meta?.security) ? resource.meta.security : [];
  return { ...resource, meta: { ...resource.meta, security: [...existing, ...add] } };
}
