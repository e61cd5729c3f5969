/**
 * A flat, typed view of the events of an EPCIS 2.0 document (EPCIS 2.0 §7.4, the five event types), for the
 * capture, storage and query layers: `eventsOf(document)` accepts an `EPCISDocument`, an `EPCISQueryDocument`
 * (events under `epcisBody.queryResults.resultsBody.eventList`) or a single event, and returns each event with
 * its identifiers, CBV values in normal form, and its `eventID` — the one given, or else its CBV 2.0 event hash
 * ID (`ni:///sha-256;…?ver=CBV2.0`).
 *
 * It does not validate: run `validateEpcisDocument` first. Missing optional fields come back as empty lists or
 * undefined; the original JSON of each event is kept in `raw`.
 */
import { invalid } from '../../shared/errors.ts';
import { normaliseCbv, type CbvValue } from './cbv.ts';
import { eventHashesOf, rawEventsOf, type EventHashOptions } from './hash/event-hash.ts';

export type EpcisEventType = 'ObjectEvent' | 'AggregationEvent' | 'TransactionEvent' | 'TransformationEvent' | 'AssociationEvent';
export const EPCIS_EVENT_TYPES: readonly EpcisEventType[] = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'];

export interface QuantityElement {
  /** EPC class: `urn:epc:class:lgtin:…`, `urn:epc:idpat:sgtin:…` or a Digital Link. */
  epcClass: string;
  quantity?: number;
  /** UN/ECE Rec. 20 unit code, e.g. `KGM`; absent for a count of instances. */
  uom?: string;
}

export interface SourceDestination {
  /** Normalised `type` (e.g. `https://ref.gs1.org/cbv/SDT-owning_party`). */
  type: CbvValue;
  /** The party or location, e.g. `urn:epc:id:pgln:…` or a Digital Link. */
  id: string;
}

export interface BizTransaction {
  type?: CbvValue;
  /** The transaction's identifier, e.g. `urn:epcglobal:cbv:bt:0614141073467:1152`. */
  id: string;
}

export interface ErrorDeclaration {
  declarationTime: string;
  reason?: CbvValue;
  /** IDs of the events that correct the erroneous one (EPCIS 2.0 §7.4.1.4). */
  correctiveEventIDs: string[];
}

export interface EpcisEventView {
  /** Position in the document's event list, from 0. */
  index: number;
  type: EpcisEventType | string;
  /** The event's `eventID` if it has one, else `hashId`. */
  eventID: string;
  /** True when `eventID` was computed (the event had none). */
  eventIDComputed: boolean;
  /** The CBV 2.0 event hash ID, always computed. */
  hashId: string;
  eventTime: string;
  eventTimeZoneOffset?: string;
  recordTime?: string;
  action?: 'ADD' | 'OBSERVE' | 'DELETE';
  /** Aggregation / association parent (a container's SSCC, an asset's GIAI, …). */
  parentID?: string;
  epcList: string[];
  childEPCs: string[];
  inputEPCList: string[];
  outputEPCList: string[];
  quantityList: QuantityElement[];
  childQuantityList: QuantityElement[];
  inputQuantityList: QuantityElement[];
  outputQuantityList: QuantityElement[];
  transformationID?: string;
  bizStep?: CbvValue;
  disposition?: CbvValue;
  persistentDisposition?: { set: CbvValue[]; unset: CbvValue[] };
  readPoint?: string;
  bizLocation?: string;
  bizTransactionList: BizTransaction[];
  sourceList: SourceDestination[];
  destinationList: SourceDestination[];
  errorDeclaration?: ErrorDeclaration;
  /** Number of sensor elements (the elements themselves are in `raw.sensorElementList`). */
  sensorElementCount: number;
  /** The event as it was in the document. */
  raw: Record<string, unknown>;
}

export type EpcisDocumentKind = 'EPCISDocument' | 'EPCISQueryDocument' | 'event';

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const objects = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isObj) : []);
const idOf = (v: unknown): string | undefined => (isObj(v) ? str(v['id']) : str(v));

