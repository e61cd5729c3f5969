/**
 * Carechain's own small tables (timed codes, age/sex restrictions, frequency limits) are
 * tab-separated text: `#` comment lines, one header row naming the columns, then data rows. Columns
 * are found by header name, so they can be reordered or extended.
 */
import { invalid } from '../../shared/errors.ts';
import type { RejectedRow, TableSource } from './types.ts';

export interface SimpleRow {
  readonly line: number;
  /** Cell by lower-case header name ('' if the row is short). */
  get(column: string): string;
}

/** Rows of a Carechain TSV table; throws if a required column is missing from the header. */
export function readSimpleTsv(text: string, source: TableSource, required: readonly string[]): SimpleRow[] {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
  let header: string[] | null = null;
  let index = new Map<string, number>();
  const out: SimpleRow[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const cells = raw.split('\t').map((c) => c.trim());
    if (!header) {
      header = cells.map((c) => c.toLowerCase());
      const missing = required.filter((r) => !header!.includes(r));
      if (missing.length) throw invalid(`${source.name} line ${i + 1}: header lacks column(s) ${missing.join(', ')} (has ${header.join(', ')})`);
      index = new Map(header.map((h, j) => [h, j] as const));
      continue;
    }
    out.push({ line: i + 1, get: (column) => cells[index.get(column) ?? -1] ?? '' });
  }
  if (!header) throw invalid(`${source.name}: no header row`);
  return out;
}

/** Collects a row problem, or throws it in strict mode. */
export function rejecter(source: TableSource, strict: boolean, rejected: RejectedRow[]) {
  return (line: number, reason: string): null => {
    if (strict) throw invalid(`${source.name} line ${line}: ${reason}`);
    rejected.push({ line, reason });
    return null;
  };
}

/** A non-negative whole number, or null. */
export function wholeNumber(s: string): number | null {
  return /^\d+$/.test(s) ? Number(s) : null;
}
