/**
 * The reference tables the claim rules read: CMS NCCI procedure-to-procedure (PTP) edits, CMS
 * Medically Unlikely Edits (MUE), and three small Carechain tables (minutes per timed code,
 * age/sex-restricted codes, frequency limits). Each row remembers the file and line it came from, so
 * a flag can cite the exact table row that triggered it.
 *
 * Dates are ISO `YYYY-MM-DD` strings: they compare correctly as strings, so a lookup by date of
 * service allocates nothing.
 */

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

/** Where a table came from: the file name and, when known, the CMS version (e.g. `v313r0`). */
export interface TableSource {
  /** File name (e.g. `ccipra-v313r0-f1.txt`) or another label. */
  readonly name: string;
  /** Version or quarter, when the file name or the caller says it. */
  readonly version?: string;
  /** True for the synthetic tables shipped for tests and the demo: not CMS's data. */
  readonly synthetic?: boolean;
}

/** CMS publishes separate PTP tables for practitioners and for outpatient hospital services. */
export type PtpSetting = 'practitioner' | 'outpatient-hospital';

/**
 * NCCI PTP modifier indicator: 0 = no modifier bypasses the edit, 1 = an NCCI PTP-associated modifier
 * may bypass it when the clinical circumstances justify it, 9 = not applicable (edit deleted
 * retroactively; never applied).
 */
export type PtpModifierIndicator = 0 | 1 | 9;

/** One row of a CMS NCCI PTP edit file (seven columns, see `src/claims/tables/README.md`). */
export interface PtpEdit {
  /** Column 1: the comprehensive code, eligible for payment. */
  readonly column1: string;
  /** Column 2: the component code, denied with column 1 unless a modifier is allowed and reported. */
  readonly column2: string;
  /** `*=in existence prior to 1996`. */
  readonly priorTo1996: boolean;
  readonly effective: IsoDate;
  /** `*=no data` in the file: the edit is still in force. */
  readonly deletion: IsoDate | null;
  readonly modifierIndicator: PtpModifierIndicator;
  readonly rationale: string;
  readonly source: TableSource;
  /** 1-based line number in the source file. */
  readonly line: number;
}

/** CMS publishes MUE tables for practitioner, outpatient hospital and DME supplier services. */
export type MueSetting = 'practitioner' | 'outpatient-hospital' | 'dme';

/**
 * MUE Adjudication Indicator: 1 = claim line edit, 2 = date of service edit (policy: absolute),
 * 3 = date of service edit (clinical: exceptions rare, documentation required).
 */
export type MueAdjudicationIndicator = 1 | 2 | 3;

/** One row of a CMS MUE table (four columns). */
export interface MueEdit {
  readonly code: string;
  /** Maximum units of service per line (MAI 1) or per beneficiary per date of service (MAI 2, 3). */
  readonly value: number;
  readonly mai: MueAdjudicationIndicator;
  /** The indicator cell as published, e.g. `2 Date of Service Edit: Policy`. */
  readonly maiText: string;
  readonly rationale: string;
  readonly setting: MueSetting;
  readonly source: TableSource;
  readonly line: number;
}

/** Minutes of provider time one unit of a timed code takes (Carechain table, synthetic values). */
export interface TimedCode {
  readonly code: string;
  readonly minutes: number;
  /** How the minutes were chosen, e.g. `minimum-per-unit` or `typical`. */
  readonly basis: string;
  readonly source: TableSource;
  readonly line: number;
}

/** Which code system an age/sex restriction is about. */
export type RestrictedCodeSystem = 'cpt-hcpcs' | 'icd-10-cm';

/** A code restricted to one sex and/or an age range in whole years, both bounds inclusive. */
export interface AgeSexRestriction {
  readonly system: RestrictedCodeSystem;
  readonly code: string;
  readonly sex: 'female' | 'male' | null;
  readonly minAge: number | null;
  readonly maxAge: number | null;
  readonly source: TableSource;
  readonly line: number;
}

/** The window a frequency limit counts over. */
export type FrequencyPeriod =
  | { readonly kind: 'days'; readonly days: number } // rolling window ending on the date of service
  | { readonly kind: 'calendar-year' }
  | { readonly kind: 'lifetime' };

/** At most `maxUnits` units of `code` per member per period, across all providers. */
export interface FrequencyLimit {
  readonly code: string;
  readonly maxUnits: number;
  readonly period: FrequencyPeriod;
  readonly source: TableSource;
  readonly line: number;
}

/** A problem with one line of a table file; returned (lenient) or thrown (strict) by the parsers. */
export interface RejectedRow {
  readonly line: number;
  readonly reason: string;
}

/** What a table parser returns. */
export interface ParsedTable<T> {
  readonly rows: T[];
  readonly rejected: RejectedRow[];
  readonly source: TableSource;
}
