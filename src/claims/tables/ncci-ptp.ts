/**
 * Parser and index for the CMS NCCI procedure-to-procedure (PTP) edit files.
 *
 * Layout (Medicare NCCI PTP Edits page, practitioner `ccipra-vNNNrN-fN.txt` and outpatient hospital
 * `ccioph-…` files; Medicaid NCCI Technical Guidance Manual, publication formats): tab-delimited
 * text, a copyright/disclaimer preamble, a header row whose first cells are `Column 1`, `Column 2`,
 * header continuation rows (`*=no data`, `0=not allowed`, `1=allowed`, `9=not applicable`), then one
 * edit per row with seven columns:
 *
 *   1. Column 1 code  2. Column 2 code  3. `*=in existence prior to 1996` (`*` or blank)
 *   4. Effective Date `YYYYMMDD`  5. Deletion Date `YYYYMMDD`, or `*` (no data: still in force)
 *   6. Modifier: 0 = not allowed, 1 = allowed, 9 = not applicable  7. PTP Edit Rationale
 *
 * A CSV export of the `.xlsx` with the same columns is read too. See `src/claims/tables/README.md`.
 *
 * The full practitioner table has over a million rows in four files, so the parser is line-at-a-time
 * (`PtpParser.push`): an importer can stream a file through `readline` without holding its text.
 */
import { invalid } from '../../shared/errors.ts';
import { detectDelimiter, headerKey, readRows, type Delimiter } from './delimited.ts';
import type { IsoDate, ParsedTable, PtpEdit, PtpModifierIndicator, PtpSetting, RejectedRow, TableSource } from './types.ts';

/** HCPCS Level I (CPT, including Category II/III) and Level II codes are five characters. */
const CODE = /^[A-Z0-9]{5}$/;
const HEADER_SEARCH_LINES = 60;

export interface PtpParseOptions {
  /** Throw on the first malformed data row (default) or collect it in `rejected`. */
  strict?: boolean;
  delimiter?: Delimiter;
}

/** `YYYYMMDD` → `YYYY-MM-DD`, or null if it is not a real calendar date. */
export function cmsDate(s: string): IsoDate | null {
  if (!/^\d{8}$/.test(s)) return null;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(4, 6));
  const d = Number(s.slice(6, 8));
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** The setting and version a CMS file name carries (`ccipra-v313r0-f1.txt` → practitioner, v313r0). */
export function ptpFileInfo(name: string): { setting: PtpSetting; version: string } | null {
  const m = /cci(pra|oph)-v(\d+r\d+)/i.exec(name);
  if (!m) return null;
  return { setting: m[1]!.toLowerCase() === 'oph' ? 'outpatient-hospital' : 'practitioner', version: `v${m[2]!.toLowerCase()}` };
}

/** Parses one PTP file line by line. Call `push` for each line, then `finish`. */
export class PtpParser {
  readonly rows: PtpEdit[] = [];
  readonly rejected: RejectedRow[] = [];
  private headerSeen = false;
  private readonly strict: boolean;

  constructor(
    readonly source: TableSource,
    private readonly options: PtpParseOptions = {},
  ) {
    this.strict = options.strict ?? true;
  }

  /** One row's cells (already split) at 1-based `line`. */
  pushCells(cells: readonly string[], line: number): void {
    if (!this.headerSeen) {
      if (headerKey(cells[0] ?? '') === 'column1' && headerKey(cells[1] ?? '') === 'column2') this.headerSeen = true;
      else if (line > HEADER_SEARCH_LINES) this.fail(line, 'no "Column 1 / Column 2" header row in the first 60 lines');
      return;
    }
    const c1 = (cells[0] ?? '').toUpperCase();
    if (c1 === '') return; // header continuation rows and blank lines
    const edit = this.toEdit(cells, line);
    if (edit) this.rows.push(edit);
  }

  /** One raw text line at 1-based `line`. */
  push(text: string, line: number): void {
    if (text.trim() === '') return;
    const delimiter = this.options.delimiter ?? (text.includes('\t') ? '\t' : ',');
    const cells = delimiter === '\t' ? text.split('\t').map((c) => c.trim()) : splitCsvLine(text);
    this.pushCells(cells, line);
  }

  finish(): ParsedTable<PtpEdit> {
    if (!this.headerSeen) this.fail(0, 'no "Column 1 / Column 2" header row');
    return { rows: this.rows, rejected: this.rejected, source: this.source };
  }

