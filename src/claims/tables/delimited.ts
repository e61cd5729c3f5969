/**
 * Rows of a delimited text file with their 1-based line numbers. CMS ships the NCCI PTP tables as
 * tab-delimited text and the MUE tables as CSV (with an `.xlsx` beside each); both open with a
 * copyright/disclaimer preamble before the header row. Tab-delimited text is split by hand (CMS
 * does not quote it); CSV goes through `csv-parse`, which handles quoted cells, embedded commas and
 * quoted newlines in the preamble.
 */
import { parse } from 'csv-parse/sync';

export interface TextRow {
  /** 1-based line number where the row starts. */
  readonly line: number;
  /** Cells, trimmed. */
  readonly cells: readonly string[];
}

export type Delimiter = '\t' | ',';

/** Tab if the text has a tab in its first 64 KiB, else comma. */
export function detectDelimiter(text: string): Delimiter {
  const head = text.length > 65_536 ? text.slice(0, 65_536) : text;
  return head.includes('\t') ? '\t' : ',';
}

/** All non-blank rows of `text`, in order. */
export function readRows(text: string, delimiter: Delimiter = detectDelimiter(text)): TextRow[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (delimiter === '\t') {
    const out: TextRow[] = [];
    const lines = body.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      if (raw.trim() === '') continue;
      out.push({ line: i + 1, cells: raw.split('\t').map(unquote) });
    }
    return out;
  }
  const records = parse(body, {
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
  }) as { record: string[]; info: { lines: number } }[];
  // info.lines is the line a record ends on: the start line for every one-line record (a quoted
  // multi-line preamble cell is reported at its last line).
  const out: TextRow[] = [];
  for (const { record, info } of records) {
    const cells = record.map((c) => c.trim());
    if (cells.every((c) => c === '')) continue;
    out.push({ line: info.lines, cells });
  }
  return out;
}

/** Cells of tab-delimited exports are sometimes wrapped in quotes by spreadsheet tools. */
function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"').trim() : t;
}

/** A cell normalised for header matching: lower case, without spaces. */
export const headerKey = (cell: string): string => cell.toLowerCase().replace(/\s+/g, '');
