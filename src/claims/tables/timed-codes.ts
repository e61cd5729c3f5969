/**
 * Minutes per unit of timed HCPCS/CPT codes, for the impossible-day rule. Columns: `code`,
 * `minutes`, `basis`. Carechain's own format; the shipped table is synthetic (see data/README.md).
 */
import { readSimpleTsv, rejecter, wholeNumber } from './simple-tsv.ts';
import type { ParsedTable, RejectedRow, TableSource, TimedCode } from './types.ts';

export function parseTimedCodes(text: string, source: TableSource, strict = true): ParsedTable<TimedCode> {
  const rejected: RejectedRow[] = [];
  const reject = rejecter(source, strict, rejected);
  const rows: TimedCode[] = [];
  for (const r of readSimpleTsv(text, source, ['code', 'minutes'])) {
    const code = r.get('code').toUpperCase();
    const minutes = wholeNumber(r.get('minutes'));
    if (!/^[A-Z0-9]{5}$/.test(code)) reject(r.line, `code "${r.get('code')}" is not a 5-character HCPCS/CPT code`);
    else if (minutes === null || minutes === 0) reject(r.line, `minutes "${r.get('minutes')}" for ${code} is not a positive whole number`);
    else rows.push({ code, minutes, basis: r.get('basis'), source, line: r.line });
  }
  return { rows, rejected, source };
}

/** Timed codes by code. */
export const indexTimedCodes = (rows: Iterable<TimedCode>): ReadonlyMap<string, TimedCode> => new Map([...rows].map((r) => [r.code, r]));
