/**
 * Write-time sensitivity classification of FHIR resources (see `classify.ts`) and the HL7 security
 * labels it implies (see `labels.ts`). The consent policy decides from the classes; the write path
 * stores `withSecurityLabels(resource)`.
 */
export { SENSITIVE_CLASSES, classesOfMask, isSensitiveClass, type SensitiveClass } from './classes.ts';
export { classify, matchedCodings, sensitivityOf, type Classification, type MatchedCoding } from './classify.ts';
export { missingSecurityLabels, withSecurityLabels, type SecurityLabel } from './labels.ts';
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
export { CODE_INDEX, buildIndex, loadValueSets, type CodeIndex, type Hit } from './value-sets.ts';