  private toEdit(cells: readonly string[], line: number): PtpEdit | null {
    const [c1raw = '', c2raw = '', prior = '', eff = '', del = '', mod = '', ...rest] = cells;
    const column1 = c1raw.toUpperCase();
    const column2 = c2raw.toUpperCase();
    if (!CODE.test(column1)) return this.reject(line, `column 1 code "${c1raw}" is not a 5-character HCPCS/CPT code`);
    if (!CODE.test(column2)) return this.reject(line, `column 2 code "${c2raw}" is not a 5-character HCPCS/CPT code`);
    if (prior !== '' && prior !== '*') return this.reject(line, `"in existence prior to 1996" is "${prior}", expected "*" or blank`);
    const effective = cmsDate(eff);
    if (!effective) return this.reject(line, `effective date "${eff}" is not a YYYYMMDD date`);
    let deletion: IsoDate | null = null;
    if (del !== '*' && del !== '') {
      deletion = cmsDate(del);
      if (!deletion) return this.reject(line, `deletion date "${del}" is not a YYYYMMDD date or "*"`);
      if (deletion < effective) return this.reject(line, `deletion date ${deletion} is before effective date ${effective}`);
    }
    if (mod !== '0' && mod !== '1' && mod !== '9') return this.reject(line, `modifier indicator "${mod}" is not 0, 1 or 9`);
    return {
      column1,
      column2,
      priorTo1996: prior === '*',
      effective,
      deletion,
      modifierIndicator: Number(mod) as PtpModifierIndicator,
      rationale: rest.join(' ').trim(),
      source: this.source,
      line,
    };
  }

  private reject(line: number, reason: string): null {
    if (this.strict) this.fail(line, reason);
    this.rejected.push({ line, reason });
    return null;
  }

  private fail(line: number, reason: string): never {
    throw invalid(`${this.source.name}${line > 0 ? ` line ${line}` : ''}: ${reason}`);
  }
}

/** Minimal CSV split for one line (quoted cells, doubled quotes); PTP CSV exports have no multi-line cells. */
function splitCsvLine(text: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  out.push(cell.trim());
  return out;
}

/** Parses a whole PTP file's text. */
export function parsePtpFile(text: string, source: TableSource, options: PtpParseOptions = {}): ParsedTable<PtpEdit> {
  const parser = new PtpParser(source, options);
  const delimiter = options.delimiter ?? detectDelimiter(text);
  for (const row of readRows(text, delimiter)) parser.pushCells(row.cells, row.line);
  return parser.finish();
}

/**
 * PTP edits indexed by column 1 then column 2. A pair can have several rows (an edit deleted and
 * added again later), so each pair keeps all of its rows; `activeEdit` picks the one in force.
 */
export class PtpIndex {
  private readonly byColumn1 = new Map<string, Map<string, PtpEdit[]>>();
  private readonly codes = new Set<string>();
  private count = 0;

  constructor(
    readonly setting: PtpSetting,
    edits: Iterable<PtpEdit> = [],
  ) {
    for (const e of edits) this.add(e);
  }

  add(edit: PtpEdit): void {
    let inner = this.byColumn1.get(edit.column1);
    if (!inner) this.byColumn1.set(edit.column1, (inner = new Map()));
    const list = inner.get(edit.column2);
    if (list) list.push(edit);
    else inner.set(edit.column2, [edit]);
    this.codes.add(edit.column1).add(edit.column2);
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** True if `code` is in either column of any edit (a fast skip for codes with no edits). */
  hasCode(code: string): boolean {
    return this.codes.has(code);
  }

  /** All rows for the pair, in file order. */
  edits(column1: string, column2: string): readonly PtpEdit[] {
    return this.byColumn1.get(column1)?.get(column2) ?? EMPTY;
  }

  /**
   * The edit for the pair in force on `date`: effective on or before it and not yet deleted. The
   * deletion date is read as the first date the edit no longer applies (an edit deleted on the day
   * it took effect never applied, which is how CMS's indicator 9 rows look).
   */
  activeEdit(column1: string, column2: string, date: IsoDate): PtpEdit | undefined {
    const list = this.byColumn1.get(column1)?.get(column2);
    if (!list) return undefined;
    for (const e of list) if (e.effective <= date && (e.deletion === null || date < e.deletion)) return e;
    return undefined;
  }
}

const EMPTY: readonly PtpEdit[] = Object.freeze([]);
