/**
 * Writes and removes one resource's search-index rows inside the write transaction: blinded tokens
 * (`search_token`), numeric ranges (`search_range`), AES-GCM-encrypted sort keys (`search_sort`)
 * and its Patient compartments (`record_compartment`). Rows are keyed by the resource's `rid` (an
 * integer assigned once per resource by the store), so they are small and an update replaces them
 * by one indexed delete per table. The record store owns these tables; see docs/search-privacy.md
 * for what each holds.
 */
import type { BlindIndex } from '../../crypto/blind-index.ts';
import { open, seal } from '../../crypto/envelope.ts';
import type { Sql, SqlValue, Tx } from '../../storage/engine.ts';
import { indexEntries, type Blind, type IndexEntries } from './entries.ts';

/** Rows per multi-row INSERT (one prepared statement per size, so the statement cache stays small). */
const CHUNK = 32;

function valuesSql(table: string, columns: string[], rows: number): string {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
}

async function insertRows(tx: Tx, table: string, columns: string[], rows: SqlValue[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    await tx.run(valuesSql(table, columns, chunk.length), chunk.flat());
  }
}

const sortAad = (rid: number, param: string) => Buffer.from(`carechain:sort:${rid}:${param}`);

export class SearchIndexWriter {
  private readonly sortKey: Buffer;
  readonly blind: Blind;

  constructor(readonly index: BlindIndex) {
    this.sortKey = index.subkey('search-sort-key/v1');
    this.blind = (namespace, [kind, value]) => index.searchToken(namespace, kind, value);
  }

  /** The entries a resource would get (for tests and the privacy check). */
  entries(resource: Record<string, unknown>): IndexEntries {
    return indexEntries(resource, this.blind);
  }

  async write(tx: Tx, rid: number, resource: Record<string, unknown>, patientTokens: readonly string[]): Promise<void> {
    const e = indexEntries(resource, this.blind);
    await insertRows(tx, 'search_token', ['token', 'rid'], e.tokens.map((t) => [t, rid]));
    await insertRows(tx, 'search_range', ['rid', 'param', 'lo', 'hi', 'tag'], e.ranges.map((r) => [rid, r.param, r.low, r.high, r.tag]));
    await insertRows(
      tx,
      'search_sort',
      ['rid', 'param', 'sort_key'],
      e.sorts.map((s) => [rid, s.param, seal(this.sortKey, Buffer.from(JSON.stringify([s.min, s.max])), sortAad(rid, s.param))]),
    );
    await insertRows(tx, 'record_compartment', ['patient_token', 'rid'], [...new Set(patientTokens)].map((p) => [p, rid]));
  }

  async remove(tx: Tx, rid: number): Promise<void> {
    await tx.run('DELETE FROM search_token WHERE rid = ?', [rid]);
    await tx.run('DELETE FROM search_range WHERE rid = ?', [rid]);
    await tx.run('DELETE FROM search_sort WHERE rid = ?', [rid]);
    await tx.run('DELETE FROM record_compartment WHERE rid = ?', [rid]);
  }

  /** Decrypted sort keys (`[min, max]`) of `param` for the candidates `rids` (a bounded set). */
  async sortKeys(sql: Sql, param: string, rids: readonly number[]): Promise<Map<number, [string, string]>> {
    const out = new Map<number, [string, string]>();
    for (let i = 0; i < rids.length; i += 500) {
      const chunk = rids.slice(i, i + 500);
      const rows = await sql.all<{ rid: number; sort_key: Buffer }>(
        `SELECT rid, sort_key FROM search_sort WHERE param = ? AND rid IN (${chunk.map(() => '?').join(', ')})`,
        [param, ...chunk],
      );
      for (const r of rows) out.set(Number(r.rid), JSON.parse(open(this.sortKey, r.sort_key, sortAad(Number(r.rid), param), 'sort key').toString('utf8')) as [string, string]);
    }
    return out;
  }
}
