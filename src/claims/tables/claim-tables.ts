/**
 * All reference tables the claim rules read, indexed in Maps once at load so a rule's lookup is a
 * Map get. The engine's `ClaimFacts.tables` carries one of these.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexAgeSex, parseAgeSex, type AgeSexIndex } from './age-sex.ts';
import { indexFrequencyLimits, parseFrequencyLimits } from './frequency-limits.ts';
import { MueIndex, parseMueFile } from './mue.ts';
import { parsePtpFile, PtpIndex } from './ncci-ptp.ts';
import { indexTimedCodes, parseTimedCodes } from './timed-codes.ts';
import type { AgeSexRestriction, FrequencyLimit, MueEdit, MueSetting, PtpEdit, PtpSetting, TimedCode } from './types.ts';

export interface ClaimTables {
  /** NCCI PTP edits per setting; a setting without a table is not PTP-checked. */
  readonly ptp: Partial<Record<PtpSetting, PtpIndex>>;
  /** MUE tables per setting; a setting without a table is not MUE-checked. */
  readonly mue: Partial<Record<MueSetting, MueIndex>>;
  readonly timedCodes: ReadonlyMap<string, TimedCode>;
  readonly ageSex: AgeSexIndex;
  readonly frequency: ReadonlyMap<string, FrequencyLimit>;
}

export interface TableRows {
  ptp?: Partial<Record<PtpSetting, Iterable<PtpEdit>>>;
  mue?: Partial<Record<MueSetting, Iterable<MueEdit>>>;
  timedCodes?: Iterable<TimedCode>;
  ageSex?: Iterable<AgeSexRestriction>;
  frequency?: Iterable<FrequencyLimit>;
}

/** Indexes parsed rows. Tables left out are empty: their rules find nothing to check. */
export function buildClaimTables(rows: TableRows = {}): ClaimTables {
  const ptp: Partial<Record<PtpSetting, PtpIndex>> = {};
  for (const [setting, edits] of Object.entries(rows.ptp ?? {}) as [PtpSetting, Iterable<PtpEdit>][]) ptp[setting] = new PtpIndex(setting, edits);
  const mue: Partial<Record<MueSetting, MueIndex>> = {};
  for (const [setting, edits] of Object.entries(rows.mue ?? {}) as [MueSetting, Iterable<MueEdit>][]) mue[setting] = new MueIndex(setting, edits);
  return {
    ptp,
    mue,
    timedCodes: indexTimedCodes(rows.timedCodes ?? []),
    ageSex: indexAgeSex(rows.ageSex ?? []),
    frequency: indexFrequencyLimits(rows.frequency ?? []),
  };
}

/** Where the synthetic tables live (`src/claims/tables/data/`). */
export const SYNTHETIC_DATA_DIR = join(import.meta.dirname, 'data');

/**
 * The synthetic tables shipped for tests and the demo (practitioner PTP and MUE, timed codes,
 * age/sex, frequency). Invented values in CMS's layouts: never use them to adjudicate real claims.
 */
export function loadSyntheticTables(dir = SYNTHETIC_DATA_DIR): ClaimTables {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  const src = (name: string) => ({ name, version: 'synthetic', synthetic: true });
  const ptp = parsePtpFile(read('ptp-practitioner.synthetic.txt'), src('ptp-practitioner.synthetic.txt'));
  const mue = parseMueFile(read('mue-practitioner.synthetic.csv'), src('mue-practitioner.synthetic.csv'));
  return buildClaimTables({
    ptp: { practitioner: ptp.rows },
    mue: { [mue.setting]: mue.rows },
    timedCodes: parseTimedCodes(read('timed-codes.synthetic.tsv'), src('timed-codes.synthetic.tsv')).rows,
    ageSex: parseAgeSex(read('age-sex.synthetic.tsv'), src('age-sex.synthetic.tsv')).rows,
    frequency: parseFrequencyLimits(read('frequency-limits.synthetic.tsv'), src('frequency-limits.synthetic.tsv')).rows,
  });
}
