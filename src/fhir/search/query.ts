/**
 * `parseSearch(type, params)`: a FHIR R4 search request (search.html) as a validated, typed query
 * the storage layer turns into SQL. Strict: an unknown parameter or modifier is an `invalid`
 * `DomainError` naming it and listing what the type supports (alphabetical); a parameter or
 * modifier FHIR defines but this node does not implement is `not-supported` (search.html#modifiers:
 * "Server SHALL reject any search request that contains … a modifier that the server does not
 * support").
 *
 * Covered: every search parameter of the type with its modifiers (`:missing`, `:exact`,
 * `:contains`, `:text`, `:not`, `:of-type`, `:identifier`, `:[type]`, `:above` / `:below` on uri);
 * prefixes (eq ne gt lt ge le sa eb ap) with implicit ranges; `,` = OR, repeated parameter = AND;
 * escaping (`\,` `\|` `\$` `\\`); token `system|code`, `|code`, `system|`; quantity
 * `value|system|code`, `value||unit`; composite `a$b`; chaining one level (`subject:Patient.name`,
 * `patient.birthdate`); `_has` one level (`_has:Observation:patient:code=…`); result parameters
 * `_include` / `_revinclude` (`:iterate`), `_sort`, `_count`, `_offset`, `_total`, `_summary`,
 * `_elements`, `_format`, `_pretty`.
 *
 * Not supported (`not-supported`): `_text`, `_content`, `_query`, `_filter`, `_list`, `_contained`,
 * `_containedType`, `_type` (system-level search), `_include=*`, chains deeper than one level,
 * nested `_has`, token `:above` / `:below` / `:in` / `:not-in` (terminology), reference `:above` /
 * `:below` (hierarchies), string `:text`; `_sort` on parameters a blinded index cannot order
 * (string, token, reference, uri — configurable with `ParseOptions.sortable`).
 */
import { DomainError, invalid } from '../../shared/errors.ts';
import { splitEscaped, unescapeValue } from './escape.ts';
import { elementsOf, isResourceType } from './model.ts';
import {
  parseNearValue,
  parseQuantityValue,
  parseReferenceValue,
  parseSimpleValue,
  parseTokenValue,
  parseUriValue,
  parseDateValue,
  parseNumberValue,
  type QueryValue,
  type TokenQuery,
  type ValueOptions,
} from './query-values.ts';
import { searchParameter, searchParametersOf, type SearchParamDef } from './searchParameters.ts';
import type { Modifier } from './types.ts';

export type {
  CompositeQuery,
  DateQuery,
  NearQuery,
  NumberQuery,
  QuantityQuery,
  QueryValue,
  ReferenceQuery,
  StringQuery,
  TokenQuery,
  UriQuery,
} from './query-values.ts';
export { approximateRange, matchesRange } from './ranges.ts';

/** One search parameter occurrence with its OR-ed values. */
export interface ParamCriterion {
  readonly kind: 'param';
  /** The key as sent (`code:text`). */
  readonly name: string;
  readonly param: SearchParamDef;
  /** `exact`, `contains`, `text`, `not`, `of-type`, `identifier`, `above`, `below`, or `type` (with `targetType`). */
  readonly modifier?: Modifier;
  /** For `:[type]` on a reference. */
  readonly targetType?: string;
  /** OR-ed; with `:identifier` they are token queries on Reference.identifier. */
  readonly values: readonly QueryValue[];
}

/** `param:missing=true|false`. */
export interface MissingCriterion {
  readonly kind: 'missing';
  readonly name: string;
  readonly param: SearchParamDef;
  readonly missing: boolean;
}

/** `ref[:Type].param=…`: resources whose `ref` points to a `targetType` resource matching `criterion`. */
export interface ChainCriterion {
  readonly kind: 'chain';
  readonly name: string;
  readonly param: SearchParamDef;
  readonly targetType: string;
  readonly criterion: ParamCriterion | MissingCriterion;
}

