/**
 * GS1 Digital Link URIs (GS1 Digital Link Standard: URI Syntax, release 1.2/1.4), both ways.
 *
 * `https://{any domain}{/optional path prefix}/{primary key AI}/{value}{/{qualifier AI}/{value}}*?{AI}={value}&…`
 * e.g. `https://id.gs1.org/01/09506000134352/10/ABC/21/123?17=201225`.
 *
 * Parsing reads the path from the right, in pairs, so a custom prefix on any domain is allowed: key
 * qualifiers (e.g. 22, 10, 21 after 01; 254 after 414) until the primary key. The DL 1.1 short names (`gtin`,
 * `lot`, `ser`, `sscc`, `gln`, …) are accepted. Values are percent-decoded, then checked like any AI value
 * (length, character set, check digit, date); a GTIN-8/12/13 is padded to 14 digits. Query parameters that
 * are AIs become data attributes; the others (`linkType`, …) are returned in `params`. The standard requires
 * the qualifiers in their defined order (e.g. lot before serial); `anyQualifierOrder` relaxes that.
 *
 * Writing gives the canonical form: the domain (default `https://id.gs1.org`), the primary key, its qualifiers
 * in the standard's order, then the other AIs as query parameters in the order given; values percent-encoded
 * except for RFC 3986 unreserved characters.
 */
import { invalid } from '../../shared/errors.ts';
import { aiDefinition } from './ai-table.ts';
import { aiLabel, checkAiValue, checkAssociations, type Gs1Element } from './ai-value.ts';
import { normaliseGtin } from './keys.ts';

/** Primary keys and their key qualifiers, in the order the standard fixes (GS1 DL 1.2 §4.3, Table 4-1). */
export const DL_PRIMARY_KEYS: Readonly<Record<string, readonly string[]>> = {
  '01': ['22', '10', '21'],
  '8006': ['22', '10', '21'],
  '8010': ['8011'],
  '414': ['254'],
  '417': [],
  '00': [],
  '253': [],
  '255': [],
  '401': [],
  '402': [],
  '8003': [],
  '8004': [],
  '8017': [],
  '8018': [],
};

/** The DL 1.1 "convenience alphas" still met in the wild, mapped to AIs. */
const SHORT_NAMES: Record<string, string> = {
  gtin: '01', itip: '8006', cpid: '8010', gln: '414', party: '417', gsrnp: '8017', gsrn: '8018', gcn: '255', sscc: '00',
  gdti: '253', ginc: '401', gsin: '402', grai: '8003', giai: '8004', cpv: '22', lot: '10', ser: '21', cpsn: '8011', glnx: '254',
};

export interface DigitalLink {
  /** Scheme, domain and any path prefix before the primary key, e.g. `https://id.gs1.org` or `https://example.com/dl`. */
  base: string;
  /** The primary key first, then its qualifiers (path order), then the data attributes (query order). */
  elements: Gs1Element[];
  /** Query parameters that are not AIs (e.g. `linkType`), percent-decoded. */
  params: Record<string, string>;
}

export interface DigitalLinkParseOptions {
  /** "Now" for the century of YYMMDD dates. */
  today?: Date;
  /** Accept key qualifiers in any order (the standard requires e.g. 10 before 21). Default false. */
  anyQualifierOrder?: boolean;
}

const toAi = (segment: string) => SHORT_NAMES[segment] ?? segment;

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(`GS1 Digital Link: ${what} "${part}" has a malformed percent-encoding`);
  }
}

/**
 * Parses a GS1 Digital Link URI (any domain, http or https).
 * @throws DomainError('invalid') when no primary key is found, a value is invalid, or qualifiers are out of order.
 */
