/**
 * Frequency limits per member, for the frequency rule. Columns: `code`, `max_units`, `period`:
 * `days:N` (a rolling window of N days ending on the date of service), `calendar-year` or `lifetime`.
 * Carechain's own format; the shipped table is synthetic (see data/README.md).
 */
import { readSimpleTsv, rejecter, wholeNumber } from './simple-tsv.ts';
import type { FrequencyLimit, FrequencyPeriod, ParsedTable, RejectedRow, TableSource } from './types.ts';

export function parsePeriod(text: string): FrequencyPeriod | null {
  if (text === 'calendar-year') return { kind: 'calendar-year' };
  if (text === 'lifetime') return { kind: 'lifetime' };
  const m = /^days:(\d+)$/.exec(text);
  if (m && Number(m[1]) > 0) return { kind: 'days', days: Number(m[1]) };
  return null;
}

export function describePeriod(p: FrequencyPeriod): string {
  return p.kind === 'days' ? `${p.days} days` : p.kind === 'calendar-year' ? 'calendar year' : 'lifetime';
}

export function parseFrequencyLimits(text: string, source: TableSource, strict = true): ParsedTable<FrequencyLimit> {
  const rejected: RejectedRow[] = [];
  const reject = rejecter(source, strict, rejected);
  const rows: FrequencyLimit[] = [];
  for (const r of readSimpleTsv(text, source, ['code', 'max_units', 'period'])) {
    const code = r.get('code').toUpperCase();
    const maxUnits = wholeNumber(r.get('max_units'));
    const period = parsePeriod(r.get('period'));
    if (!/^[A-Z0-9]{5}$/.test(code)) reject(r.line, `code "${r.get('code')}" is not a 5-character HCPCS/CPT code`);
    else if (maxUnits === null || maxUnits === 0) reject(r.line, `max_units "${r.get('max_units')}" for ${code} is not a positive whole number`);
    else if (!period) reject(r.line, `period "${r.get('period')}" for ${code} is not days:N, calendar-year or lifetime`);
    else rows.push({ code, maxUnits, period, source, line: r.line });
  }
  return { rows, rejected, source };
}

export const indexFrequencyLimits = (rows: Iterable<FrequencyLimit>): ReadonlyMap<string, FrequencyLimit> => new Map([...rows].map((r) => [r.code, r]));
