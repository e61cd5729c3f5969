/** Public API of the EPCIS 2.0 module: see README.md beside this file. */
export { validateEpcisDocument, formatValidationErrors, type EpcisValidationError, type EpcisValidationResult } from './validate.ts';
export { normaliseCbv, requireCbv, checkCbv, CBV_KINDS, type CbvKind, type CbvValue, type CbvIssue } from './cbv.ts';
export * from './cbv-vocabulary.ts';
export { eventHashesOf, eventHashId, hashIdOfPreHash, rawEventsOf, type EventHash, type EventHashOptions } from './hash/event-hash.ts';
export { normaliseIdentifier as canonicalDigitalLink } from './hash/dl-normaliser.ts';
export {
  eventsOf,
  epcisDocumentKind,
  EPCIS_EVENT_TYPES,
  type EpcisEventView,
  type EpcisEventType,
  type EpcisDocumentKind,
  type QuantityElement,
  type SourceDestination,
  type BizTransaction,
  type ErrorDeclaration,
} from './events.ts';
