/**
 * Parser and index for the CMS Medically Unlikely Edit (MUE) tables.
 *
 * Layout (Medicare NCCI Medically Unlikely Edits page; MUE file format since the July 2014 update,
 * MLN SE1422): a CSV (or tab-delimited text) with a copyright/disclaimer preamble, then a header row
 * and one code per row with four columns:
 *
 *   1. HCPCS/CPT Code
 *   2. Practitioner Services MUE Values | Outpatient Hospital Services MUE Values |
 *      DME Supplier Services MUE Values (the header names the setting)
 *   3. MUE Adjudication Indicator: `1 Line Edit`, `2 Date of Service Edit: Policy`,
 *      `3 Date of Service Edit: Clinical`
 *   4. MUE Rationale
 *
 * Columns are found by header name, so a file whose columns are reordered still parses.
 */
import { invalid } from '../../shared/errors.ts';
import { headerKey, readRows, type Delimiter } from './delimited.ts';
import type { MueAdjudicationIndicator, MueEdit, MueSetting, ParsedTable, RejectedRow, TableSource } from './types.ts';

const CODE = /^[A-Z0-9]{5}$/;
const HEADER_SEARCH_ROWS = 60;

export interface MueParseOptions {
  strict?: boolean;
  delimiter?: Delimiter;
  /** The setting, if the header does not name it. */
  setting?: MueSetting;
}

/** The setting a "… Services MUE Values" header names. */
export function mueSettingOf(header: string): MueSetting | null {
  const k = headerKey(header);
  if (k.includes('practitioner')) return 'practitioner';
  if (k.includes('outpatienthospital') || k.includes('facility')) return 'outpatient-hospital';
  if (k.includes('dme')) return 'dme';
  return null;
}

export function parseMueFile(text: string, source: TableSource, options: MueParseOptions = {}): ParsedTable<MueEdit> & { setting: MueSetting } {
  const strict = options.strict ?? true;
  const rows = readRows(text, options.delimiter);
  const rejected: RejectedRow[] = [];
  const fail = (line: number, reason: string): never => {
    throw invalid(`${source.name}${line > 0 ? ` line ${line}` : ''}: ${reason}`);
  };

  const headerAt = rows.slice(0, HEADER_SEARCH_ROWS).findIndex((r) => headerKey(r.cells[0] ?? '') === 'hcpcs/cptcode');
  if (headerAt < 0) fail(0, 'no "HCPCS/CPT Code" header row in the first 60 rows');
  const header = rows[headerAt]!.cells;
  const col = (test: (k: string) => boolean, fallback: number) => {
    const i = header.findIndex((c) => test(headerKey(c)));
    return i >= 0 ? i : fallback;
  };
  const valueCol = col((k) => k.includes('muevalue'), 1);
  const maiCol = col((k) => k.includes('adjudicationindicator'), 2);
  const rationaleCol = col((k) => k.includes('rationale'), 3);
  const setting = options.setting ?? mueSettingOf(header[valueCol] ?? '');
  if (!setting) fail(rows[headerAt]!.line, `cannot tell the setting from header "${header[valueCol]}"; pass options.setting`);

  const out: MueEdit[] = [];
  const reject = (line: number, reason: string) => {
    if (strict) fail(line, reason);
    rejected.push({ line, reason });
  };
  for (let i = headerAt + 1; i < rows.length; i++) {
    const { cells, line } = rows[i]!;
    const raw = cells[0] ?? '';
    const code = raw.toUpperCase();
    if (code === '') continue;
    if (!CODE.test(code)) {
      reject(line, `code "${raw}" is not a 5-character HCPCS/CPT code`);
      continue;
    }
    const valueText = cells[valueCol] ?? '';
    if (!/^\d+$/.test(valueText)) {
      reject(line, `MUE value "${valueText}" for ${code} is not a whole number`);
      continue;
    }
    const maiText = cells[maiCol] ?? '';
    const mai = Number(maiText.charAt(0));
    if (mai !== 1 && mai !== 2 && mai !== 3) {
      reject(line, `MUE adjudication indicator "${maiText}" for ${code} does not start with 1, 2 or 3`);
      continue;
    }
    out.push({
      code,
      value: Number(valueText),
      mai: mai as MueAdjudicationIndicator,
      maiText,
      rationale: cells[rationaleCol] ?? '',
      setting: setting!,
      source,
      line,
    });
  }
  return { rows: out, rejected, source, setting: setting! };
}

/** MUE rows by code. A code listed twice keeps the later row (CMS lists each code once). */
export class MueIndex {
  private readonly byCode = new Map<string, MueEdit>();

  constructor(
    readonly setting: MueSetting,
    edits: Iterable<MueEdit> = [],
  ) {
    for (const e of edits) this.byCode.set(e.code, e);
  }

  get size(): number {
    return this.byCode.size;
  }

  get(code: string): MueEdit | undefined {
    return this.byCode.get(code);
  }
}
