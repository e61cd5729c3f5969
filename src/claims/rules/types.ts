/**
 * The claim-rule API. A rule reads one `NormalizedClaim` and whatever else it needs through
 * `ClaimFacts` (lookups the engine provides: prior claims, anchored encounter proofs, licence and
 * exclusion status, reference tables, …) and returns `Flag`s. Rules hold no state and do no I/O of
 * their own, so each can be tested with an in-memory `ClaimFacts`.
 *
 * Identity: rules pass the claim's `patient.key` and provider `key`s (see `normalize.ts`) to the
 * facts; the facts implementation maps them to the ledger's identities.
 */
import type { ClaimTables } from '../tables/claim-tables.ts';
import type { IsoDate } from '../tables/types.ts';

export type { IsoDate } from '../tables/types.ts';

/** A value or a promise of it: facts may answer from memory (sync) or from storage/chain (async). */
export type MaybePromise<T> = T | Promise<T>;

/** Both bounds inclusive. */
export interface DateRange {
  readonly from: IsoDate;
  readonly to: IsoDate;
}

// ─── Normalized claim ────────────────────────────────────────────────────────────────────────────

/** An identifier as FHIR writes it. */
export interface Identifier {
  readonly system?: string;
  readonly value: string;
}

/** A party (patient, provider, insurer) a claim refers to. */
export interface PartyRef {
  /**
   * Stable key for facts lookups: the resolved reference (`Practitioner/123`, `urn:uuid:…`), else
   * `system|value` of the identifier, else the display text.
   */
  readonly key: string;
  readonly reference?: string;
  readonly identifier?: Identifier;
  /** The referenced resource type when known (`Practitioner`, `Organization`, `Patient`, …). */
  readonly resourceType?: string;
  readonly display?: string;
}

/** A provider, with its NPI when the claim or the resolved resource carries one. */
export interface ProviderRef extends PartyRef {
  readonly npi?: string;
}

/** A member of the claim's care team. */
export interface CareTeamMember {
  readonly sequence: number;
  readonly provider: ProviderRef;
  /** Claim.careTeam.role code (`primary`, `assist`, `supervisor`, `other`, or a CARIN role). */
  readonly role?: string;
}

/** Where a line's date of service came from, most specific first. */
export type ServiceDateSource = 'servicedDate' | 'servicedPeriod' | 'billablePeriod' | 'created';

/** What kind of code a line carries, from its coding system. */
export type CodeKind = 'cpt' | 'hcpcs' | 'snomed' | 'cvx' | 'rxnorm' | 'ndc' | 'other';

export interface ClaimLine {
  readonly sequence: number;
  /** productOrService code, upper case (the CPT/HCPCS coding when the line has one). */
  readonly code: string;
  readonly system?: string;
  readonly codeKind: CodeKind;
  /** Modifier codes, upper case, in claim order. */
  readonly modifiers: readonly string[];
  /** Units of service (Claim.item.quantity.value; 1 when absent). */
  readonly quantity: number;
  /** First (or only) date of service. */
  readonly serviceDate: IsoDate;
  /** Last date of service (= serviceDate for a single day). */
  readonly serviceEnd: IsoDate;
  readonly dateSource: ServiceDateSource;
  /** Place of service code (locationCodeableConcept), e.g. CMS POS `11`. */
  readonly placeOfService?: string;
  /** Claim.item.diagnosisSequence. */
  readonly diagnosisSequences: readonly number[];
  /** Rendering provider from careTeamSequence (first member), when the claim has a care team. */
  readonly performer?: ProviderRef;
  /** Claim.item.encounter references. */
  readonly encounters: readonly string[];
  /** Claim.item.net.value. */
  readonly net?: number;
}

export interface ClaimDiagnosis {
  readonly sequence: number;
  /** Code, upper case, as written (ICD-10-CM may carry a dot). */
  readonly code?: string;
  readonly system?: string;
  /** diagnosisReference (e.g. a Condition), when the code was given by reference. */
  readonly reference?: string;
  /** Claim.diagnosis.type codes (`principal`, `admitting`, …). */
  readonly types: readonly string[];
}

