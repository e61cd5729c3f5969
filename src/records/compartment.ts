/**
 * A patient's compartment (R4 Patient CompartmentDefinition): every live resource that refers to the
 * patient through one of the definition's parameters, found by the patient's token in
 * `record_compartment` (written with each version by the search index). `$everything` pages it;
 * the exchange reads it whole.
 */
import type { Sql } from '../storage/engine.ts';
import type { RecordStore } from './store.ts';

export interface CompartmentRef {
  type: string;
  id: string;
}

const LIVE = 'c.rid = m.rid AND c.deleted = 0 AND c.erased = 0';
/** The Patient first, then the rest in the order they were first stored. */
const ORDER = "CASE WHEN c.type = 'Patient' THEN 0 ELSE 1 END, c.rid";

/** Current, live resources of a patient's compartment, the Patient first. */
export async function compartment(sql: Sql, store: RecordStore, patientId: string): Promise<CompartmentRef[]> {
  return sql.all<CompartmentRef>(`SELECT c.type AS type, c.id AS id FROM record_compartment m CROSS JOIN record_current c WHERE m.patient_token = ? AND ${LIVE} ORDER BY ${ORDER}`, [
    store.patientToken(patientId),
  ]);
}

/** One page of a patient's compartment (`_count`, `_offset`), changed since `sinceMs` if given, and its total. */
export async function compartmentPage(
  sql: Sql,
  store: RecordStore,
  patientId: string,
  page: { count: number; offset: number; sinceMs?: number; types?: readonly string[] },
): Promise<{ refs: CompartmentRef[]; total: number }> {
  const where = [`m.patient_token = ?`, LIVE];
  const params: (string | number)[] = [store.patientToken(patientId)];
  if (page.sinceMs !== undefined) {
    where.push('c.last_updated_ms >= ?');
    params.push(page.sinceMs);
  }
  if (page.types?.length) {
    where.push(`c.type IN (${page.types.map(() => '?').join(', ')})`);
    params.push(...page.types);
  }
  const from = `record_compartment m CROSS JOIN record_current c WHERE ${where.join(' AND ')}`;
  const total = Number((await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${from}`, params))?.n ?? 0);
  const refs = await sql.all<CompartmentRef>(`SELECT c.type AS type, c.id AS id FROM ${from} ORDER BY ${ORDER} LIMIT ? OFFSET ?`, [...params, page.count, page.offset]);
  return { refs, total };
}
