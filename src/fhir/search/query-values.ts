/**
 * Parsing one search value (one OR-alternative) of each parameter type (R4 search.html §3.1.1.4):
 * token `[system]|[code]` forms, date / number / quantity with prefixes and implicit ranges,
 * references by id, `Type/id`, absolute URL or canonical, uri, composite `a$b`, and Location
 * `near`. Errors are `DomainError` `invalid` naming the parameter and the expected form.
 */
import { invalid } from '../../shared/errors.ts';
import { dateRange } from './date-range.ts';
import { splitEscaped, unescapeValue } from './escape.ts';
import { decimalRange } from './number-range.ts';
import { approximateRange } from './ranges.ts';
import { normalizeReference, splitCanonical } from './reference.ts';
import type { CompositeComponentDef, SearchParamDef } from './searchParameters.ts';
import { PREFIXES, type Prefix, type SearchParamType } from './types.ts';

/** A token query (search.html#token). */
export type TokenQuery =
  | { readonly kind: 'token'; readonly match: 'code'; readonly code: string } // [code], any system
  | { readonly kind: 'token'; readonly match: 'system-code'; readonly system: string; readonly code: string } // [system]|[code]
  | { readonly kind: 'token'; readonly match: 'no-system-code'; readonly code: string } // |[code]
  | { readonly kind: 'token'; readonly match: 'system'; readonly system: string } // [system]|
  | { readonly kind: 'token'; readonly match: 'text'; readonly text: string } // :text — a string search on text/display
  | { readonly kind: 'token'; readonly match: 'of-type'; readonly system: string; readonly code: string; readonly value: string }; // :of-type

export interface StringQuery {
  readonly kind: 'string';
  readonly value: string;
}

export interface UriQuery {
  readonly kind: 'uri';
  readonly value: string;
}

/** Query range for a prefix: `[low, high)`; `low === high` is a point ("arbitrarily high precision"). */
export interface DateQuery {
  readonly kind: 'date';
  readonly prefix: Prefix;
  readonly low: number;
  readonly high: number;
}

export interface NumberQuery {
  readonly kind: 'number';
  readonly prefix: Prefix;
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/**
 * `value|system|code` matches system and code; `value||code` matches `code` against the code or
 * the human unit (`codeOrUnit`); `value` alone any unit.
 */
export interface QuantityQuery {
  readonly kind: 'quantity';
  readonly prefix: Prefix;
  readonly value: number;
  readonly low: number;
  readonly high: number;
  readonly system?: string;
  readonly code?: string;
  readonly codeOrUnit?: string;
}

/**
 * A reference query: the resource matches when one of its reference values equals one of the
 * `candidates` (normalised as extraction normalises: `Type/id`, absolute URL, or canonical URL).
 * A bare id gives one candidate per allowed target type. `version`: a canonical's `|version`.
 */
export interface ReferenceQuery {
  readonly kind: 'reference';
  readonly candidates: readonly string[];
  readonly version?: string;
}

export interface CompositeQuery {
  readonly kind: 'composite';
  readonly components: readonly QueryValue[];
}

/** Location `near`: `[latitude]|[longitude]|[distance]|[units]` (units default km). */
export interface NearQuery {
  readonly kind: 'near';
  readonly latitude: number;
  readonly longitude: number;
  readonly distance?: number;
  readonly units: string;
}

export type QueryValue =
  | TokenQuery
  | StringQuery
  | UriQuery
  | DateQuery
  | NumberQuery
  | QuantityQuery
  | ReferenceQuery
  | CompositeQuery
  | NearQuery;

export interface ValueOptions {
  readonly now: number;
  readonly localBases: readonly string[];
}

const PREFIX_RE = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)(?=[0-9+\-.])/;

function splitPrefix(raw: string): { prefix: Prefix; rest: string } {
  const m = PREFIX_RE.exec(raw);
  return m ? { prefix: m[1] as Prefix, rest: raw.slice(2) } : { prefix: 'eq', rest: raw };
}

