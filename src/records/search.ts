/**
 * FHIR search over the index: `_id`, `_lastUpdated`, `patient`/`subject`, `code`, `date`, with
 * `_count` (capped) and `_offset` paging. Unknown parameters are an error (strict handling), so a
 * typo never silently widens a search.
 */
import type { Db } from '../db/database.ts';
import { invalid } from '../fhir/outcome.ts';
import { dateRange, typeHasParam, type SupportedType } from './search-params.ts';
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

/** SQL condition for a date prefix against a stored [low, high) column pair. */
function dateCondition(prefix: string, col: { low: string; high: string }): string {
  switch (prefix) {
    case 'eq': return `(${col.low} >= @lo AND ${col.high} <= @hi)`;
    case 'ne': return `NOT (${col.low} >= @lo AND ${col.high} <= @hi)`;
    case 'gt': case 'sa': return `${col.high} > @hi`;
    case 'ge': return `${col.high} > @lo`;
    case 'lt': case 'eb': return `${col.low} < @lo`;
    case 'le': return `${col.low} < @hi`;
    default: throw invalid(`unknown date prefix ${prefix}`);
  }
}

export function search(db: Db, store: RecordStore, type: SupportedType, params: URLSearchParams): SearchQuery {
  const where = ['c.type = @type', 'c.deleted = 0', 'c.erased = 0'];
  const bind: Record<string, unknown> = { type };
  let n = 0;
  let count = DEFAULT_COUNT;
  let offset = 0;
  for (const [name, value] of params) {
    const p = `p${n++}`;
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
      case '_id':
        where.push(`c.id IN (SELECT value FROM json_each(@${p}))`);
        bind[p] = JSON.stringify(value.split(','));
        break;
      case '_lastUpdated': {
        const d = parseDateParam(name, value);
        where.push(dateCondition(d.prefix, { low: 'c.last_updated_ms', high: 'c.last_updated_ms + 1' }).replaceAll('@lo', `@${p}lo`).replaceAll('@hi', `@${p}hi`));
        bind[`${p}lo`] = d.low;
        bind[`${p}hi`] = d.high;
        break;
      }
      case 'patient':
      case 'subject': {
        if (!typeHasParam(type, 'patient') || type === 'Patient') throw invalid(`${type} has no search parameter "${name}"`);
        const ids = value.split(',').map((v) => /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(v)?.[1]);
        if (ids.some((i) => !i)) throw invalid(`${name}: "${value}" is not a Patient reference`);
        where.push(`c.patient_token IN (SELECT value FROM json_each(@${p}))`);
        bind[p] = JSON.stringify(ids.map((i) => store.patientToken(i!)));
        break;
      }
      case 'code': {
        if (!typeHasParam(type, 'code')) throw invalid(`${type} has no search parameter "code"`);
        where.push(`EXISTS (SELECT 1 FROM record_search s WHERE s.type = c.type AND s.id = c.id AND s.param = 'code' AND s.token IN (SELECT value FROM json_each(@${p})))`);
        bind[p] = JSON.stringify(value.split(',').map((v) => store.token('code', v.startsWith('|') ? v.slice(1) : v)));
        break;
      }
      case 'date':
      case 'birthdate': {
        if (!typeHasParam(type, 'date') || (name === 'birthdate') !== (type === 'Patient')) throw invalid(`${type} has no search parameter "${name}"`);
        const d = parseDateParam(name, value);
        const cond = dateCondition(d.prefix, { low: 's.low', high: 's.high' }).replaceAll('@lo', `@${p}lo`).replaceAll('@hi', `@${p}hi`);
        where.push(`EXISTS (SELECT 1 FROM record_search s WHERE s.type = c.type AND s.id = c.id AND s.param = 'date' AND ${cond})`);
        bind[`${p}lo`] = d.low;
        bind[`${p}hi`] = d.high;
        break;
      }
      default:
        throw invalid(`unknown search parameter "${name}" for ${type} (supported: _id, _lastUpdated, patient, code, date, _count, _offset)`);
    }
  }
  const sqlWhere = where.join(' AND ');
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM record_current c WHERE ${sqlWhere}`).get(bind) as { n: number }).n;
  const ids = db
    .prepare(`SELECT c.type, c.id FROM record_current c WHERE ${sqlWhere} ORDER BY c.last_updated_ms, c.id LIMIT @count OFFSET @offset`)
    .all({ ...bind, count, offset }) as { type: string; id: string }[];
  return { ids, total, count, offset };
}

/** Current, live resources of a patient's compartment (for `$everything`). */
export function compartment(db: Db, store: RecordStore, patientId: string): { type: string; id: string }[] {
  return db
    .prepare(`SELECT type, id FROM record_current WHERE patient_token = ? AND deleted = 0 AND erased = 0 ORDER BY type = 'Patient' DESC, last_updated_ms`)
    .all(store.patientToken(patientId)) as { type: string; id: string }[];
}