/** `_has:Source:ref:param=…`: resources referred to, through `Source.ref`, by a Source matching `criterion`. */
export interface HasCriterion {
  readonly kind: 'has';
  readonly name: string;
  readonly sourceType: string;
  readonly referenceParam: SearchParamDef;
  readonly criterion: ParamCriterion | MissingCriterion;
}

export type Criterion = ParamCriterion | MissingCriterion | ChainCriterion | HasCriterion;

/** `_include=Source:param[:Target]`, `_revinclude=…` (search.html#include). */
export interface IncludeSpec {
  readonly sourceType: string;
  readonly param: SearchParamDef;
  readonly targetType?: string;
  readonly iterate: boolean;
}

export interface SortKey {
  readonly param: SearchParamDef;
  readonly descending: boolean;
}

export type SummaryMode = 'true' | 'false' | 'text' | 'data' | 'count';
export type TotalMode = 'none' | 'estimate' | 'accurate';

export interface ParsedSearch {
  readonly resourceType: string;
  /** AND-ed criteria, in request order. */
  readonly criteria: readonly Criterion[];
  readonly include: readonly IncludeSpec[];
  readonly revinclude: readonly IncludeSpec[];
  readonly sort: readonly SortKey[];
  readonly count?: number;
  readonly offset?: number;
  readonly total?: TotalMode;
  readonly summary?: SummaryMode;
  readonly elements?: readonly string[];
  readonly format?: string;
  readonly pretty?: boolean;
}

export interface ParseOptions {
  /** For `ap` on dates ("10% of the gap between now and the date"). Default `Date.now()`. */
  readonly now?: number;
  /** The node's own base URLs: absolute reference values on them become `Type/id`. */
  readonly localBases?: readonly string[];
  /** `_count` above this is lowered to it (servers "may return less than the client requested"). Default 1000. */
  readonly maxCount?: number;
  /** Which parameters `_sort` may use. Default: date, number, quantity, and `_id`. */
  readonly sortable?: (param: SearchParamDef) => boolean;
}

export const DEFAULT_MAX_COUNT = 1000;

/** The result parameters this parser handles (search.html#return). */
export const RESULT_PARAMETERS: readonly string[] = [
  '_count',
  '_elements',
  '_format',
  '_include',
  '_offset',
  '_pretty',
  '_revinclude',
  '_sort',
  '_summary',
  '_total',
];

/** Defined by FHIR, not implemented here. */
const NOT_SUPPORTED_PARAMETERS: Record<string, string> = {
  _filter: 'the _filter expression language',
  _list: 'searching by List',
  _contained: 'searching contained resources',
  _containedType: 'searching contained resources',
  _type: 'system-level search across types',
  _score: 'relevance ranking',
};

const defaultSortable = (p: SearchParamDef) => p.type === 'date' || p.type === 'number' || p.type === 'quantity' || p.code === '_id';

/** The names a type accepts, alphabetical (for error messages). */
export function supportedParameterNames(resourceType: string): string[] {
  const names = new Set<string>(RESULT_PARAMETERS);
  names.add('_has');
  for (const p of searchParametersOf(resourceType) ?? []) if (p.indexed) names.add(p.code);
  return [...names].sort();
}

function unknownParameter(resourceType: string, name: string): DomainError {
  return invalid(`Unknown search parameter "${name}" for ${resourceType}. Supported: ${supportedParameterNames(resourceType).join(', ')}`);
}

function lookup(resourceType: string, code: string, name: string): SearchParamDef {
  const def = searchParameter(resourceType, code);
  if (!def) throw unknownParameter(resourceType, name);
  if (!def.indexed) {
    throw new DomainError('not-supported', `Search parameter "${code}" (${def.type}) is not supported by this server for ${resourceType}`);
  }
  return def;
}

function describeModifiers(def: SearchParamDef): string {
  const list = def.modifiers.map((m) => (m === 'type' ? `[type] (${def.targets.join(', ')})` : m));
  return list.length === 0 ? 'none' : [...list].sort().join(', ');
}

