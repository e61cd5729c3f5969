/**
 * FHIR R4 search, the pure half: search parameter definitions for every resource type
 * (`searchParameters.ts`), typed index values of a resource (`extract.ts`), string normalisation
 * for blinded prefix / trigram indexes (`normalize.ts`), the Patient compartment
 * (`compartment.ts`), request parsing and prefix range semantics (`query.ts`, `ranges.ts`), and
 * `_summary` / `_elements` (`summary.ts`). Storage (SQL, HMAC blinding) builds on this API.
 */
export {
  resourceTypes,
  isResourceType,
  searchParametersOf,
  searchParameter,
  searchParameterCodes,
  skippedSearchParameters,
  restrictExpression,
  type SearchParamDef,
  type CompositeComponentDef,
} from './searchParameters.ts';
export { extractIndexValues, extractParam, type ExtractedParam, type ExtractOptions } from './extract.ts';
export {
  normalizeString,
  normalizedPrefixes,
  prefixQuery,
  ngrams,
  trigrams,
  matchesString,
  uriAncestors,
  DEFAULT_PREFIX_LENGTH,
  type PrefixOptions,
} from './normalize.ts';
export { compartmentParams, compartmentResourceTypes, patientsOf, PATIENT_COMPARTMENT_URL } from './compartment.ts';
export {
  parseSearch,
  supportedParameterNames,
  identifierQueries,
  RESULT_PARAMETERS,
  DEFAULT_MAX_COUNT,
  type ParsedSearch,
  type ParseOptions,
  type Criterion,
  type ParamCriterion,
  type MissingCriterion,
  type ChainCriterion,
  type HasCriterion,
  type IncludeSpec,
  type SortKey,
  type SummaryMode,
  type TotalMode,
  type QueryValue,
  type TokenQuery,
  type StringQuery,
  type UriQuery,
  type DateQuery,
  type NumberQuery,
  type QuantityQuery,
  type ReferenceQuery,
  type CompositeQuery,
  type NearQuery,
} from './query.ts';
export { matchesRange, approximateRange } from './ranges.ts';
export { applySummary, applyElements, SUBSETTED_TAG, type SummaryForm } from './summary.ts';
export { dateRange } from './date-range.ts';
export { decimalRange, numberRange } from './number-range.ts';
export { normalizeReference, splitCanonical, type NormalizedReference, type ReferenceOptions } from './reference.ts';
export { elementsOf, elementOf, FHIR_VERSION, type ElementInfo } from './model.ts';
export * from './types.ts';
