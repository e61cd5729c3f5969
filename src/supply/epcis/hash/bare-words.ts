/**
 * Bare words to Web URIs, document-wide, as GS1's reference event-hash implementation does it (CBV 2.0 §8.9.2:
 * "bare string values … SHALL be expanded to their full URI").
 *
 * The reference implementation JSON-LD-expands the document with the EPCIS 2.0 context, collects every
 * expanded value that starts with `https://ref.gs1.org/cbv` or `https://gs1.org/voc`, and then replaces any
 * string value `v` of the document for which exactly one collected URI ends with `-v` or `/v`. We do not run a
 * JSON-LD processor: the EPCIS context expands values only at the vocabulary-typed positions handled below (its
 * `@type: @vocab` terms), plus compact IRIs in `type` and any literal already in Web-URI form, which gives the
 * same set on every document we have tested, without a JSON-LD processor and its context loading.
 */
import {
  BIZ_STEPS,
  BIZ_TRANSACTION_TYPES,
  COMPONENTS,
  DISPOSITIONS,
  ERROR_REASONS,
  MEASUREMENT_TYPES,
  SENSOR_ALERT_TYPES,
  SOURCE_DESTINATION_TYPES,
} from '../cbv-vocabulary.ts';

const CBV = 'https://ref.gs1.org/cbv/';
const VOC = 'https://gs1.org/voc/';

/** Prefixes the EPCIS 2.0 context defines. */
export const EPCIS_CONTEXT_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['epcis', 'https://ref.gs1.org/epcis/'],
  ['cbv', CBV],
  ['cbvmda', 'urn:epcglobal:cbv:mda:'],
  ['gs1', VOC],
  ['rdfs', 'http://www.w3.org/2000/01/rdf-schema#'],
  ['owl', 'http://www.w3.org/2002/07/owl#'],
  ['xsd', 'http://www.w3.org/2001/XMLSchema#'],
  ['dcterms', 'http://purl.org/dc/terms/'],
]);

type Terms = ReadonlySet<string>;
const set = (words: readonly string[]) => new Set(words);
const T = {
  bizStep: set(BIZ_STEPS),
  disp: set(DISPOSITIONS),
  btt: set(BIZ_TRANSACTION_TYPES),
  sdt: set(SOURCE_DESTINATION_TYPES),
  er: set(ERROR_REASONS),
  measurement: set(MEASUREMENT_TYPES),
  alert: set(SENSOR_ALERT_TYPES),
  component: set(COMPONENTS),
};

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Namespace prefixes a document declares in its `@context` (object entries with a string value). */
export function declaredPrefixes(context: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of arr(context)) if (isObj(c)) for (const [k, v] of Object.entries(c)) if (typeof v === 'string' && !k.startsWith('@')) out.set(k, v);
  return out;
}

function expandIri(value: string, prefixes: ReadonlyMap<string, string>): string {
  const i = value.indexOf(':');
  if (i > 0 && !value.startsWith('//', i + 1)) {
    const ns = prefixes.get(value.slice(0, i));
    if (ns !== undefined) return ns + value.slice(i + 1);
  }
  return value;
}

/** The URIs JSON-LD expansion of `events` yields at CBV/GS1-vocabulary positions and in `type`s. */
export function expandedVocabulary(events: readonly unknown[], prefixes: ReadonlyMap<string, string>): Set<string> {
  const out = new Set<string>();
  const vocab = (value: unknown, terms: Terms, base: string) => {
    for (const v of arr(value)) if (typeof v === 'string') out.add(terms.has(v) ? base + v : expandIri(v, prefixes));
  };
  const walk = (node: unknown, inEvent: boolean) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inEvent));
    if (typeof node === 'string') {
      if (node.startsWith(CBV) || node.startsWith(VOC)) out.add(node);
      return;
    }
    if (!isObj(node)) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '@context') continue;
      if (k === 'type' && !inEvent && typeof v === 'string') out.add(expandIri(v, prefixes));
      walk(v, false);
    }
  };
  for (const e of events) {
    if (!isObj(e)) continue;
    walk(e, true);
    vocab(e['bizStep'], T.bizStep, `${CBV}BizStep-`);
    vocab(e['disposition'], T.disp, `${CBV}Disp-`);
    if (isObj(e['persistentDisposition'])) {
      vocab(e['persistentDisposition']['set'], T.disp, `${CBV}Disp-`);
      vocab(e['persistentDisposition']['unset'], T.disp, `${CBV}Disp-`);
    }
    for (const list of ['sourceList', 'destinationList']) for (const s of arr(e[list])) if (isObj(s)) vocab(s['type'], T.sdt, `${CBV}SDT-`);
    for (const b of arr(e['bizTransactionList'])) if (isObj(b)) vocab(b['type'], T.btt, `${CBV}BTT-`);
    if (isObj(e['errorDeclaration'])) vocab(e['errorDeclaration']['reason'], T.er, `${CBV}ER-`);
    for (const el of arr(e['sensorElementList'])) {
      if (!isObj(el)) continue;
      for (const r of arr(el['sensorReport'])) {
        if (!isObj(r)) continue;
        vocab(r['type'], T.measurement, VOC);
        vocab(r['exception'], T.alert, VOC);
        vocab(r['component'], T.component, `${CBV}Comp-`);
      }
    }
  }
  for (const v of [...out]) if (!v.startsWith('https://ref.gs1.org/cbv') && !v.startsWith('https://gs1.org/voc')) out.delete(v);
  return out;
}

/** Replaces, in a deep copy of `json`, each string `v` with the only URI of `uris` ending in `-v` or `/v`. */
export function replaceBareWords<T>(json: T, uris: ReadonlySet<string>): T {
  // Index every URI under each of its suffixes that follows a '-' or '/': v matches u iff u ends with '-v' or '/v'.
  const bySuffix = new Map<string, string[]>();
  for (const u of uris) {
    for (let i = 0; i < u.length; i++) {
      const c = u.charCodeAt(i);
      if (c !== 45 && c !== 47) continue;
      const suffix = u.slice(i + 1);
      const list = bySuffix.get(suffix);
      if (!list) bySuffix.set(suffix, [u]);
      else if (!list.includes(u)) list.push(u);
    }
  }
  const replace = (v: string): string => {
    const m = bySuffix.get(v);
    return m && m.length === 1 ? m[0]! : v;
  };
  const copy = (node: unknown): unknown => {
    if (typeof node === 'string') return replace(node);
    if (Array.isArray(node)) return node.map(copy);
    if (isObj(node)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = copy(v);
      return out;
    }
    return node;
  };
  return copy(json) as T;
}
