/**
 * Outcome-switching check types. A trial pre-specifies its outcomes in a registry entry or
 * protocol (ICH E9 §2.2.2, SPIRIT 2013 item 12, ClinicalTrials.gov "Outcome Measures": title,
 * description of the measure, time frame, primary or secondary); its report lists the outcomes it
 * reports. CONSORT 2010 item 6b asks that any change to pre-specified outcomes be declared with
 * reasons; COMPare (Goldacre et al., Trials 2019;20:118) counted the undeclared ones.
 */

export type OutcomeKind = 'primary' | 'secondary';

/** An outcome as pre-specified in a registry entry or protocol version. */
export interface RegisteredOutcome {
  /** The registry's id for the outcome, if it has one (reported outcomes may cite it). */
  id?: string;
  /** What is measured, e.g. "Change in HbA1c". */
  name: string;
  /** How: the metric or instrument and unit, e.g. "HbA1c (%), mean change from baseline". */
  measure: string;
  /** When, e.g. "12 weeks". */
  timeFrame: string;
  kind: OutcomeKind;
}

/** One registered version of a trial's protocol and its outcomes. */
export interface ProtocolVersion {
  version: string;
  /** When this version took effect (ISO date). */
  effectiveDate: string;
  outcomes: readonly RegisteredOutcome[];
}

/** An outcome as reported in the results. */
export interface ReportedOutcome {
  name: string;
  measure: string;
  timeFrame: string;
  kind: OutcomeKind;
  /** The id of the registered outcome this reports, when the report says so explicitly. */
  registeredId?: string;
  /** Declared in the report as not pre-specified, with the reason (CONSORT 6b): then an `added` finding is informational. */
  declaredAsNew?: { reason: string };
}

export type FindingKind = 'omitted' | 'added' | 'measure-changed' | 'time-frame-changed' | 'primary-to-secondary' | 'secondary-to-primary';

/** `major`: a primary outcome is affected or an outcome changed rank; `minor`: secondary only; `info`: declared, not a switch. */
export type Severity = 'major' | 'minor' | 'info';

export type OutcomeField = 'name' | 'measure' | 'timeFrame' | 'kind';

export interface FieldDifference {
  field: OutcomeField;
  registered: string;
  reported: string;
  /** For text fields: the normalised words found on one side only. */
  onlyRegistered?: string[];
  onlyReported?: string[];
}

export interface OutcomeFinding {
  kind: FindingKind;
  severity: Severity;
  message: string;
  evidence: {
    registered?: RegisteredOutcome;
    reported?: ReportedOutcome;
    /** How the pair was matched: the report cited the registered id, or the names are equal after normalisation. */
    matchedBy?: 'id' | 'name';
    /** The fields that differ (for changes). */
    differences: FieldDifference[];
    /**
     * For `omitted`/`added`: outcomes on the other side with similar names, for a human to judge.
     * They were NOT matched automatically (see match-outcomes.ts).
     */
    similar?: { name: string; similarity: number }[];
    /** For a declared new outcome, the reason given. */
    declaredReason?: string;
  };
}
