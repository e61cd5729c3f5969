/**
 * The range semantics of the comparison prefixes (R4 search.html#prefix), as pure predicates the
 * SQL over `[low, high)` columns can mirror:
 *
 * | prefix | matches when (R4 text)                                                               |
 * |--------|--------------------------------------------------------------------------------------|
 * | eq     | the range of the search value fully contains the range of the target value           |
 * | ne     | the range of the search value does not fully contain the range of the target value   |
 * | gt     | the range above the search value intersects (i.e. overlaps) with the range of the target |
 * | lt     | the range below the search value intersects (i.e. overlaps) with the range of the target |
 * | ge     | the range above the search value intersects the target, or the search range fully contains it |
 * | le     | the range below the search value intersects the target, or the search range fully contains it |
 * | sa     | the search range does not overlap the target, and the range above the search value contains it |
 * | eb     | the search range does not overlap the target, and the range below the search value contains it |
 * | ap     | the range of the search value overlaps with the range of the target value            |
 *
 * Ranges are half-open `[low, high)`; `low === high` is the single point `{low}` (an exact
 * integer, or a number query with a comparison prefix: "When a comparison prefix in the set gt,
 * lt, ge, le, sa & eb is provided, the implicit precision of the number is ignored, and they are
 * treated as if they have arbitrarily high precision" — search.html#number).
 *
 * "The range above" a search range `[l, h)` is `[h, ∞)` and "the range below" is `(-∞, l)`; for a
 * point `{v}` they are `(v, ∞)` and `(-∞, v)`. This is the reading servers implement (HAPI, IBM
 * FHIR): `gt2013-01-14` is after the whole day; `gt100` is strictly greater than 100.
 *
 * In SQL terms, with target columns `lo`, `hi` (half-open) and query `[L, H)`:
 *   eq: `lo >= L AND hi <= H`  ne: `NOT (lo >= L AND hi <= H)`  gt: `hi > H`  lt: `lo < L`
 *   ge: `hi > H OR (lo >= L AND hi <= H)`  le: `lo < L OR (lo >= L AND hi <= H)`
 *   sa: `lo >= H`  eb: `hi <= L`  ap: `lo < H AND hi > L`
 * (a point target `lo = hi = p` needs `p < H` instead of `hi <= H`, `p > H` for gt with a point
 * query, etc.: `matchesRange` is the reference, table-tested in `ranges.test.ts`).
 */
import type { NumericRange, Prefix } from './types.ts';

const isPoint = (r: NumericRange) => r.low === r.high;

/** Whether `inner` ⊆ `outer`. */
function contains(outer: NumericRange, inner: NumericRange): boolean {
  if (isPoint(outer)) return isPoint(inner) && inner.low === outer.low;
  if (isPoint(inner)) return inner.low >= outer.low && inner.low < outer.high;
  return inner.low >= outer.low && inner.high <= outer.high;
}

/** Whether the two ranges share an instant / value. */
function overlaps(a: NumericRange, b: NumericRange): boolean {
  if (isPoint(a) && isPoint(b)) return a.low === b.low;
  if (isPoint(a)) return a.low >= b.low && a.low < b.high;
  if (isPoint(b)) return b.low >= a.low && b.low < a.high;
  return a.low < b.high && b.low < a.high;
}

/** The target intersects the range above the query. */
function intersectsAbove(q: NumericRange, t: NumericRange): boolean {
  if (isPoint(q)) return isPoint(t) ? t.low > q.low : t.high > q.low;
  return isPoint(t) ? t.low >= q.high : t.high > q.high;
}

/** The target intersects the range below the query. */
function intersectsBelow(q: NumericRange, t: NumericRange): boolean {
  // (-∞, q.low) for a range and a point query alike.
  return t.low < q.low;
}

/** The target lies within the range above the query. */
function withinAbove(q: NumericRange, t: NumericRange): boolean {
  return isPoint(q) ? t.low > q.low : t.low >= q.high;
}

/** The target lies within the range below the query. */
function withinBelow(q: NumericRange, t: NumericRange): boolean {
  return isPoint(t) ? t.low < q.low : t.high <= q.low;
}

/**
 * Whether a target value range matches a query range under `prefix` (R4 search.html#prefix). For
 * `ap`, pass the query range already widened by `approximateRange`.
 */
export function matchesRange(prefix: Prefix, query: NumericRange, value: NumericRange): boolean {
  switch (prefix) {
    case 'eq':
      return contains(query, value);
    case 'ne':
      return !contains(query, value);
    case 'gt':
      return intersectsAbove(query, value);
    case 'lt':
      return intersectsBelow(query, value);
    case 'ge':
      return intersectsAbove(query, value) || contains(query, value);
    case 'le':
      return intersectsBelow(query, value) || contains(query, value);
    case 'sa':
      return !overlaps(query, value) && withinAbove(query, value);
    case 'eb':
      return !overlaps(query, value) && withinBelow(query, value);
    case 'ap':
      return overlaps(query, value);
  }
}

/**
 * The `ap` search range: the value's own range widened by 10% of the value (numbers, quantities)
 * or by 10% of the gap between now and the date (dates) either side — the recommendation of
 * search.html#prefix ("systems may choose other values").
 */
export function approximateRange(
  kind: 'number' | 'date',
  range: NumericRange & { value?: number },
  now: number = Date.now(),
): NumericRange {
  if (kind === 'number') {
    const v = range.value ?? (range.low + range.high) / 2;
    const d = Math.abs(v) * 0.1;
    return { low: Math.min(range.low, v - d), high: Math.max(range.high, v + d) };
  }
  const mid = (range.low + range.high) / 2;
  const d = Math.round(Math.abs(now - mid) * 0.1);
  return { low: range.low - d, high: range.high + d };
}
