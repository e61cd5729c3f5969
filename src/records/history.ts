/**
 * Type- and system-level `_history` (R4 http.html#history): every version, newest first (by record-log
 * position, which is commit order), optionally since an instant, paged.
 */
import type { Sql } from '../storage/engine.ts';
import { toVersionRow, type VersionRow } from './store.ts';

export interface HistoryPage {
  rows: VersionRow[];
  /** Whether another page follows (no total: counting a whole log is not worth it). */
  more: boolean;
}

export async function historyPage(sql: Sql, page: { type?: string; since?: string; count: number; offset: number }): Promise<HistoryPage> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (page.type !== undefined) {
    where.push('type = ?');
    params.push(page.type);
  }
  if (page.since !== undefined) {
    where.push('last_updated >= ?');
    params.push(page.since);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const rows = await sql.all<VersionRow>(`SELECT * FROM record_versions ${clause} ORDER BY leaf_index DESC LIMIT ? OFFSET ?`, [...params, page.count + 1, page.offset]);
  return { rows: rows.slice(0, page.count).map(toVersionRow), more: rows.length > page.count };
}
