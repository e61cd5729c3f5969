/**
 * The query parameters of `GET /epcis/events` (EPCIS 2.0 §8.2.7.1 SimpleEventQuery, as the REST
 * binding carries them: one query parameter per query parameter, several values separated by `|`),
 * parsed into a filter the event store runs, pure.
 *
 * Supported: eventType, GE_/LT_eventTime, GE_/LT_recordTime, EQ_action, EQ_bizStep, EQ_disposition,
 * EQ_readPoint, EQ_bizLocation, MATCH_epc, MATCH_parentID, MATCH_inputEPC, MATCH_outputEPC,
 * MATCH_anyEPC, MATCH_epcClass, MATCH_anyEPCClass, EQ_eventID, EXISTS_errorDeclaration, EQ_errorReason,
 * orderBy (eventTime | recordTime), orderDirection, eventCountLimit, perPage, nextPageToken.
 * Identifiers may be EPC URNs, Digital Links or, for MATCH_*, `urn:epc:idpat:sgtin:<prefix>.<item>.*`
 * patterns (all serials of a GTIN). Anything else is refused with a 400 that says which parameters are
 * supported: the standard says an implementation may not support every parameter, never that it may
 * ignore one.
 */
import { normaliseCbv, canonicalDigitalLink } from '../epcis/index.ts';
import { parseEpcUri } from '../gs1/index.ts';
import { invalid } from '../../shared/errors.ts';

export type IdRole = 'epc' | 'child' | 'parent' | 'input' | 'output' | 'class' | 'inputClass' | 'outputClass' | 'readPoint' | 'bizLocation';

/** A condition on the identifiers of an event: any of `values` under any of `roles`; `gtin` values match every serial of a GTIN. */
export interface IdCondition {
  roles: IdRole[];
  values: string[];
  level: 'exact' | 'gtin';
}

export interface EventQuery {
  eventTypes?: string[];
  eventTime?: { ge?: number; lt?: number };
  recordTime?: { ge?: number; lt?: number };
  actions?: string[];
  bizSteps?: string[];
  dispositions?: string[];
  ids: IdCondition[];
  eventIds?: string[];
  errorDeclaration?: boolean;
  errorReasons?: string[];
  orderBy: 'eventTime' | 'recordTime';
  descending: boolean;
  limit?: number;
  perPage: number;
  /** Continue after this position (from nextPageToken). */
  after?: { time: number; idx: number };
}

export const MAX_PER_PAGE = 1000;
export const DEFAULT_PER_PAGE = 100;

const MATCH: Record<string, IdRole[]> = {
  MATCH_epc: ['epc', 'child'],
  MATCH_parentID: ['parent'],
  MATCH_inputEPC: ['input'],
  MATCH_outputEPC: ['output'],
  MATCH_anyEPC: ['epc', 'child', 'parent', 'input', 'output'],
  MATCH_epcClass: ['class'],
  MATCH_anyEPCClass: ['class', 'inputClass', 'outputClass'],
};
const EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'];
const SUPPORTED = ['eventType', 'GE_eventTime', 'LT_eventTime', 'GE_recordTime', 'LT_recordTime', 'EQ_action', 'EQ_bizStep', 'EQ_disposition', 'EQ_readPoint', 'EQ_bizLocation', ...Object.keys(MATCH), 'EQ_eventID', 'EXISTS_errorDeclaration', 'EQ_errorReason', 'orderBy', 'orderDirection', 'eventCountLimit', 'perPage', 'nextPageToken'];

/** The canonical form of an identifier (an id.gs1.org Digital Link), so EPC URNs and Digital Links meet. */
export function canonicalId(value: string): string {
  return canonicalDigitalLink(value) ?? value;
}

/** The GTIN-level canonical form (`https://id.gs1.org/01/<gtin>`) of an SGTIN, LGTIN or sgtin idpat; null for others. */
export function gtinLevelId(value: string): string | null {
  const pat = /^urn:epc:idpat:sgtin:(\d+)\.(\d+)\.\*$/.exec(value);
  if (pat) {
    try {
      const { id } = parseEpcUri(`urn:epc:id:sgtin:${pat[1]}.${pat[2]}.0`);
      return id.scheme === 'sgtin' ? `https://id.gs1.org/01/${id.gtin}` : null;
    } catch {
      return null;
    }
  }
  const dl = canonicalDigitalLink(value);
  const m = dl ? /^https:\/\/id\.gs1\.org\/01\/(\d{14})(?:\/|$)/.exec(dl) : null;
  return m ? `https://id.gs1.org/01/${m[1]}` : null;
}

const values = (v: string) => v.split('|').map((s) => s.trim()).filter(Boolean);

