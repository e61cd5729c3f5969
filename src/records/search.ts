/**
 * FHIR search over the index: `_id`, `_lastUpdated`, `patient`/`subject`, `code`, `date`, with
 * `_count` (capped) and `_offset` paging. Unknown parameters are an error (strict handling), so a
 * typo never silently widens a search.
 */
import { dateRange, typeHasParam, type SupportedType } from '../fhir/search-params.ts';
import { invalid } from '../shared/errors.ts';
import type { Sql } from '../storage/engine.ts';
import type { RecordStore } from './store.ts';

export const MAX_COUNT = 1000;
export const DEFAULT_COUNT = 50;

export interface SearchQuery {
  ids: { type: string; id: string }[];
  total: number;
  count: number;
  offset: number;
}

const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'] as const;

function parseDateParam(name: string, raw: string): { prefix: string; low: number; high: number } {
  const m = /^(eq|ne|gt|lt|ge|le|sa|eb)?(.+)$/.exec(raw)!;
  const prefix = m[1] ?? 'eq';
  const range = dateRange(m[2]!);
  if (!range) throw invalid(`${name}: "${raw}" is not a FHIR date (prefix ${PREFIXES.join('|')} then YYYY[-MM[-DD[Thh:mm[:ss][Z]]]])`);
  return { prefix, low: range[0], high: range[1] };
}

/** SQL condition (and its parameters) for a date prefix against a stored [low, high) column pair. */
function dateCondition(prefix: string, col: { low: string; high: string }, lo: number, hi: number): [string, number[]] {
  switch (prefix) {
    case 'eq': return [`(${col.low} >= ? AND ${col.high} <= ?)`, [lo, hi]];
    case 'ne': return [`NOT (${col.low} >= ? AND ${col.high} <= ?)`, [lo, hi]];
    case 'gt': case 'sa': return [`${col.high} > ?`, [hi]];
    case 'ge': return [`${col.high} > ?`, [lo]];
    case 'lt': case 'eb': return [`${col.low} < ?`, [lo]];
    case 'le': return [`${col.low} < ?`, [hi]];
    default: throw invalid(`unknown date prefix ${prefix}`);
  }
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export async function search(sql: Sql, store: RecordStore, type: SupportedType, params: URLSearchParams): Promise<SearchQuery> {
  const where = ['c.type = ?', 'c.deleted = 0', 'c.erased = 0'];
  const bind: (string | number)[] = [type];
  let count = DEFAULT_COUNT;
  let offset = 0;
  for (const [name, value] of params) {
    switch (name) {
      case '_count': {
        const c = Number(value);
        if (!Number.isInteger(c) || c < 0) throw invalid(`_count must be a non-negative integer, got "${value}"`);
        count = Math.min(c, MAX_COUNT);
        break;
      }
      case '_offset': {
        const o = Number(value);
        if (!Number.isInteger(o) || o < 0 || o > 1_000_000) throw invalid(`_offset must be an integer 0..1000000, got "${value}"`);
        offset = o;
        break;
      }
      case '_id': {
        const ids = value.split(',');
        where.push(`c.id IN (${placeholders(ids.length)})`);
        bind.push(...ids);
        break;
      }
      case '_lastUpdated': {
        const d = parseDateParam(name, value);
        const [cond, args] = dateCondition(d.prefix, { low: 'c.last_updated_ms', high: 'c.last_updated_ms + 1' }, d.low, d.high);
        where.push(cond);
        bind.push(...args);
        break;
      }
      case 'patient':
      case 'subject': {
        if (!typeHasParam(type, 'patient') || type === 'Patient') throw invalid(`${type} has no search parameter "${name}"`);
        const ids = value.split(',').map((v) => /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(v)?.[1]);
        if (ids.some((i) => !i)) throw invalid(`${name}: "${value}" is not a Patient reference`);
        where.push(`c.patient_token IN (${placeholders(ids.length)})`);
        bind.push(...ids.map((i) => store.patientToken(i!)));
        break;
      }
      case 'code': {
        if (!typeHasParam(type, 'code')) throw invalid(`${type} has no search parameter "code"`);
        const tokens = value.split(',').map((v) => store.token('code', v.startsWith('|') ? v.slice(1) : v));
        where.push(`EXISTS (SELECT 1 FROM record_search s WHERE s.type = c.type AND s.id = c.id AND s.param = 'code' AND s.token IN (${placeholders(tokens.length)}))`);
        bind.push(...tokens);
        break;
      }
      case 'date':
      case 'birthdate': {
        if (!typeHasParam(type, 'date') || (name === 'birthdate') !== (type === 'Patient')) throw invalid(`${type} has no search parameter "${name}"`);
        const d = parseDateParam(name, value);
        const [cond, args] = dateCondition(d.prefix, { low: 's.low', high: 's.high' }, d.low, d.high);
        where.push(`EXISTS (SELECT 1 FROM record_search s WHERE s.type = c.type AND s.id = c.id AND s.param = 'date' AND ${cond})`);
        bind.push(...args);
        break;
      }
      default:
        throw invalid(`unknown search parameter "${name}" for ${type} (supported: ${supportedParams(type).join(', ')})`);
    }
  }
  const sqlWhere = where.join(' AND ');
  const total = Number((await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM record_current c WHERE ${sqlWhere}`, bind))?.n ?? 0);
  const ids = await sql.all<{ type: string; id: string }>(`SELECT c.type, c.id FROM record_current c WHERE ${sqlWhere} ORDER BY c.last_updated_ms, c.id LIMIT ? OFFSET ?`, [
    ...bind,
    count,
    offset,
  ]);
  return { ids, total, count, offset };
}

/** The search parameters a type supports, for error messages. */
export function supportedParams(type: SupportedType): string[] {
  const own = type === 'Patient' ? ['birthdate'] : ['patient', 'subject', 'code', 'date'].filter((p) => typeHasParam(type, p === 'subject' ? 'patient' : (p as 'patient' | 'code' | 'date')));
  return ['_count', '_id', '_lastUpdated', '_offset', ...own].sort();
}

/** Current, live resources of a patient's compartment (for `$everything`). */
export async function compartment(sql: Sql, store: RecordStore, patientId: string): Promise<{ type: string; id: string }[]> {
  return sql.all<{ type: string; id: string }>(
    `SELECT type, id FROM record_current WHERE patient_token = ? AND deleted = 0 AND erased = 0 ORDER BY type = 'Patient' DESC, last_updated_ms`,
    [store.patientToken(patientId)],
  );
}
