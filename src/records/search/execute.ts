/**
 * Runs a planned search over the index tables in portable SQL (positional `?`, no engine-specific
 * functions): one criterion drives (the one with the fewest index rows, counted up to a cap, so a
 * patient's token drives rather than "all vital signs"), the others are point lookups on the
 * driver's rows (`EXISTS … WHERE rid = c.rid`), the current-version row filters out deleted and
 * erased resources, and the order is native (rid, `_lastUpdated`, `_id`, date / number / quantity
 * ranges) or, for name-like strings, by encrypted sort keys decrypted for a bounded candidate set.
 *
 * Criteria the index can only narrow are confirmed on decrypted resources (`match.ts`); a search
 * that would need more than `limits.confirmCandidates` of them is refused (`too-large`, 413 with a
 * message naming what to add) rather than decrypting a whole table.
 */
import { DomainError, invalid } from '../../shared/errors.ts';
import type { Sql, SqlValue } from '../../storage/engine.ts';
import type { Resource } from '../../fhir/types.ts';
import { isNameLike } from '../index/forms.ts';
import { namespaceOf } from '../index/entries.ts';
import type { RecordStore } from '../store.ts';
import type { ParsedSearch, SearchParamDef, SortKey } from '../../fhir/search/index.ts';
import { criterionMatches } from './match.ts';
import type { Clause, PlannedCriterion } from './plan.ts';