export interface Money {
  readonly value: number;
  readonly currency?: string;
}

/** The parts of a FHIR R4 Claim the rules read, in one flat, checked shape. */
export interface NormalizedClaim {
  /** Claim.id, else the first identifier value. */
  readonly id: string;
  readonly identifiers: readonly Identifier[];
  readonly status?: string;
  readonly use?: string;
  /** Claim.type code: `professional`, `institutional`, `oral`, `vision`, `pharmacy`. */
  readonly type?: string;
  /** Claim.subType code (for institutional claims, often the type of bill, e.g. `831`). */
  readonly subType?: string;
  readonly patient: PartyRef;
  /** Claim.provider: the billing provider. */
  readonly provider: ProviderRef;
  readonly careTeam: readonly CareTeamMember[];
  readonly insurer?: PartyRef;
  readonly created: IsoDate;
  readonly billablePeriod?: DateRange;
  readonly lines: readonly ClaimLine[];
  readonly diagnoses: readonly ClaimDiagnosis[];
  readonly total?: Money;
  /** Earliest and latest date of service over the lines (created date when there are none). */
  readonly serviceRange: DateRange;
}

// ─── Facts ───────────────────────────────────────────────────────────────────────────────────────

/**
 * Proof that an Encounter for the patient at the provider on the date is in a record log whose root
 * is anchored on chain. It carries references only: the insurer checks inclusion and anchoring
 * without seeing the record's contents.
 */
export interface EncounterProof {
  /** Record-log id (e.g. the AnchorRegistry log id, hex). */
  readonly logId: string;
  readonly leafIndex: number;
  /** Hash of the log leaf (not the record). */
  readonly leafHash: string;
  readonly treeSize: number;
  /** Inclusion-proof path, hex hashes (RFC 6962). */
  readonly path?: readonly string[];
  /** The anchored root the proof verifies against, and where it was anchored. */
  readonly anchor: { readonly root: string; readonly blockNumber: number; readonly txHash?: string };
}

/** Licence statuses as the credentials ledger records them, plus `none` (no licence on record). */
export type LicenceState = 'active' | 'suspended' | 'revoked' | 'expired' | 'none';

export interface LicenceStatus {
  readonly status: LicenceState;
  /** Since when this status holds (null for `none` when no date is known). */
  readonly since: IsoDate | null;
  /** Block of the ledger event that set it. */
  readonly sourceBlock: number;
  readonly credentialId?: string;
  readonly jurisdiction?: string;
}

/** An exclusion (e.g. an OIG LEIE row) in force on a date. */
export interface Exclusion {
  /** `LEIE` or another list. */
  readonly list: string;
  /** Exclusion type (LEIE EXCLTYPE, e.g. `1128a1`). */
  readonly type?: string;
  readonly since: IsoDate;
  readonly reinstated?: IsoDate | null;
  /** The list's edition or a ledger block the facts read it from. */
  readonly source?: string;
}

export interface DeathRecord {
  readonly date: IsoDate;
  /** Where the date comes from (e.g. `Patient.deceasedDateTime` proof reference, a registry). */
  readonly source?: string;
}

export interface Demographics {
  readonly birthDate?: IsoDate;
  /** FHIR administrative gender. */
  readonly gender?: 'male' | 'female' | 'other' | 'unknown';
}

export interface InpatientStay {
  /** Encounter or claim id of the stay. */
  readonly id: string;
  /** Billing facility key. */
  readonly facility: string;
  readonly admit: IsoDate;
  /** Discharge date; null while still admitted. */
  readonly discharge: IsoDate | null;
  /** The institutional claim that bills the stay, if known (it is not flagged against itself). */
  readonly claimId?: string;
}

/** E/M visit counts by code. */
export type EmCounts = Readonly<Record<string, number>>;

/** A provider's E/M code counts and those of its peer group, over some period. */
export interface EmProfile {
  readonly provider: EmCounts;
  /** One entry per peer provider (same specialty/region as the facts define it). */
  readonly peers: readonly EmCounts[];
  readonly period: DateRange;
  /** Peer group label, for the explanation (e.g. `family medicine, MA`). */
  readonly peerGroup?: string;
}

