/**
 * The search-index entries of one resource: every search parameter of its type (R4 definitions,
 * `extractIndexValues`), each value turned into blinded equality tokens (`forms.ts`), numeric
 * `[low, high)` ranges (dates, numbers, quantities) or an encrypted sort key (name-like strings).
 * Pure given the blinding function: the store writes what this returns.
 *
 * Not indexed: `_id` and `_lastUpdated` (columns of the current-version row), `_text` / `_content`
 * (no expression), `phonetic` (no phonetic algorithm), Location `near` (confirmed on the resource),
 * token display texts (see forms.ts), contained resources (search.html#contained), and whether a
 * parameter has a value at all (a presence token per parameter was 35% of all tokens of a Synthea
 * import: `:missing` is confirmed on the resource instead).
 */
import { extractIndexValues, normalizeString, type IndexValue, type SearchParamDef } from '../../fhir/search/index.ts';
import {
  isNameLike,
  referenceValueForms,
  stringValueForms,
  tokenValueForms,
  uriValueForms,
  type Form,
} from './forms.ts';

/** Keyed token of a form in a parameter's namespace (`Observation.code`). */
export type Blind = (namespace: string, form: Form) => Buffer;

export interface RangeEntry {
  /** `Type.param` */
  readonly param: string;
  readonly low: number;
  readonly high: number;
  /** Quantity unit or composite key token; null for plain dates and numbers. */
  readonly tag: Buffer | null;
}

export interface SortEntry {
  readonly param: string;
  /** Lowest and highest normalised value (ascending sorts use the first, descending the second). */
  readonly min: string;
  readonly max: string;
}

export interface IndexEntries {
  readonly tokens: Buffer[];
  readonly ranges: RangeEntry[];
  readonly sorts: SortEntry[];
}

const SKIPPED = new Set(['_id', '_lastUpdated', 'phonetic']);

/** The namespace of a parameter's tokens and ranges. */
export const namespaceOf = (def: Pick<SearchParamDef, 'resourceType' | 'code'>) => `${def.resourceType}.${def.code}`;

/** Equality forms of a simple value (no ranges). */
function equalityForms(v: IndexValue, nameLike: boolean): Form[] {
  switch (v.kind) {
    case 'token':
      return tokenValueForms(v);
    case 'reference':
      return referenceValueForms(v);
    case 'uri':
      return uriValueForms(v.value);
    case 'string':
      return stringValueForms(v.value, nameLike);
    default:
      return [];
  }
}

/** The forms a component contributes to a composite key (token codes, references, uris). */
function componentKeys(v: IndexValue): string[] {
  switch (v.kind) {
    case 'token':
      return v.code === undefined ? [] : v.system === undefined ? [`c:${v.code}`] : [`c:${v.code}`, `sc:${v.system}|${v.code}`];
    case 'reference':
      return v.reference === undefined ? [] : [`r:${v.reference}`];
    case 'uri':
      return [`u:${v.value}`];
    default:
      return [];
  }
}

const isRange = (v: IndexValue): v is Extract<IndexValue, { low: number }> => v.kind === 'date' || v.kind === 'number' || v.kind === 'quantity';

/** Every combination of one key per equality component. */
function combinations(parts: readonly string[][]): string[] {
  let out = [''];
  for (const keys of parts) {
    const next: string[] = [];
    for (const prefix of out) for (const k of keys) next.push(prefix === '' ? k : `${prefix}$${k}`);
    out = next;
  }
  return out;
}

/** Composite key forms of a composite query or value: its equality components' keys joined by `$`. */
export function compositeKeys(components: readonly IndexValue[]): { keys: string[]; range?: Extract<IndexValue, { low: number }> } | undefined {
  const last = components[components.length - 1];
  const range = last && isRange(last) ? last : undefined;
  const eq = range ? components.slice(0, -1) : components;
  const parts = eq.map(componentKeys);
  if (parts.some((p) => p.length === 0)) return undefined;
  return range ? { keys: combinations(parts), range } : { keys: combinations(parts) };
}

export function indexEntries(resource: Record<string, unknown>, blind: Blind): IndexEntries {
  const tokens: Buffer[] = [];
  const ranges: RangeEntry[] = [];
  const sorts: SortEntry[] = [];
  for (const { param, values } of extractIndexValues(resource)) {
    if (SKIPPED.has(param.code)) continue;
    const ns = namespaceOf(param);
    const nameLike = isNameLike(param);
    const seen = new Set<string>();
    const token = (f: Form) => {
      const key = `${f[0]}\u0000${f[1]}`;
      if (seen.has(key)) return;
      seen.add(key);
      tokens.push(blind(ns, f));
    };
    let min: string | undefined;
    let max: string | undefined;
    for (const v of values) {
      if (v.kind === 'date' || v.kind === 'number') {
        ranges.push({ param: ns, low: v.low, high: v.high, tag: null });
      } else if (v.kind === 'quantity') {
        const tags = new Set<string>();
        if (v.system !== undefined && v.code !== undefined) tags.add(`qs\u0000${v.system}|${v.code}`);
        if (v.code !== undefined) tags.add(`qu\u0000${v.code}`);
        if (v.unit !== undefined) tags.add(`qu\u0000${v.unit}`);
        if (tags.size === 0) ranges.push({ param: ns, low: v.low, high: v.high, tag: null });
        for (const t of tags) {
          const [kind, value] = t.split('\u0000') as [string, string];
          ranges.push({ param: ns, low: v.low, high: v.high, tag: blind(ns, [kind, value]) });
        }
      } else if (v.kind === 'composite') {
        const c = compositeKeys(v.components);
        if (!c) continue;
        for (const key of c.keys) {
          if (c.range) ranges.push({ param: ns, low: c.range.low, high: c.range.high, tag: blind(ns, ['k', key]) });
          else token(['k', key]);
        }
      } else if (v.kind !== 'position') {
        // (Location `near` is confirmed on the resource.)
        for (const f of equalityForms(v, nameLike)) token(f);
        if (v.kind === 'string' && nameLike) {
          const n = normalizeString(v.value);
          if (min === undefined || n < min) min = n;
          if (max === undefined || n > max) max = n;
        }
      }
    }
    if (min !== undefined && max !== undefined) sorts.push({ param: ns, min, max });
  }
  return { tokens, ranges, sorts };
}