export function parseDateValue(name: string, raw: string, options: ValueOptions): DateQuery {
  const { prefix, rest } = splitPrefix(raw);
  // An unencoded `+` in a query string arrives as a space: `…T10:00:00 10:00`.
  const text = rest.replace(/ (\d{2}:\d{2})$/, '+$1');
  const r = dateRange(text);
  if (!r) {
    throw invalid(
      `${name}: "${raw}" is not a FHIR date; expected [prefix]YYYY[-MM[-DD[Thh:mm[:ss[.sss]][Z|±hh:mm]]]] with prefix one of ${PREFIXES.join(', ')}`,
    );
  }
  const range = prefix === 'ap' ? approximateRange('date', r, options.now) : r;
  return { kind: 'date', prefix, low: range.low, high: range.high };
}

function parseNumberPart(name: string, raw: string, what: string): { prefix: Prefix; value: number; low: number; high: number } {
  const { prefix, rest } = splitPrefix(raw);
  const r = decimalRange(rest);
  if (!r) throw invalid(`${name}: "${raw}" is not a ${what}; expected [prefix]number (e.g. 100, gt5.4, 1.5e-3), prefix one of ${PREFIXES.join(', ')}`);
  if (prefix === 'eq' || prefix === 'ne') return { prefix, value: r.value, low: r.low, high: r.high };
  if (prefix === 'ap') {
    const a = approximateRange('number', r);
    return { prefix, value: r.value, low: a.low, high: a.high };
  }
  // "When a comparison prefix in the set gt, lt, ge, le, sa & eb is provided, the implicit
  // precision of the number is ignored" (search.html#number): a point.
  return { prefix, value: r.value, low: r.value, high: r.value };
}

export function parseNumberValue(name: string, raw: string): NumberQuery {
  return { kind: 'number', ...parseNumberPart(name, raw, 'number') };
}

export function parseQuantityValue(name: string, raw: string): QuantityQuery {
  const parts = splitEscaped(raw, '|').map((p) => unescapeValue(p, name));
  if (parts.length !== 1 && parts.length !== 3) {
    throw invalid(`${name}: "${raw}" is not a quantity; expected [prefix][number] or [prefix][number]|[system]|[code]`);
  }
  const n = parseNumberPart(name, parts[0]!, 'quantity');
  if (parts.length === 1) return { kind: 'quantity', ...n };
  const system = parts[1]!;
  const code = parts[2]!;
  if (code === '') throw invalid(`${name}: "${raw}" has a system but no unit code`);
  return system === '' ? { kind: 'quantity', ...n, codeOrUnit: code } : { kind: 'quantity', ...n, system, code };
}

/** Token forms; `pipeAllowed` false for ContactPoint, uri and boolean elements (search.html#token). */
export function parseTokenValue(name: string, raw: string, modifier: string | undefined, pipeAllowed: boolean): TokenQuery {
  if (modifier === 'text') return { kind: 'token', match: 'text', text: unescapeValue(raw, name) };
  const parts = splitEscaped(raw, '|').map((p) => unescapeValue(p, name));
  if (modifier === 'of-type') {
    if (parts.length !== 3 || parts.some((p) => p === '')) {
      throw invalid(`${name}: "${raw}" — :of-type takes [type system]|[type code]|[identifier value], all three present`);
    }
    return { kind: 'token', match: 'of-type', system: parts[0]!, code: parts[1]!, value: parts[2]! };
  }
  if (parts.length === 1) return { kind: 'token', match: 'code', code: parts[0]! };
  if (!pipeAllowed) throw invalid(`${name}: "${raw}" — this parameter takes a plain code, without "|" (search.html#token)`);
  if (parts.length !== 2) throw invalid(`${name}: "${raw}" has more than one unescaped "|"; expected [code], [system]|[code], |[code] or [system]|`);
  const [system, code] = parts as [string, string];
  if (system === '' && code === '') throw invalid(`${name}: "|" alone is not a token`);
  if (system === '') return { kind: 'token', match: 'no-system-code', code };
  if (code === '') return { kind: 'token', match: 'system', system };
  return { kind: 'token', match: 'system-code', system, code };
}