/**
 * Everything rules may know beyond the claim. Claim lookups return claims already on the registry;
 * they may include the claim being checked (rules skip claims with its id). Facts decide which claim
 * statuses count (cancelled or entered-in-error claims should be left out).
 */
export interface ClaimFacts {
  readonly tables: ClaimTables;
  /** Claims of `member` billed by `provider` with any date of service in `range`. */
  priorClaims(member: string, provider: string, range: DateRange): MaybePromise<readonly NormalizedClaim[]>;
  /** Claims of `member` at any provider with any date of service in `range` (frequency limits). */
  memberClaims(member: string, range: DateRange): MaybePromise<readonly NormalizedClaim[]>;
  /** Claims on `date` in which `provider` bills or performs a line (impossible day). */
  providerClaimsOnDay(provider: string, date: IsoDate): MaybePromise<readonly NormalizedClaim[]>;
  /** Proof of an anchored Encounter of `patient` at `provider` on `date`, or null if there is none. */
  encounterProof(provider: string, patient: string, date: IsoDate): MaybePromise<EncounterProof | null>;
  /**
   * The provider's licence status on `date`; null when licensing does not apply to it or the
   * facts cannot tell (an organization, an unknown key): the rule then says nothing.
   */
  licenceStatusAt(provider: string, date: IsoDate): MaybePromise<LicenceStatus | null>;
  /** An exclusion of the NPI in force on `date`, or null. */
  exclusionAt(npi: string, date: IsoDate): MaybePromise<Exclusion | null>;
  deathDate(patient: string): MaybePromise<DeathRecord | null>;
  demographics(patient: string): MaybePromise<Demographics | null>;
  /** Inpatient stays of the patient overlapping `range`. */
  inpatientStays(patient: string, range: DateRange): MaybePromise<readonly InpatientStay[]>;
  /** The provider's and its peers' E/M level counts for the period around `date`, or null. */
  emLevelCounts(provider: string, date: IsoDate): MaybePromise<EmProfile | null>;
}

// ─── Flags and rules ─────────────────────────────────────────────────────────────────────────────

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** A table row cited as evidence. */
export interface TableRowRef {
  /** `ncci-ptp`, `mue`, `timed-codes`, `age-sex`, `frequency`. */
  readonly table: string;
  /** File name and version. */
  readonly source: string;
  readonly line: number;
  readonly synthetic?: boolean;
  /** The row's values that mattered. */
  readonly row: Readonly<Record<string, string | number | boolean | null>>;
}

/** A reference to an on-chain fact or proof cited as evidence. */
export interface ProofRef {
  readonly kind: 'encounter-inclusion' | 'licence-status' | 'exclusion' | 'death' | 'inpatient-stay' | 'other';
  readonly ref: string;
  readonly block?: number;
}

/** Structured evidence: what triggered the flag, and for negative findings what was looked for. */
export interface Evidence {
  /** Sequences of the claim's lines involved. */
  readonly lines?: readonly number[];
  readonly dates?: readonly IsoDate[];
  readonly codes?: readonly string[];
  /** Other claims involved. */
  readonly claims?: readonly string[];
  readonly proofs?: readonly ProofRef[];
  readonly tableRows?: readonly TableRowRef[];
  /** Anything else, flat: numbers behind a statistic, the query that found nothing, … */
  readonly details?: Readonly<Record<string, string | number | boolean | null | readonly (string | number)[]>>;
}

export interface Flag {
  /** The rule's id. */
  readonly rule: string;
  readonly severity: Severity;
  /** How strongly this points at an improper claim, 0..1. */
  readonly score: number;
  /** One sentence a person can read, naming the evidence. */
  readonly explanation: string;
  readonly evidence: Evidence;
}

export interface Rule {
  /** Stable kebab-case id (used in flags, `enabled` lists and configuration). */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  evaluate(claim: NormalizedClaim, facts: ClaimFacts): MaybePromise<readonly Flag[]>;
}
