/**
 * The equality forms of index values and of query values (R4 search.html §3.1.1.4), as
 * `[kind, value]` pairs that the store blinds into keyed tokens (`BlindIndex.searchToken`, namespace
 * `Type.param`). A stored value and a query value match when they share a form: this one module
 * decides both sides, so the writer and the search can never disagree.
 *
 * | kind | stored from | queried by |
 * |---|---|---|
 * | `c`   | token code (any system) | `[code]` |
 * | `sc`  | token `system|code` | `[system]|[code]` |
 * | `n`   | token code without a system | `|[code]` |
 * | `s`   | token system | `[system]|` |
 * | `ot`  | Identifier `type.system|type.code|value` | `:of-type` |
 * | `r`   | reference (`Type/id`, absolute URL, canonical URL) | `[id]`, `[type]/[id]`, URL |
 * | `rv`  | canonical `url|version` | `url|version` |
 * | `i…`  | Reference.identifier, token forms prefixed `i` | `:identifier` |
 * | `u`   | uri value | `[uri]`, `:above` (each ancestor of the query) |
 * | `ub`  | each ancestor of a uri value | `:below` |
 * | `x`   | string, raw | `:exact` |
 * | `pf`  | normalised prefixes of a name-like string (bounded) | default string search |
 * | `tg`  | trigrams of a name-like string | `:contains` (all of the query's trigrams) |
 * | `k`   | a composite's equality components joined by `$` | composite |
 * | `qs` / `qu` | quantity `system|code` / code or unit, as the tag of a range row | quantity units |
 *
 * Token display texts (`Coding.display`, `CodeableConcept.text`) get no form: `:text` is confirmed
 * on decrypted resources within a bounded candidate set (search/plan.ts), never indexed.
 */
import {
  normalizedPrefixes,
  prefixQuery,
  trigrams,
  uriAncestors,
  type ReferenceValue,
  type SearchParamDef,
  type TokenQuery,
  type TokenValue,
} from '../../fhir/search/index.ts';

export type Form = readonly [kind: string, value: string];

/** Longest indexed prefix of a name-like string, in code points; longer queries are confirmed on the resource. */
export const NAME_PREFIX_LENGTH = 12;

/** The forms of a stored token value. */
export function tokenValueForms(v: TokenValue, kindPrefix = ''): Form[] {
  const out: Form[] = [];
  if (v.code !== undefined) {
    out.push([`${kindPrefix}c`, v.code]);
    if (v.system !== undefined) out.push([`${kindPrefix}sc`, `${v.system}|${v.code}`]);
    else out.push([`${kindPrefix}n`, v.code]);
  }
  if (v.system !== undefined) out.push([`${kindPrefix}s`, v.system]);
  if (v.code !== undefined && kindPrefix === '') for (const t of v.ofType ?? []) if (t.code !== undefined) out.push(['ot', `${t.system ?? ''}|${t.code}|${v.code}`]);
  return out;
}

/** The form a token query looks up (`undefined` for `:text`, which is confirmed, not indexed). */
export function tokenQueryForm(q: TokenQuery, kindPrefix = ''): Form | undefined {
  switch (q.match) {
    case 'code':
      return [`${kindPrefix}c`, q.code];
    case 'system-code':
      return [`${kindPrefix}sc`, `${q.system}|${q.code}`];
    case 'no-system-code':
      return [`${kindPrefix}n`, q.code];
    case 'system':
      return [`${kindPrefix}s`, q.system];
    case 'of-type':
      return ['ot', `${q.system}|${q.code}|${q.value}`];
    case 'text':
      return undefined;
  }
}

export function referenceValueForms(v: ReferenceValue): Form[] {
  const out: Form[] = [];
  if (v.reference !== undefined) {
    out.push(['r', v.reference]);
    if (v.version !== undefined && v.canonical) out.push(['rv', `${v.reference}|${v.version}`]);
  }
  if (v.identifier !== undefined) out.push(...tokenValueForms(v.identifier, 'i'));
  return out;
}

/** Forms of one reference query candidate. */
export function referenceQueryForm(candidate: string, version: string | undefined): Form {
  return version === undefined ? ['r', candidate] : ['rv', `${candidate}|${version}`];
}

export function uriValueForms(value: string): Form[] {
  return [['u', value], ...uriAncestors(value.replace(/\/+$/, '') || value).map((a): Form => ['ub', a])];
}

/** The uri forms a query looks up, OR-ed. */
export function uriQueryForms(value: string, modifier: 'above' | 'below' | undefined): Form[] {
  if (modifier === 'below') return [['ub', value]];
  if (modifier === 'above') return uriAncestors(value).map((a): Form => ['u', a]);
  return [['u', value]];
}

/**
 * Whether a string parameter gets blinded prefixes and trigrams: names and addresses (HumanName,
 * Address, and the string parameters that search their parts or a name). Other string parameters
 * (descriptions, titles…) keep only their exact form; their default and `:contains` searches are
 * confirmed on decrypted resources within a bounded candidate set.
 */
export function isNameLike(def: Pick<SearchParamDef, 'code' | 'valueTypes' | 'type'>): boolean {
  if (def.type !== 'string') return false;
  if (def.code === 'phonetic') return false;
  if (def.valueTypes.includes('HumanName') || def.valueTypes.includes('Address')) return true;
  return /^(name|family|given|alias|address(-[a-z]+)*|device-name)$/.test(def.code);
}

export function stringValueForms(value: string, nameLike: boolean): Form[] {
  const out: Form[] = [['x', value]];
  if (!nameLike) return out;
  for (const p of normalizedPrefixes(value, { maxLength: NAME_PREFIX_LENGTH })) out.push(['pf', p]);
  for (const t of trigrams(value)) out.push(['tg', t]);
  return out;
}

/**
 * What a name-like default (starts-with) query looks up: one prefix form, and whether hits must be
 * confirmed (the query is longer than the indexed prefixes). `undefined`: nothing left after
 * normalisation, so only confirmation can decide.
 */
export function stringPrefixQuery(value: string): { form: Form; confirm: boolean } | undefined {
  const q = prefixQuery(value, NAME_PREFIX_LENGTH);
  if (q.prefix === '' || q.prefix.endsWith(' ')) return undefined;
  return { form: ['pf', q.prefix], confirm: q.truncated };
}

/** The trigram forms a `:contains` query needs, all present; `undefined` when shorter than 3 characters. */
export function containsQueryForms(value: string): Form[] | undefined {
  const t = trigrams(value);
  return t.length === 0 ? undefined : t.map((g): Form => ['tg', g]);
}