/** What `json` is: an EPCIS document, a query document, or a single event. */
export function epcisDocumentKind(json: unknown): EpcisDocumentKind {
  const type = isObj(json) ? json['type'] : undefined;
  if (type === 'EPCISDocument' || type === 'EPCISQueryDocument') return type;
  if (typeof type === 'string' && type.endsWith('Event')) return 'event';
  throw invalid(`not an EPCIS document, query document or event: "type" is ${type === undefined ? 'missing' : JSON.stringify(type)}`, ['type']);
}

function quantities(v: unknown): QuantityElement[] {
  return objects(v).map((q) => {
    const out: QuantityElement = { epcClass: str(q['epcClass']) ?? '' };
    if (typeof q['quantity'] === 'number') out.quantity = q['quantity'];
    if (typeof q['uom'] === 'string') out.uom = q['uom'];
    return out;
  });
}

/**
 * The events of an EPCIS document, query document or single event, in document order.
 * @throws DomainError('invalid') when `document` is none of these.
 */
export function eventsOf(document: unknown, options: EventHashOptions = {}): EpcisEventView[] {
  epcisDocumentKind(document);
  const raws = rawEventsOf(document);
  const hashes = eventHashesOf(document, options);
  return raws.map((r, index) => {
    const e = isObj(r) ? r : {};
    const hashId = hashes[index]!.hashId;
    const given = str(e['eventID']);
    const view: EpcisEventView = {
      index,
      type: str(e['type']) ?? '',
      eventID: given ?? hashId,
      eventIDComputed: given === undefined,
      hashId,
      eventTime: str(e['eventTime']) ?? '',
      epcList: strings(e['epcList']),
      childEPCs: strings(e['childEPCs']),
      inputEPCList: strings(e['inputEPCList']),
      outputEPCList: strings(e['outputEPCList']),
      quantityList: quantities(e['quantityList']),
      childQuantityList: quantities(e['childQuantityList']),
      inputQuantityList: quantities(e['inputQuantityList']),
      outputQuantityList: quantities(e['outputQuantityList']),
      bizTransactionList: objects(e['bizTransactionList']).map((b) => {
        const t = str(b['type']);
        return t === undefined ? { id: str(b['bizTransaction']) ?? '' } : { type: normaliseCbv('bizTransactionType', t), id: str(b['bizTransaction']) ?? '' };
      }),
      sourceList: objects(e['sourceList']).map((s) => ({ type: normaliseCbv('sourceDestinationType', str(s['type']) ?? ''), id: str(s['source']) ?? '' })),
      destinationList: objects(e['destinationList']).map((d) => ({ type: normaliseCbv('sourceDestinationType', str(d['type']) ?? ''), id: str(d['destination']) ?? '' })),
      sensorElementCount: objects(e['sensorElementList']).length,
      raw: e,
    };
    const opt = <K extends keyof EpcisEventView>(k: K, v: EpcisEventView[K] | undefined) => {
      if (v !== undefined) view[k] = v;
    };
    opt('eventTimeZoneOffset', str(e['eventTimeZoneOffset']));
    opt('recordTime', str(e['recordTime']));
    const action = str(e['action']);
    if (action === 'ADD' || action === 'OBSERVE' || action === 'DELETE') view.action = action;
    opt('parentID', str(e['parentID']));
    opt('transformationID', str(e['transformationID']));
    const bizStep = str(e['bizStep']);
    if (bizStep !== undefined) view.bizStep = normaliseCbv('bizStep', bizStep);
    const disposition = str(e['disposition']);
    if (disposition !== undefined) view.disposition = normaliseCbv('disposition', disposition);
    const pd = e['persistentDisposition'];
    if (isObj(pd)) view.persistentDisposition = { set: strings(pd['set']).map((v) => normaliseCbv('disposition', v)), unset: strings(pd['unset']).map((v) => normaliseCbv('disposition', v)) };
    opt('readPoint', idOf(e['readPoint']));
    opt('bizLocation', idOf(e['bizLocation']));
    const ed = e['errorDeclaration'];
    if (isObj(ed)) {
      const reason = str(ed['reason']);
      view.errorDeclaration = { declarationTime: str(ed['declarationTime']) ?? '', correctiveEventIDs: strings(ed['correctiveEventIDs']) };
      if (reason !== undefined) view.errorDeclaration.reason = normaliseCbv('errorReason', reason);
    }
    return view;
  });
}
