/**
 * The SQL form of `matchesRange` (fhir/search/ranges.ts, R4 search.html#prefix) over a stored
 * `[low, high)` column pair, where `low = high` is a point. The query range is known when the SQL is
 * built, so whether it is a point is decided here; whether the stored value is one is decided in SQL.
 * `range-sql.test.ts` checks every prefix against `matchesRange` on random ranges in real SQLite.
 */
import type { NumericRange, Prefix } from '../../fhir/search/index.ts';

export interface SqlCondition {
  readonly sql: string;
  readonly params: number[];
}

const cond = (sql: string, ...params: number[]): SqlCondition => ({ sql, params });

function or(a: SqlCondition, b: SqlCondition): SqlCondition {
  return { sql: `(${a.sql} OR ${b.sql})`, params: [...a.params, ...b.params] };
}
function and(a: SqlCondition, b: SqlCondition): SqlCondition {
  return { sql: `(${a.sql} AND ${b.sql})`, params: [...a.params, ...b.params] };
}
function not(a: SqlCondition): SqlCondition {
  return { sql: `NOT ${a.sql}`, params: a.params };
}

/** The SQL condition of `prefix` with query range `q` on columns `lo`, `hi`. */
export function rangeCondition(prefix: Prefix, q: NumericRange, lo = 'lo', hi = 'hi'): SqlCondition {
  const qPoint = q.low === q.high;
  const point = `${lo} = ${hi}`;
  const span = `${lo} < ${hi}`;
  const contains = qPoint
    ? cond(`(${point} AND ${lo} = ?)`, q.low)
    : cond(`(${lo} >= ? AND ((${point} AND ${lo} < ?) OR (${span} AND ${hi} <= ?)))`, q.low, q.high, q.high);
  const overlaps = qPoint
    ? cond(`((${point} AND ${lo} = ?) OR (${span} AND ${lo} <= ? AND ${hi} > ?))`, q.low, q.low, q.low)
    : cond(`((${point} AND ${lo} >= ? AND ${lo} < ?) OR (${span} AND ${lo} < ? AND ${hi} > ?))`, q.low, q.high, q.high, q.low);
  const above = qPoint
    ? cond(`((${point} AND ${lo} > ?) OR (${span} AND ${hi} > ?))`, q.low, q.low)
    : cond(`((${point} AND ${lo} >= ?) OR (${span} AND ${hi} > ?))`, q.high, q.high);
  const below = cond(`${lo} < ?`, q.low);
  const withinAbove = qPoint ? cond(`${lo} > ?`, q.low) : cond(`${lo} >= ?`, q.high);
  const withinBelow = cond(`((${point} AND ${lo} < ?) OR (${span} AND ${hi} <= ?))`, q.low, q.low);
  switch (prefix) {
    case 'eq':
      return contains;
    case 'ne':
      return not(contains);
    case 'gt':
      return above;
    case 'lt':
      return below;
    case 'ge':
      return or(above, contains);
    case 'le':
      return or(below, contains);
    case 'sa':
      return and(not(overlaps), withinAbove);
    case 'eb':
      return and(not(overlaps), withinBelow);
    case 'ap':
      return overlaps;
  }
}
