/**
 * The EPCIS 2.0 events a node writes for what it does (commission, pack, unpack, ship, receive,
 * dispense, recall, …), pure: JSON-LD as the EPCIS 2.0 JSON schema and CBV 2.0 define them, with GS1
 * Digital Link URIs for identifiers (EPCIS 2.0 §6.3 allows them wherever an EPC URI goes, and they need
 * no company prefix length).
 */
import { formatDigitalLink } from '../gs1/index.ts';
import { parseUnitId } from '../ledger/keys.ts';

export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

/** The Digital Link of a unit id. */
export function unitDl(id: string): string {
  const u = parseUnitId(id);
  return u.kind === 'item'
    ? formatDigitalLink([{ ai: '01', value: u.gtin }, { ai: '21', value: u.serial }])
    : formatDigitalLink([{ ai: '00', value: u.sscc }]);
}

/** Faster Digital Link of an item whose serial needs no escaping (A-Z a-z 0-9 - . _), else the general form. */
export function itemDl(gtin: string, serial: string): string {
  return /^[A-Za-z0-9._-]+$/.test(serial) ? `https://id.gs1.org/01/${gtin}/21/${serial}` : formatDigitalLink([{ ai: '01', value: gtin }, { ai: '21', value: serial }]);
}

export const locationDl = (gln: string) => `https://id.gs1.org/414/${gln}`;
export const partyDl = (gln: string) => `https://id.gs1.org/417/${gln}`;
export const lgtinDl = (gtin: string, lot: string) => formatDigitalLink([{ ai: '01', value: gtin }, { ai: '10', value: lot }]);

export function epcisDocument(eventList: object[], creationDate = new Date().toISOString()): Record<string, unknown> {
  return { '@context': [EPCIS_CONTEXT], type: 'EPCISDocument', schemaVersion: '2.0', creationDate, epcisBody: { eventList } };
}

interface Common {
  eventTime?: string;
  bizStep: string;
  disposition?: string;
  readPoint?: string;
  bizLocation?: string;
  bizTransactionList?: { type: string; bizTransaction: string }[];
  sourceList?: { type: string; source: string }[];
  destinationList?: { type: string; destination: string }[];
}

function common(c: Common): Record<string, unknown> {
  return {
    eventTime: c.eventTime ?? new Date().toISOString(),
    eventTimeZoneOffset: '+00:00',
    bizStep: c.bizStep,
    ...(c.disposition ? { disposition: c.disposition } : {}),
    ...(c.readPoint ? { readPoint: { id: c.readPoint } } : {}),
    ...(c.bizLocation ? { bizLocation: { id: c.bizLocation } } : {}),
    ...(c.bizTransactionList?.length ? { bizTransactionList: c.bizTransactionList } : {}),
    ...(c.sourceList?.length ? { sourceList: c.sourceList } : {}),
    ...(c.destinationList?.length ? { destinationList: c.destinationList } : {}),
  };
}

export function objectEvent(c: Common & { action: 'ADD' | 'OBSERVE' | 'DELETE'; epcList?: string[]; quantityList?: { epcClass: string }[]; ilmd?: Record<string, unknown> }): Record<string, unknown> {
  const { eventTime, eventTimeZoneOffset, ...rest } = common(c);
  return {
    type: 'ObjectEvent',
    eventTime,
    eventTimeZoneOffset,
    ...(c.epcList ? { epcList: c.epcList } : {}),
    ...(c.quantityList ? { quantityList: c.quantityList } : {}),
    action: c.action,
    ...rest,
    ...(c.ilmd ? { ilmd: c.ilmd } : {}),
  };
}

export function aggregationEvent(c: Common & { action: 'ADD' | 'OBSERVE' | 'DELETE'; parentID: string; childEPCs: string[] }): Record<string, unknown> {
  const { eventTime, eventTimeZoneOffset, ...rest } = common(c);
  return { type: 'AggregationEvent', eventTime, eventTimeZoneOffset, parentID: c.parentID, childEPCs: c.childEPCs, action: c.action, ...rest };
}

/** ILMD of a lot: CBV master data attributes lot number and expiry (CBV 2.0 §8.3). */
export const lotIlmd = (lot: string, expiry: string) => ({ 'cbvmda:lotNumber': lot, 'cbvmda:itemExpirationDate': expiry });