export function parseDigitalLink(uri: string, options: DigitalLinkParseOptions = {}): DigitalLink {
  const m = /^(https?:\/\/[^/?#]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i.exec(uri);
  if (!m) throw invalid(`"${uri.slice(0, 60)}" is not a GS1 Digital Link URI (expected http(s)://domain/…/01/{GTIN}…)`);
  const currentYear = (options.today ?? new Date()).getUTCFullYear();
  const segments = m[2]!.split('/');
  if (segments[segments.length - 1] === '') segments.pop();
  // Walk back in (AI, value) pairs: qualifiers, then the primary key.
  let j = segments.length;
  let keyAt = -1;
  while (j >= 3) {
    const ai = toAi(segments[j - 2]!);
    if (ai in DL_PRIMARY_KEYS) {
      keyAt = j - 2;
      break;
    }
    if (!isQualifier(ai)) break;
    j -= 2;
  }
  if (keyAt < 0 || (segments.length - keyAt) % 2 !== 0) {
    throw invalid(`"${uri.slice(0, 80)}" is not a GS1 Digital Link URI: no primary key (01 GTIN, 00 SSCC, 414 GLN, …) followed by its value and key qualifiers at the end of the path`);
  }
  const keyAi = toAi(segments[keyAt]!);
  const allowed = DL_PRIMARY_KEYS[keyAi]!;
  const elements: Gs1Element[] = [];
  let lastRank = -1;
  for (let i = keyAt; i < segments.length; i += 2) {
    const ai = toAi(segments[i]!);
    let value = decode(segments[i + 1]!, aiLabel(ai));
    if (i > keyAt) {
      const rank = allowed.indexOf(ai);
      if (rank < 0) throw invalid(`GS1 Digital Link: ${aiLabel(ai)} is not a key qualifier of ${aiLabel(keyAi)} (allowed: ${allowed.join(', ') || 'none'})`, [aiLabel(ai)]);
      if (rank <= lastRank && !options.anyQualifierOrder) {
        throw invalid(`GS1 Digital Link: ${aiLabel(ai)} must come before ${aiLabel(allowed[lastRank]!)} in the path (order ${allowed.join(', ')})`, [aiLabel(ai)]);
      }
      lastRank = rank;
    } else if (ai === '01' && value.length !== 14 && /^\d+$/.test(value)) {
      value = normaliseGtin(value, [aiLabel('01')]);
    }
    elements.push(checkAiValue(aiDefinition(ai)!, value, currentYear));
  }
  const params: Record<string, string> = {};
  if (m[3]) {
    for (const pair of m[3].split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const name = decode(eq < 0 ? pair : pair.slice(0, eq), 'query name');
      const value = decode((eq < 0 ? '' : pair.slice(eq + 1)).replace(/\+/g, '%20'), `query parameter ${name}`);
      const def = /^\d{2,4}$/.test(name) ? aiDefinition(name) : undefined;
      if (!def) {
        params[name] = value;
        continue;
      }
      if (def.ai in DL_PRIMARY_KEYS || elements.some((e) => e.ai === def.ai)) {
        throw invalid(`GS1 Digital Link: ${aiLabel(def.ai)} cannot be a query attribute here (it is a primary key or already in the path)`, [aiLabel(def.ai)]);
      }
      if (isQualifierOf(keyAi, def.ai)) throw invalid(`GS1 Digital Link: ${aiLabel(def.ai)} is a key qualifier of ${aiLabel(keyAi)} and belongs in the path, not the query`, [aiLabel(def.ai)]);
      elements.push(checkAiValue(def, value, currentYear));
    }
  }
  checkAssociations(elements);
  return { base: m[1]!.toLowerCase().replace(/^http(s?):\/\//, 'http$1://') + segments.slice(0, keyAt).join('/'), elements, params };
}

function isQualifier(ai: string): boolean {
  for (const k in DL_PRIMARY_KEYS) if (DL_PRIMARY_KEYS[k]!.includes(ai)) return true;
  return false;
}
const isQualifierOf = (key: string, ai: string) => DL_PRIMARY_KEYS[key]!.includes(ai);

/** Percent-encodes all but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`), as GS1 DL 1.2 §6.5 asks. */
export function encodeDlValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface DigitalLinkFormatOptions {
  /** Scheme, domain and optional path prefix. Default `https://id.gs1.org`. */
  base?: string;
  /** Non-AI query parameters to append (e.g. `{ linkType: 'gs1:pip' }`). */
  params?: Record<string, string>;
}

/**
 * Writes the canonical GS1 Digital Link URI for `elements`: the first primary key found (in the element
 * order), its qualifiers in standard order, every other element as a query attribute.
 * @throws DomainError('invalid') when no element is a Digital Link primary key.
 */
export function formatDigitalLink(elements: readonly Pick<Gs1Element, 'ai' | 'value'>[], options: DigitalLinkFormatOptions = {}): string {
  const key = elements.find((e) => e.ai in DL_PRIMARY_KEYS);
  if (!key) throw invalid(`no GS1 Digital Link primary key among AIs ${elements.map((e) => e.ai).join(', ')} (need 01, 00, 414, 8006, …)`);
  const qualifiers = DL_PRIMARY_KEYS[key.ai]!;
  let uri = (options.base ?? 'https://id.gs1.org').replace(/\/+$/, '') + `/${key.ai}/${encodeDlValue(key.value)}`;
  for (const q of qualifiers) {
    const e = elements.find((x) => x.ai === q);
    if (e) uri += `/${q}/${encodeDlValue(e.value)}`;
  }
  const query: string[] = [];
  for (const e of elements) {
    if (e === key || qualifiers.includes(e.ai)) continue;
    query.push(`${e.ai}=${encodeDlValue(e.value)}`);
  }
  for (const [k, v] of Object.entries(options.params ?? {})) query.push(`${encodeURIComponent(k)}=${encodeDlValue(v)}`);
  return query.length ? `${uri}?${query.join('&')}` : uri;
}