/** Resolves `:modifier` on `def`: a supported modifier, a `:[type]`, or an error. */
function resolveModifier(def: SearchParamDef, modifier: string | undefined, name: string): { modifier?: Modifier; targetType?: string } {
  if (modifier === undefined) return {};
  if (def.type === 'reference' && /^[A-Z]/.test(modifier)) {
    if (!isResourceType(modifier) || (def.targets.length > 0 && !def.targets.includes(modifier))) {
      throw invalid(`${name}: ${def.resourceType}.${def.code} cannot refer to "${modifier}"; its targets are ${def.targets.join(', ')}`);
    }
    return { modifier: 'type', targetType: modifier };
  }
  if ((def.modifiers as readonly string[]).includes(modifier) && modifier !== 'type') return { modifier: modifier as Modifier };
  if ((def.unsupportedModifiers as readonly string[]).includes(modifier)) {
    throw new DomainError(
      'not-supported',
      `Modifier ":${modifier}" on ${def.resourceType}.${def.code} (${def.type}) is not supported by this server. Supported modifiers: ${describeModifiers(def)}`,
    );
  }
  throw invalid(`Unknown modifier ":${modifier}" on ${def.resourceType}.${def.code} (${def.type}). Supported modifiers: ${describeModifiers(def)}`);
}

/** Whether `|` may appear in a token value of this parameter (not for ContactPoint, uri, boolean). */
function tokenPipeAllowed(def: SearchParamDef): boolean {
  if (def.code === '_id') return false;
  const plain = new Set(['ContactPoint', 'uri', 'url', 'canonical', 'boolean', 'id']);
  return def.valueTypes.length === 0 || !def.valueTypes.every((t) => plain.has(t));
}

function parseValues(
  def: SearchParamDef,
  name: string,
  raw: string,
  mod: { modifier?: Modifier; targetType?: string },
  options: ValueOptions,
): QueryValue[] {
  const alternatives = splitEscaped(raw, ',');
  return alternatives.map((alt) => {
    if (alt === '') throw invalid(`${name}: empty value in "${raw}"`);
    const m = mod.modifier;
    switch (def.type) {
      case 'token': {
        const t = parseTokenValue(name, alt, m, tokenPipeAllowed(def));
        if (def.code === '_id' && t.match === 'code' && !/^[A-Za-z0-9\-.]{1,64}$/.test(t.code)) {
          throw invalid(`${name}: "${t.code}" is not a FHIR id ([A-Za-z0-9-.]{1,64})`);
        }
        if (def.valueTypes.length > 0 && def.valueTypes.every((vt) => vt === 'boolean') && t.match === 'code' && t.code !== 'true' && t.code !== 'false') {
          throw invalid(`${name}: "${alt}" — ${def.resourceType}.${def.code} is a boolean: true or false`);
        }
        return t;
      }
      case 'reference':
        if (m === 'identifier') return parseTokenValue(name, alt, undefined, true);
        return parseReferenceValue(name, alt, def, mod.targetType !== undefined ? [mod.targetType] : def.targets, options);
      case 'uri':
        return parseUriValue(name, alt, m);
      case 'date':
        return parseDateValue(name, unescapeValue(alt, name), options);
      case 'number':
        return parseNumberValue(name, unescapeValue(alt, name));
      case 'quantity':
        return parseQuantityValue(name, alt);
      case 'string':
        return { kind: 'string', value: unescapeValue(alt, name) };
      case 'special':
        return parseNearValue(name, alt);
      case 'composite': {
        const components = def.components ?? [];
        const parts = splitEscaped(alt, '$');
        if (parts.length !== components.length) {
          throw invalid(
            `${name}: "${alt}" has ${parts.length} part(s); ${def.resourceType}.${def.code} takes ${components.length} joined by "$" (${components.map((c) => c.code).join('$')})`,
          );
        }
        return {
          kind: 'composite',
          components: parts.map((part, i) => {
            const comp = components[i]!;
            if (part === '') throw invalid(`${name}: empty component ${comp.code} in "${alt}"`);
            const full = searchParameter(def.resourceType, comp.code) ?? comp;
            return parseSimpleValue(`${name} (${comp.code})`, part, comp.type, full, options);
          }),
        };
      }
    }
  });
}