export interface SearchLimits {
  /** Resources decrypted at most to confirm criteria or sort by an encrypted key. */
  readonly confirmCandidates: number;
  /** Resources a sort by a date / number / quantity parameter may order. */
  readonly sortCandidates: number;
  /** Index rows counted to choose the driver (and to know a total is cheap). */
  readonly estimateCap: number;
  /** Deepest `_offset`. */
  readonly maxOffset: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchLimits = { confirmCandidates: 2000, sortCandidates: 100_000, estimateCap: 2000, maxOffset: 100_000 };

export interface SearchHit {
  readonly rid: number;
  readonly type: string;
  readonly id: string;
  /** Set when the search decrypted it already (to confirm or sort). */
  readonly resource?: Resource;
}

export interface SearchOutcome {
  readonly hits: SearchHit[];
  readonly total?: number;
}

export interface ExecuteOptions {
  readonly count: number;
  readonly offset: number;
  /** Only the number of matches (`_summary=count`). */
  readonly countOnly?: boolean;
  readonly limits?: SearchLimits;
}

const ph = (n: number) => Array.from({ length: n }, () => '?').join(', ');

interface Fragment {
  sql: string;
  params: SqlValue[];
}

function rangeAlts(cl: Extract<Clause, { kind: 'range' }>, tagCol: string): Fragment {
  const parts = cl.alts.map((a) => (a.tags && a.tags.length ? { sql: `(${a.cond.sql} AND ${tagCol} IN (${ph(a.tags.length)}))`, params: [...a.cond.params, ...a.tags] } : { sql: a.cond.sql, params: [...a.cond.params] }));
  return { sql: `(${parts.map((p) => p.sql).join(' OR ')})`, params: parts.flatMap((p) => p.params) };
}

/** A clause as a filter on the current-version row `c`. */
function filterOf(cl: Clause): Fragment {
  switch (cl.kind) {
    case 'tokens':
      return cl.any.length === 0 ? { sql: '1 = 0', params: [] } : { sql: `EXISTS (SELECT 1 FROM search_token t WHERE t.token IN (${ph(cl.any.length)}) AND t.rid = c.rid)`, params: [...cl.any] };
    case 'no-tokens':
      return cl.any.length === 0 ? { sql: '1 = 1', params: [] } : { sql: `NOT EXISTS (SELECT 1 FROM search_token t WHERE t.token IN (${ph(cl.any.length)}) AND t.rid = c.rid)`, params: [...cl.any] };
    case 'range': {
      const alts = rangeAlts(cl, 'r.tag');
      // `r.param || ''` keeps the planner on the (rid, param) index: with `r.param = ?` SQLite chose
      // (param, lo) for a date equality and scanned every Patient.birthdate row per candidate.
      return { sql: `EXISTS (SELECT 1 FROM search_range r WHERE r.rid = c.rid AND r.param || '' = ? AND ${alts.sql})`, params: [cl.param, ...alts.params] };
    }
    case 'column':
      return { sql: cl.sql, params: [...cl.params] };
    case 'nothing':
      return { sql: '1 = 0', params: [] };
  }
}

/** The rids a clause selects on its own (a driver), or undefined when it cannot drive. */
function driverOf(cl: Clause): Fragment | undefined {
  if (cl.kind === 'tokens' && cl.any.length > 0) {
    return { sql: `SELECT ${cl.any.length > 1 ? 'DISTINCT ' : ''}rid FROM search_token WHERE token IN (${ph(cl.any.length)})`, params: [...cl.any] };
  }
  if (cl.kind === 'range') {
    const alts = rangeAlts(cl, 'tag');
    return { sql: `SELECT DISTINCT rid FROM search_range WHERE param = ? AND ${alts.sql}`, params: [cl.param, ...alts.params] };
  }
  return undefined;
}

/**
 * How many index rows a clause selects, counted up to `cap` (Infinity: it cannot drive). Rows, not
 * distinct resources: a `DISTINCT` here made SQLite gather every row of a wide date range before the
 * limit applied (30 ms for `date=ge2020` on 20,000 resources, growing with the table).
 */
async function estimate(sql: Sql, cl: Clause, cap: number): Promise<number> {
  if (cl.kind === 'nothing') return 0;
  if (cl.kind === 'column') return cl.ids ?? Infinity;
  let d: Fragment | undefined;
  if (cl.kind === 'tokens' && cl.any.length > 0) d = { sql: `SELECT 1 FROM search_token WHERE token IN (${ph(cl.any.length)})`, params: [...cl.any] };
  else if (cl.kind === 'range') {
    const alts = rangeAlts(cl, 'tag');
    d = { sql: `SELECT 1 FROM search_range WHERE param = ? AND ${alts.sql}`, params: [cl.param, ...alts.params] };
  }
  if (!d) return Infinity;
  const row = await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM (${d.sql} LIMIT ?) x`, [...d.params, cap]);
  return Number(row?.n ?? 0);
}

/** Driver estimates at or under this skip counting range clauses (see `buildQuery`). */
const RANGE_ESTIMATE_FLOOR = 500;

/** Cheap, selective clauses are estimated first, so the later ones count only up to the best so far. */
const ESTIMATE_ORDER: Record<Clause['kind'], number> = { nothing: 0, column: 1, tokens: 2, range: 3, 'no-tokens': 4 };

interface Query {
  from: string;
  where: string;
  params: SqlValue[];
  /** The driver's estimate (Infinity: the whole type). */
  estimate: number;
}

async function buildQuery(sql: Sql, type: string, planned: readonly PlannedCriterion[], cap: number): Promise<Query | 'empty'> {
  const clauses = planned.flatMap((p) => p.clauses);
  if (clauses.some((c) => c.kind === 'nothing')) return 'empty';
  let best: { i: number; n: number } | undefined;
  const order = clauses.map((_, i) => i).sort((a, b) => ESTIMATE_ORDER[clauses[a]!.kind] - ESTIMATE_ORDER[clauses[b]!.kind]);
  for (const i of order) {
    // A range is not counted once a token drives few rows: its point lookups on them cost about what
    // driving by the range would, and counting a wide range costs more (SQLite unions the OR's arms).
    if (clauses[i]!.kind === 'range' && best && best.n <= RANGE_ESTIMATE_FLOOR) continue;
    // Counting past the best so far cannot make a clause the driver.
    const n = await estimate(sql, clauses[i]!, best ? Math.min(cap, best.n) : cap);
    if (n === 0) return 'empty';
    if (n !== Infinity && (!best || n < best.n)) best = { i, n };
  }
  const where = ['c.type = ?', 'c.deleted = 0', 'c.erased = 0'];
  const params: SqlValue[] = [type];
  clauses.forEach((cl, i) => {
    if (best && i === best.i && cl.kind !== 'column') return; // the driver itself
    const f = filterOf(cl);
    where.push(f.sql);
    params.push(...f.params);
  });
  const driver = best ? driverOf(clauses[best.i]!) : undefined;
  if (driver) {
    // CROSS JOIN keeps SQLite's join order: the driver's rows first, then one lookup each.
    return { from: `(${driver.sql}) d CROSS JOIN record_current c`, where: `c.rid = d.rid AND ${where.join(' AND ')}`, params: [...driver.params, ...params], estimate: best!.n };
  }
  return { from: 'record_current c', where: where.join(' AND '), params, estimate: best?.n ?? Infinity };
}

/** ORDER BY for the SQL-sortable keys (rid breaks ties, so pages are stable). */
function orderOf(sort: readonly SortKey[]): Fragment {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  for (const k of sort) {
    const dir = k.descending ? 'DESC' : 'ASC';
    if (k.param.code === '_lastUpdated') parts.push(`c.last_updated_ms ${dir}`);
    else if (k.param.code === '_id') parts.push(`c.id ${dir}`);
    else {
      // Ascending by each resource's lowest value, descending by its highest (search.html#sort);
      // resources without a value last.
      const expr = k.descending ? '(SELECT MAX(r.hi) FROM search_range r WHERE r.rid = c.rid AND r.param = ?)' : '(SELECT MIN(r.lo) FROM search_range r WHERE r.rid = c.rid AND r.param = ?)';
      parts.push(`CASE WHEN ${expr} IS NULL THEN 1 ELSE 0 END`, `${expr} ${dir}`);
      params.push(namespaceOf(k.param), namespaceOf(k.param));
    }
  }
  parts.push('c.rid');
  return { sql: parts.join(', '), params };
}

const isEncryptedSort = (k: SortKey) => k.param.type === 'string' && isNameLike(k.param);

/** Which `_sort` parameters this node orders: native ones, and name-like strings (encrypted keys). */
export function sortable(param: SearchParamDef): boolean {
  return param.type === 'date' || param.type === 'number' || param.type === 'quantity' || param.code === '_id' || isNameLike(param);
}

function tooCostly(what: string, n: number): DomainError {
  return new DomainError(
    'too-large',
    `this search would have to ${what} more than ${n} resources: add a criterion that narrows it (a patient, a code, a date range) or leave out the sort`,
    { code: 'too-costly' },
  );
}

/** Compares by the memory sort keys, then by the SQL order (already applied, so stable). */
async function sortInMemory(sql: Sql, store: RecordStore, sort: readonly SortKey[], hits: SearchHit[]): Promise<SearchHit[]> {
  const rids = hits.map((h) => h.rid);
  const keyed: Map<number, readonly [string | number, string | number]>[] = [];
  for (const k of sort) {
    if (isEncryptedSort(k)) {
      keyed.push(await store.index.sortKeys(sql, namespaceOf(k.param), rids));
    } else if (k.param.code === '_lastUpdated' || k.param.code === '_id') {
      const rows = await sql.all<{ rid: number; v: string | number }>(
        `SELECT rid, ${k.param.code === '_id' ? 'id' : 'last_updated_ms'} AS v FROM record_current WHERE rid IN (${ph(rids.length)})`,
        rids,
      );
      keyed.push(new Map(rows.map((r) => [Number(r.rid), [r.v, r.v] as const])));
    } else {
      const rows = await sql.all<{ rid: number; lo: number; hi: number }>(
        `SELECT rid, MIN(lo) AS lo, MAX(hi) AS hi FROM search_range WHERE param = ? AND rid IN (${ph(rids.length)}) GROUP BY rid`,
        [namespaceOf(k.param), ...rids],
      );
      keyed.push(new Map(rows.map((r) => [Number(r.rid), [r.lo, r.hi] as const])));
    }
  }
  const position = new Map(hits.map((h, i) => [h.rid, i]));
  return [...hits].sort((a, b) => {
    for (let i = 0; i < sort.length; i++) {
      const desc = sort[i]!.descending;
      const va = keyed[i]!.get(a.rid)?.[desc ? 1 : 0];
      const vb = keyed[i]!.get(b.rid)?.[desc ? 1 : 0];
      if (va === vb) continue;
      if (va === undefined) return 1;
      if (vb === undefined) return -1;
      const c = va < vb ? -1 : 1;
      return desc ? -c : c;
    }
    return position.get(a.rid)! - position.get(b.rid)!;
  });
}

export async function executeSearch(sql: Sql, store: RecordStore, parsed: ParsedSearch, planned: readonly PlannedCriterion[], opts: ExecuteOptions): Promise<SearchOutcome> {
  const limits = opts.limits ?? DEFAULT_SEARCH_LIMITS;
  if (opts.offset > limits.maxOffset) throw invalid(`_offset may be at most ${limits.maxOffset}; narrow the search instead of paging that deep`);
  const type = parsed.resourceType;
  const q = await buildQuery(sql, type, planned, limits.estimateCap);
  if (q === 'empty') return { hits: [], total: 0 };
  const confirms = planned.map((p) => p.confirm).filter((c) => c !== undefined);
  const memorySort = parsed.sort.some(isEncryptedSort);
  const sqlSort = memorySort ? [] : parsed.sort;
  const rangeSort = sqlSort.some((k) => k.param.code !== '_id' && k.param.code !== '_lastUpdated');
  const order = orderOf(sqlSort);

  if (confirms.length > 0 || memorySort) {
    // Bounded: the candidates, in SQL order, decrypted (to confirm) or with their sort keys.
    const bound = limits.confirmCandidates;
    const rows = await sql.all<{ rid: number; id: string }>(`SELECT c.rid AS rid, c.id AS id FROM ${q.from} WHERE ${q.where} ORDER BY ${order.sql} LIMIT ?`, [...q.params, ...order.params, bound + 1]);
    if (rows.length > bound) throw tooCostly(confirms.length > 0 ? `decrypt and check` : 'sort by an encrypted key', bound);
    let hits: SearchHit[] = rows.map((r) => ({ rid: Number(r.rid), type, id: r.id }));
    if (confirms.length > 0) {
      const checked: SearchHit[] = [];
      for (const h of hits) {
        const resource = await store.read(type, h.id, sql);
        if (confirms.every((c) => criterionMatches(c, resource))) checked.push({ ...h, resource });
      }
      hits = checked;
    }
    if (memorySort && hits.length > 1) hits = await sortInMemory(sql, store, parsed.sort, hits);
    return { hits: opts.countOnly ? [] : hits.slice(opts.offset, opts.offset + opts.count), total: hits.length };
  }

  if (rangeSort && q.estimate >= limits.estimateCap) {
    const n = await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${q.from} WHERE ${q.where} LIMIT ?) x`, [...q.params, limits.sortCandidates + 1]);
    if (Number(n?.n ?? 0) > limits.sortCandidates) throw tooCostly('sort', limits.sortCandidates);
  }
  // The total: counted when asked for, or when it is cheap (the driver is small, or a count capped
  // at the estimate cap finds fewer); otherwise left out (Bundle.total is optional; next links still page).
  let total: number | undefined;
  if (opts.countOnly || parsed.total === 'accurate' || (parsed.total !== 'none' && q.estimate < limits.estimateCap)) {
    total = Number((await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${q.from} WHERE ${q.where}`, q.params))?.n ?? 0);
  } else if (parsed.total !== 'none') {
    const n = Number((await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${q.from} WHERE ${q.where} LIMIT ?) x`, [...q.params, limits.estimateCap + 1]))?.n ?? 0);
    if (n <= limits.estimateCap) total = n;
  }
  if (opts.countOnly) return { hits: [], total };
  if (total !== undefined && opts.offset >= total) return { hits: [], total };
  const rows = await sql.all<{ rid: number; id: string }>(`SELECT c.rid AS rid, c.id AS id FROM ${q.from} WHERE ${q.where} ORDER BY ${order.sql} LIMIT ? OFFSET ?`, [
    ...q.params,
    ...order.params,
    opts.count,
    opts.offset,
  ]);
  return { hits: rows.map((r) => ({ rid: Number(r.rid), type, id: r.id })), ...(total === undefined ? {} : { total }) };
}