/**
 * A reference value: `[id]`, `[type]/[id]`, an absolute URL, or a canonical `url|version`.
 * `types` are the allowed target types (a `:[type]` modifier, else the parameter's targets).
 */
export function parseReferenceValue(
  name: string,
  raw: string,
  def: SearchParamDef,
  types: readonly string[],
  options: ValueOptions,
): ReferenceQuery {
  const value = unescapeValue(raw, name);
  const canonicalOnly = def.valueTypes.length > 0 && def.valueTypes.every((t) => t === 'canonical' || t === 'uri' || t === 'url');
  if (canonicalOnly || (/^[a-z][a-z0-9+.-]*:/i.test(value) && value.includes('|'))) {
    const { url, version } = splitCanonical(value);
    return version === undefined ? { kind: 'reference', candidates: [url] } : { kind: 'reference', candidates: [url], version };
  }
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(value)) {
    if (types.length === 0) return { kind: 'reference', candidates: [value] };
    return { kind: 'reference', candidates: types.map((t) => `${t}/${value}`) };
  }
  const n = normalizeReference(value, { localBases: options.localBases });
  if (n.targetType !== undefined && n.id !== undefined && types.length > 0 && !types.includes(n.targetType)) {
    throw invalid(`${name}: "${raw}" refers to a ${n.targetType}; ${def.resourceType}.${def.code} refers to ${types.join(', ')}`);
  }
  if (n.id === undefined && !/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    throw invalid(`${name}: "${raw}" is not a reference; expected [id], [type]/[id] or an absolute URL`);
  }
  return { kind: 'reference', candidates: [n.reference] };
}

export function parseUriValue(name: string, raw: string, modifier: string | undefined): UriQuery {
  let value = unescapeValue(raw, name);
  if (modifier === 'above' || modifier === 'below') {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      throw invalid(`${name}: :${modifier} applies to URLs, not to "${raw}" (search.html#uri: not to URNs such as OIDs)`);
    }
    value = value.replace(/\/+$/, '');
  }
  return { kind: 'uri', value };
}

export function parseNearValue(name: string, raw: string): NearQuery {
  const parts = splitEscaped(raw, '|').map((p) => unescapeValue(p, name));
  const lat = Number(parts[0]);
  const lon = Number(parts[1]);
  const distance = parts[2] === undefined || parts[2] === '' ? undefined : Number(parts[2]);
  if (parts.length < 2 || parts.length > 4 || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180 || (distance !== undefined && !(distance >= 0))) {
    throw invalid(`${name}: "${raw}" — expected [latitude]|[longitude]|[distance]|[units] (WGS84 degrees, distance ≥ 0)`);
  }
  const units = parts[3] === undefined || parts[3] === '' ? 'km' : parts[3];
  return distance === undefined ? { kind: 'near', latitude: lat, longitude: lon, units } : { kind: 'near', latitude: lat, longitude: lon, distance, units };
}

/** One value of a simple (non-composite) parameter type, without modifier-specific forms. */
export function parseSimpleValue(
  name: string,
  raw: string,
  type: SearchParamType,
  def: SearchParamDef | CompositeComponentDef,
  options: ValueOptions,
): QueryValue {
  switch (type) {
    case 'token':
      return parseTokenValue(name, raw, undefined, true);
    case 'string':
      return { kind: 'string', value: unescapeValue(raw, name) };
    case 'uri':
      return parseUriValue(name, raw, undefined);
    case 'date':
      return parseDateValue(name, unescapeValue(raw, name), options);
    case 'number':
      return parseNumberValue(name, unescapeValue(raw, name));
    case 'quantity':
      return parseQuantityValue(name, raw);
    case 'reference': {
      const full = 'targets' in def ? def : undefined;
      if (!full) return { kind: 'reference', candidates: [unescapeValue(raw, name)] };
      return parseReferenceValue(name, raw, full, full.targets, options);
    }
    case 'special':
      return parseNearValue(name, raw);
    case 'composite':
      throw invalid(`${name}: a composite cannot be a component of a composite`);
  }
}