/** `code[:modifier]=value` on `resourceType`. */
function parseParam(
  resourceType: string,
  key: string,
  raw: string,
  options: ValueOptions,
  displayName = key,
): ParamCriterion | MissingCriterion {
  const colon = key.indexOf(':');
  const code = colon < 0 ? key : key.slice(0, colon);
  const modifier = colon < 0 ? undefined : key.slice(colon + 1);
  const def = lookup(resourceType, code, displayName);
  const mod = resolveModifier(def, modifier, displayName);
  if (mod.modifier === 'missing') {
    if (raw !== 'true' && raw !== 'false') throw invalid(`${displayName}: :missing takes true or false, not "${raw}"`);
    return { kind: 'missing', name: displayName, param: def, missing: raw === 'true' };
  }
  if (raw === '') throw invalid(`${displayName}: no value`);
  const values = parseValues(def, displayName, raw, mod, options);
  return {
    kind: 'param',
    name: displayName,
    param: def,
    ...(mod.modifier === undefined ? {} : { modifier: mod.modifier }),
    ...(mod.targetType === undefined ? {} : { targetType: mod.targetType }),
    values,
  };
}

/** `ref[:Type].chained[:modifier]=value` (search.html#chaining), one level. */
function parseChain(resourceType: string, key: string, raw: string, options: ValueOptions): ChainCriterion {
  const dot = key.indexOf('.');
  const head = key.slice(0, dot);
  const tail = key.slice(dot + 1);
  if (tail.includes('.')) throw new DomainError('not-supported', `${key}: chains deeper than one level are not supported by this server`);
  const colon = head.indexOf(':');
  const code = colon < 0 ? head : head.slice(0, colon);
  const typeModifier = colon < 0 ? undefined : head.slice(colon + 1);
  const def = lookup(resourceType, code, key);
  if (def.type !== 'reference') throw invalid(`${key}: only reference parameters can be chained; ${resourceType}.${code} is a ${def.type}`);
  const chainedCode = tail.split(':')[0]!;
  let targetType: string;
  if (typeModifier !== undefined) {
    targetType = resolveModifier(def, typeModifier, key).targetType ?? '';
    if (targetType === '') throw invalid(`${key}: "${typeModifier}" is not a resource type for a chain`);
  } else {
    const candidates = def.targets.filter((t) => searchParameter(t, chainedCode)?.indexed);
    if (candidates.length === 0) {
      throw invalid(`${key}: none of the targets of ${resourceType}.${code} (${def.targets.join(', ')}) has a search parameter "${chainedCode}"`);
    }
    if (candidates.length > 1) {
      throw invalid(
        `${key}: ${resourceType}.${code} can refer to ${candidates.join(', ')}, which all have "${chainedCode}"; name the type, e.g. ${code}:${candidates[0]}.${tail}`,
      );
    }
    targetType = candidates[0]!;
  }
  const criterion = parseParam(targetType, tail, raw, options, key);
  return { kind: 'chain', name: key, param: def, targetType, criterion };
}

/** `_has:Source:ref:param[:modifier]=value` (search.html#has), one level. */
function parseHas(resourceType: string, key: string, raw: string, options: ValueOptions): HasCriterion {
  const parts = key.split(':');
  // _has, Source, ref, param[, modifier]
  if (parts.length < 4) throw invalid(`${key}: expected _has:[type]:[reference parameter]:[parameter]=[value]`);
  const sourceType = parts[1]!;
  const refCode = parts[2]!;
  if (parts[3] === '_has') throw new DomainError('not-supported', `${key}: nested _has is not supported by this server`);
  if (!isResourceType(sourceType)) throw invalid(`${key}: "${sourceType}" is not a FHIR R4 resource type`);
  const referenceParam = lookup(sourceType, refCode, key);
  if (referenceParam.type !== 'reference') throw invalid(`${key}: ${sourceType}.${refCode} is not a reference parameter`);
  if (referenceParam.targets.length > 0 && !referenceParam.targets.includes(resourceType)) {
    throw invalid(`${key}: ${sourceType}.${refCode} cannot refer to ${resourceType} (it refers to ${referenceParam.targets.join(', ')})`);
  }
  const rest = parts.slice(3).join(':');
  if (rest.includes('.')) throw new DomainError('not-supported', `${key}: a chain inside _has is not supported by this server`);
  const criterion = parseParam(sourceType, rest, raw, options, key);
  return { kind: 'has', name: key, sourceType, referenceParam, criterion };
}

