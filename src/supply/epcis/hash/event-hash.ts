/**
 * Event hash IDs (CBV 2.0 §8.9, "Event hash ID"): `ni:///sha-256;{hex}?ver=CBV2.0`, the SHA-256 (RFC 6920 `ni`
 * URI) of the event's canonical pre-hash string (see `prehash.ts`). Two systems that capture the same event —
 * whatever their JSON key order, timestamp zone, identifier syntax (EPC URN or Digital Link) or CBV form
 * (bare word, URN or Web URI) — compute the same ID, which lets an event without an `eventID` be referenced,
 * de-duplicated and corrected (`errorDeclaration.correctiveEventIDs`).
 *
 * Byte-compatibility: the pre-hash strings reproduce those of GS1's reference implementation
 * RalphTro/epcis-event-hash-generator (commit 5d2f1c3, 2025-10-17) on all of its JSON test examples and on all
 * of GS1's EPCIS 2.0 examples it can process (see `event-hash.test.ts`). Known differences, all on inputs
 * where the reference implementation fails and yields no hash: a bizTransaction/source/destination entry
 * without `type`; a JSON-LD `@context` that redefines a protected EPCIS term; a context entry that is an
 * object; milliseconds that round up to a whole second.
 */
import { createHash } from 'node:crypto';
import { invalid } from '../../../shared/errors.ts';
import { declaredPrefixes, EPCIS_CONTEXT_PREFIXES, expandedVocabulary, replaceBareWords } from './bare-words.ts';
import { preHashOfModel } from './prehash.ts';
import { jsonToModel, toXmlShape } from './py-model.ts';

export interface EventHashOptions {
  /**
   * Top-level event fields to leave out of the hash, beyond those the standard always leaves out (eventID,
   * recordTime, errorDeclaration). For repositories that add their own bookkeeping fields to events.
   */
  ignoreFields?: readonly string[];
}

export interface EventHash {
  /** `ni:///sha-256;{64 hex}?ver=CBV2.0` */
  hashId: string;
  /** The canonical string that was hashed (UTF-8), for debugging and audit. */
  preHash: string;
}

/** The `ni` URI of a pre-hash string. */
export function hashIdOfPreHash(preHash: string): string {
  return `ni:///sha-256;${createHash('sha256').update(preHash, 'utf8').digest('hex')}?ver=CBV2.0`;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The events of an EPCISDocument, an EPCISQueryDocument, or a single event (in document order). */
export function rawEventsOf(doc: unknown): unknown[] {
  if (!isObj(doc)) return [];
  const body = doc['epcisBody'];
  if (isObj(body)) {
    if (Array.isArray(body['eventList'])) return body['eventList'];
    const qr = body['queryResults'];
    if (isObj(qr) && isObj(qr['resultsBody']) && Array.isArray(qr['resultsBody']['eventList'])) return qr['resultsBody']['eventList'];
    if (isObj(body['event'])) return [body['event']];
    return [];
  }
  return typeof doc['type'] === 'string' && doc['type'].endsWith('Event') ? [doc] : [];
}

/**
 * The hash of every event of `doc` (an EPCISDocument, EPCISQueryDocument or a single event), in document order.
 * Bare CBV words and namespace prefixes are resolved against the whole document, as the standard requires.
 */
export function eventHashesOf(doc: unknown, options: EventHashOptions = {}): EventHash[] {
  const events = rawEventsOf(doc);
  const context = isObj(doc) ? doc['@context'] : undefined;
  const declared = declaredPrefixes(context);
  const prefixes = new Map([...EPCIS_CONTEXT_PREFIXES, ...declared]);
  // As in the reference implementation, user-extension keys are resolved only against a context given as an array.
  const namespaces = Array.isArray(context) ? declared : new Map<string, string>();
  const expanded = replaceBareWords(events, expandedVocabulary(events, prefixes));
  return expanded.map((event) => {
    const model = toXmlShape(jsonToModel(event, { namespaces }, options.ignoreFields ?? []));
    const preHash = preHashOfModel(model);
    return { preHash, hashId: hashIdOfPreHash(preHash) };
  });
}

/** The hash ID of one event (resolved against its own `@context`, if any). */
export function eventHashId(event: unknown, options: EventHashOptions = {}): string {
  const h = eventHashesOf(event, options)[0];
  if (!h) throw invalid('not an EPCIS event: no "type" ending in "Event"');
  return h.hashId;
}