function time(name: string, v: string): number {
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) throw invalid(`${name} must be a date-time with time zone (e.g. 2026-01-31T00:00:00Z), not "${v}"`, [name]);
  return t;
}

function count(name: string, v: string, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > max) throw invalid(`${name} must be an integer from 1 to ${max}`, [name]);
  return n;
}

/** Parses the query string parameters of `GET /epcis/events`; @throws DomainError('invalid') naming the parameter. */
export function parseEventQuery(params: Record<string, string | string[] | undefined>): EventQuery {
  const q: EventQuery = { ids: [], orderBy: 'eventTime', descending: false, perPage: DEFAULT_PER_PAGE };
  for (const [name, raw] of Object.entries(params)) {
    if (raw === undefined) continue;
    if (Array.isArray(raw)) throw invalid(`query parameter ${name} is given more than once: separate several values with |`, [name]);
    if (!SUPPORTED.includes(name)) {
      throw invalid(`query parameter ${name} is not supported by this repository; supported: ${SUPPORTED.join(', ')}`, [name]);
    }
    const v = raw.trim();
    switch (name) {
      case 'eventType':
        q.eventTypes = values(v);
        for (const t of q.eventTypes) if (!EVENT_TYPES.includes(t)) throw invalid(`eventType ${t} is not an EPCIS 2.0 event type (${EVENT_TYPES.join(', ')})`, [name]);
        break;
      case 'GE_eventTime':
        (q.eventTime ??= {}).ge = time(name, v);
        break;
      case 'LT_eventTime':
        (q.eventTime ??= {}).lt = time(name, v);
        break;
      case 'GE_recordTime':
        (q.recordTime ??= {}).ge = time(name, v);
        break;
      case 'LT_recordTime':
        (q.recordTime ??= {}).lt = time(name, v);
        break;
      case 'EQ_action':
        q.actions = values(v);
        for (const a of q.actions) if (!['ADD', 'OBSERVE', 'DELETE'].includes(a)) throw invalid(`EQ_action ${a} is not ADD, OBSERVE or DELETE`, [name]);
        break;
      case 'EQ_bizStep':
        q.bizSteps = values(v).map((s) => normaliseCbv('bizStep', s).uri);
        break;
      case 'EQ_disposition':
        q.dispositions = values(v).map((s) => normaliseCbv('disposition', s).uri);
        break;
      case 'EQ_errorReason':
        q.errorReasons = values(v).map((s) => normaliseCbv('errorReason', s).uri);
        break;
      case 'EQ_readPoint':
      case 'EQ_bizLocation':
        q.ids.push({ roles: [name === 'EQ_readPoint' ? 'readPoint' : 'bizLocation'], values: values(v).map(canonicalId), level: 'exact' });
        break;
      case 'EQ_eventID':
        q.eventIds = values(v);
        break;
      case 'EXISTS_errorDeclaration':
        if (v !== '' && v !== 'true') throw invalid('EXISTS_errorDeclaration takes no value (or true)', [name]);
        q.errorDeclaration = true;
        break;
      case 'orderBy':
        if (v !== 'eventTime' && v !== 'recordTime') throw invalid('orderBy must be eventTime or recordTime', [name]);
        q.orderBy = v;
        break;
      case 'orderDirection':
        if (v !== 'ASC' && v !== 'DESC') throw invalid('orderDirection must be ASC or DESC', [name]);
        q.descending = v === 'DESC';
        break;
      case 'eventCountLimit':
        q.limit = count(name, v, 1_000_000);
        break;
      case 'perPage':
        q.perPage = count(name, v, MAX_PER_PAGE);
        break;
      case 'nextPageToken': {
        const m = /^(-?\d+)\.(\d+)$/.exec(Buffer.from(v, 'base64url').toString('utf8'));
        if (!m) throw invalid('nextPageToken is not one this repository issued', [name]);
        q.after = { time: Number(m[1]), idx: Number(m[2]) };
        break;
      }
      default: {
        const roles = MATCH[name]!;
        const exact = values(v).filter((x) => !x.startsWith('urn:epc:idpat:'));
        const patterns = values(v).filter((x) => x.startsWith('urn:epc:idpat:'));
        if (exact.length) q.ids.push({ roles, values: exact.map(canonicalId), level: 'exact' });
        if (patterns.length) {
          const gtins = patterns.map((p) => {
            const g = gtinLevelId(p);
            if (!g) throw invalid(`${name}: only the pattern urn:epc:idpat:sgtin:<company prefix>.<item reference>.* is supported, not ${p}`, [name]);
            return g;
          });
          q.ids.push({ roles, values: gtins, level: 'gtin' });
        }
      }
    }
  }
  return q;
}

/** The nextPageToken after an event at (time, idx). */
export const pageToken = (time: number, idx: number): string => Buffer.from(`${time}.${idx}`).toString('base64url');