function parseInclude(resourceType: string, key: string, raw: string, reverse: boolean): IncludeSpec {
  const colon = key.indexOf(':');
  const modifier = colon < 0 ? undefined : key.slice(colon + 1);
  if (modifier !== undefined && modifier !== 'iterate' && modifier !== 'recurse') {
    throw invalid(`Unknown modifier ":${modifier}" on ${key.slice(0, colon)}; supported: iterate`);
  }
  const iterate = modifier !== undefined;
  if (raw === '*' || raw.endsWith(':*')) throw new DomainError('not-supported', `${key}=${raw}: wildcard includes are not supported by this server`);
  const parts = raw.split(':');
  if (parts.length < 2 || parts.length > 3) throw invalid(`${key}: "${raw}" — expected [source type]:[search parameter][:target type]`);
  const [sourceType, code, targetType] = parts as [string, string, string | undefined];
  if (!isResourceType(sourceType)) throw invalid(`${key}: "${sourceType}" is not a FHIR R4 resource type`);
  const param = searchParameter(sourceType, code);
  if (!param) throw invalid(`${key}: ${sourceType} has no search parameter "${code}"`);
  if (param.type !== 'reference') throw invalid(`${key}: ${sourceType}.${code} is a ${param.type}, not a reference`);
  if (targetType !== undefined && (!isResourceType(targetType) || (param.targets.length > 0 && !param.targets.includes(targetType)))) {
    throw invalid(`${key}: ${sourceType}.${code} cannot refer to "${targetType}" (it refers to ${param.targets.join(', ')})`);
  }
  if (!iterate) {
    if (!reverse && sourceType !== resourceType) {
      throw invalid(`${key}=${raw} on a ${resourceType} search: the source type must be ${resourceType} (or use ${key}:iterate)`);
    }
    if (reverse && param.targets.length > 0 && !param.targets.includes(resourceType)) {
      throw invalid(`${key}=${raw}: ${sourceType}.${code} cannot refer to ${resourceType}`);
    }
    if (reverse && targetType !== undefined && targetType !== resourceType) {
      throw invalid(`${key}=${raw}: the target type of a reverse include on a ${resourceType} search must be ${resourceType}`);
    }
  }
  return targetType === undefined ? { sourceType, param, iterate } : { sourceType, param, targetType, iterate };
}

