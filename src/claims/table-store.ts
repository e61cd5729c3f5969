/**
 * The node's claim-editing tables: the synthetic ones shipped with Carechain, replaced per setting by
 * the NCCI PTP and MUE files the operator imports in CMS's published layouts (`carechain claims
 * import-ncci`, `import-mue`, like the LEIE import). Imported files are kept as sent under
 * `<dataDir>/claims-tables/` and read again at start.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { invalid } from '../shared/errors.ts';
import { buildClaimTables, SYNTHETIC_DATA_DIR, type ClaimTables, type TableRows } from './tables/claim-tables.ts';
import { parseMueFile } from './tables/mue.ts';
import { parsePtpFile, ptpFileInfo } from './tables/ncci-ptp.ts';
import { parseAgeSex } from './tables/age-sex.ts';
import { parseFrequencyLimits } from './tables/frequency-limits.ts';
import { parseTimedCodes } from './tables/timed-codes.ts';
import type { MueEdit, MueSetting, PtpEdit, PtpSetting } from './tables/types.ts';

export interface ImportResult {
  kind: 'ncci-ptp' | 'mue';
  setting: string;
  file: string;
  rows: number;
  rejected: number;
}

export class ClaimTableStore {
  private readonly ptp: Partial<Record<PtpSetting, PtpEdit[]>> = {};
  private readonly mue: Partial<Record<MueSetting, MueEdit[]>> = {};
  private readonly fixed: Omit<TableRows, 'ptp' | 'mue'>;
  private built: ClaimTables | undefined;

  constructor(private readonly dir: string | undefined) {
    const read = (name: string) => readFileSync(join(SYNTHETIC_DATA_DIR, name), 'utf8');
    const src = (name: string) => ({ name, version: 'synthetic', synthetic: true });
    this.ptp.practitioner = parsePtpFile(read('ptp-practitioner.synthetic.txt'), src('ptp-practitioner.synthetic.txt')).rows;
    const mue = parseMueFile(read('mue-practitioner.synthetic.csv'), src('mue-practitioner.synthetic.csv'));
    this.mue[mue.setting] = mue.rows;
    this.fixed = {
      timedCodes: parseTimedCodes(read('timed-codes.synthetic.tsv'), src('timed-codes.synthetic.tsv')).rows,
      ageSex: parseAgeSex(read('age-sex.synthetic.tsv'), src('age-sex.synthetic.tsv')).rows,
      frequency: parseFrequencyLimits(read('frequency-limits.synthetic.tsv'), src('frequency-limits.synthetic.tsv')).rows,
    };
    if (dir && existsSync(dir)) {
      for (const f of readdirSync(dir).sort()) {
        const kind = f.startsWith('mue.') ? 'mue' : f.startsWith('ncci-ptp.') ? 'ncci-ptp' : undefined;
        if (kind) this.apply(kind, f.slice(kind.length + 1), readFileSync(join(dir, f), 'utf8'));
      }
    }
  }

  tables(): ClaimTables {
    return (this.built ??= buildClaimTables({ ptp: this.ptp, mue: this.mue, ...this.fixed }));
  }

  /** Parses a CMS file (rejecting it whole on a malformed row), replaces that setting's table and keeps the file. */
  import(kind: 'ncci-ptp' | 'mue', fileName: string, text: string): ImportResult {
    const name = basename(fileName);
    const result = this.apply(kind, name, text);
    if (this.dir) {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(join(this.dir, `${kind}.${name}`), text);
    }
    return result;
  }

  private apply(kind: 'ncci-ptp' | 'mue', name: string, text: string): ImportResult {
    this.built = undefined;
    if (kind === 'mue') {
      const t = parseMueFile(text, { name, version: name });
      this.mue[t.setting] = t.rows;
      return { kind, setting: t.setting, file: name, rows: t.rows.length, rejected: t.rejected.length };
    }
    const info = ptpFileInfo(name);
    if (!info) throw invalid(`${name}: an NCCI PTP file is named as CMS names it (ccipra-v…, ccioph-v…), which says its setting`);
    const t = parsePtpFile(text, { name, version: info.version });
    this.ptp[info.setting] = t.rows;
    return { kind, setting: info.setting, file: name, rows: t.rows.length, rejected: t.rejected.length };
  }
}