function parseNonNegativeInt(name: string, raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw invalid(`${name} must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}

/**
 * Parses and validates a search on `resourceType`. Throws `DomainError` `invalid` (unknown type,
 * parameter, modifier, or malformed value) or `not-supported`.
 */
export function parseSearch(resourceType: string, params: URLSearchParams, options: ParseOptions = {}): ParsedSearch {
  if (!isResourceType(resourceType)) throw invalid(`"${resourceType}" is not a FHIR R4 resource type`);
  const valueOptions: ValueOptions = { now: options.now ?? Date.now(), localBases: options.localBases ?? [] };
  const sortable = options.sortable ?? defaultSortable;
  const criteria: Criterion[] = [];
  const include: IncludeSpec[] = [];
  const revinclude: IncludeSpec[] = [];
  let sort: SortKey[] = [];
  const result: {
    count?: number;
    offset?: number;
    total?: TotalMode;
    summary?: SummaryMode;
    elements?: string[];
    format?: string;
    pretty?: boolean;
  } = {};
  const seen = new Set<string>();
  const once = (name: string) => {
    if (seen.has(name)) throw invalid(`${name} may appear only once`);
    seen.add(name);
  };

  for (const [key, raw] of params) {
    const base = key.split(':')[0]!;
    switch (base) {
      case '_count': {
        once('_count');
        result.count = Math.min(parseNonNegativeInt('_count', raw), options.maxCount ?? DEFAULT_MAX_COUNT);
        continue;
      }
      case '_offset':
        once('_offset');
        result.offset = parseNonNegativeInt('_offset', raw);
        continue;
      case '_total':
        once('_total');
        if (raw !== 'none' && raw !== 'estimate' && raw !== 'accurate') throw invalid(`_total must be none, estimate or accurate, got "${raw}"`);
        result.total = raw;
        continue;
      case '_summary':
        once('_summary');
        if (raw !== 'true' && raw !== 'false' && raw !== 'text' && raw !== 'data' && raw !== 'count') {
          throw invalid(`_summary must be true, false, text, data or count, got "${raw}"`);
        }
        result.summary = raw;
        continue;
      case '_elements': {
        once('_elements');
        const elements = elementsOf(resourceType)!;
        const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
        for (const n of names) {
          if (!elements.has(n) && ![...elements.values()].some((e) => e.choice && e.types.some((t) => e.name + t.charAt(0).toUpperCase() + t.slice(1) === n))) {
            throw invalid(`_elements: ${resourceType} has no element "${n}"`);
          }
        }
        result.elements = names;
        continue;
      }
      case '_format':
        once('_format');
        if (raw === '') throw invalid('_format: no value');
        result.format = raw;
        continue;
      case '_pretty':
        once('_pretty');
        if (raw !== 'true' && raw !== 'false') throw invalid(`_pretty must be true or false, got "${raw}"`);
        result.pretty = raw === 'true';
        continue;
      case '_sort': {
        once('_sort');
        sort = raw.split(',').map((item) => {
          const descending = item.startsWith('-');
          const code = descending ? item.slice(1) : item;
          const param = searchParameter(resourceType, code);
          if (!param || !param.indexed) {
            const ok = (searchParametersOf(resourceType) ?? []).filter((p) => p.indexed && sortable(p)).map((p) => p.code);
            throw invalid(`_sort: unknown search parameter "${code}" for ${resourceType}. Sortable: ${ok.join(', ')}`);
          }
          if (param.type === 'composite' || param.type === 'special') throw invalid(`_sort: cannot sort by ${param.type} parameter "${code}"`);
          if (!sortable(param)) {
            throw new DomainError('not-supported', `_sort by "${code}" (${param.type}) is not supported: the index holds keyed tokens, not orderable values, for ${param.type} parameters`);
          }
          return { param, descending };
        });
        continue;
      }
      case '_include':
      case '_revinclude':
        (base === '_include' ? include : revinclude).push(parseInclude(resourceType, key, raw, base === '_revinclude'));
        continue;
      case '_has':
        criteria.push(parseHas(resourceType, key, raw, valueOptions));
        continue;
    }
    if (NOT_SUPPORTED_PARAMETERS[base] !== undefined) {
      throw new DomainError('not-supported', `${base} (${NOT_SUPPORTED_PARAMETERS[base]}) is not supported by this server`);
    }
    criteria.push(key.includes('.') ? parseChain(resourceType, key, raw, valueOptions) : parseParam(resourceType, key, raw, valueOptions));
  }

  if (result.summary === 'text' && (include.length > 0 || revinclude.length > 0)) {
    throw invalid('_include and _revinclude cannot be mixed with _summary=text (search.html#summary)');
  }
  if (result.count === 0 && result.summary === undefined) result.summary = 'count';
  return { resourceType, criteria, include, revinclude, sort, ...result };
}

/** Token queries a `:identifier` criterion carries (a narrowing helper for the SQL author). */
export function identifierQueries(c: ParamCriterion): readonly TokenQuery[] {
  return c.modifier === 'identifier' ? (c.values as TokenQuery[]) : [];
}
