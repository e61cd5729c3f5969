/**
 * A synchronous, in-memory `ClaimFacts` for tests, the benchmark and demos: claims indexed by
 * member+provider, member and provider+day; licence histories; exclusions; deaths; demographics;
 * inpatient stays; encounter proofs; E/M profiles. The real facts (registry, ledger, record logs)
 * are the claim-flow engineer's; this one documents by example what each lookup must answer.
 */
import { buildClaimTables, type ClaimTables } from '../tables/claim-tables.ts';
import { dayNumber, fromDayNumber } from './dates.ts';
import type {
  ClaimFacts,
  DateRange,
  DeathRecord,
  Demographics,
  EmProfile,
  EncounterProof,
  Exclusion,
  InpatientStay,
  IsoDate,
  LicenceStatus,
  NormalizedClaim,
} from './types.ts';

export interface InMemoryFactsInit {
  tables?: ClaimTables;
  claims?: Iterable<NormalizedClaim>;
  encounters?: Iterable<{ provider: string; patient: string; date: IsoDate; proof: EncounterProof }>;
  /** Licence history per provider key (any order); a provider with no history is not licensable (null). */
  licences?: Iterable<{ provider: string; status: LicenceStatus }>;
  exclusions?: Iterable<{ npi: string; exclusion: Exclusion }>;
  deaths?: Iterable<{ patient: string; death: DeathRecord }>;
  demographics?: Iterable<{ patient: string; demographics: Demographics }>;
  inpatientStays?: Iterable<{ patient: string; stay: InpatientStay }>;
  emProfiles?: Iterable<{ provider: string; profile: EmProfile }>;
}

const SEP = '\u0000';
/** Longest line a claim is indexed under per day (longer periods are indexed by their first 31 days). */
const MAX_INDEX_DAYS = 31;
const NONE: readonly NormalizedClaim[] = Object.freeze([]);

const overlaps = (c: NormalizedClaim, r: DateRange) => c.serviceRange.from <= r.to && c.serviceRange.to >= r.from;

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export class InMemoryClaimFacts implements ClaimFacts {
  readonly tables: ClaimTables;
  private readonly byMemberProvider = new Map<string, NormalizedClaim[]>();
  private readonly byMember = new Map<string, NormalizedClaim[]>();
  private readonly byProviderDay = new Map<string, NormalizedClaim[]>();
  private readonly encounters = new Map<string, EncounterProof>();
  private readonly licences = new Map<string, LicenceStatus[]>();
  private readonly exclusions = new Map<string, Exclusion[]>();
  private readonly deaths = new Map<string, DeathRecord>();
  private readonly demographicsByPatient = new Map<string, Demographics>();
  private readonly stays = new Map<string, InpatientStay[]>();
  private readonly emProfiles = new Map<string, EmProfile>();

  constructor(init: InMemoryFactsInit = {}) {
    this.tables = init.tables ?? buildClaimTables();
    for (const c of init.claims ?? []) this.addClaim(c);
    for (const e of init.encounters ?? []) this.encounters.set(e.provider + SEP + e.patient + SEP + e.date, e.proof);
    for (const l of init.licences ?? []) push(this.licences, l.provider, l.status);
    for (const list of this.licences.values()) list.sort((a, b) => (a.since ?? '').localeCompare(b.since ?? ''));
    for (const x of init.exclusions ?? []) push(this.exclusions, x.npi, x.exclusion);
    for (const d of init.deaths ?? []) this.deaths.set(d.patient, d.death);
    for (const d of init.demographics ?? []) this.demographicsByPatient.set(d.patient, d.demographics);
    for (const s of init.inpatientStays ?? []) push(this.stays, s.patient, s.stay);
    for (const p of init.emProfiles ?? []) this.emProfiles.set(p.provider, p.profile);
  }

  /** Adds a claim to the indexes (as the registry would once it is accepted). */
  addClaim(c: NormalizedClaim): void {
    push(this.byMemberProvider, c.patient.key + SEP + c.provider.key, c);
    push(this.byMember, c.patient.key, c);
    const keys = new Set<string>();
    for (const l of c.lines) {
      const first = dayNumber(l.serviceDate);
      const last = Math.min(dayNumber(l.serviceEnd), first + MAX_INDEX_DAYS - 1);
      for (let d = first; d <= last; d++) {
        const date = fromDayNumber(d);
        keys.add(c.provider.key + SEP + date);
        if (l.performer) keys.add(l.performer.key + SEP + date);
      }
    }
    for (const k of keys) push(this.byProviderDay, k, c);
  }

  priorClaims(member: string, provider: string, range: DateRange): readonly NormalizedClaim[] {
    const list = this.byMemberProvider.get(member + SEP + provider);
    return list ? list.filter((c) => overlaps(c, range)) : NONE;
  }

  memberClaims(member: string, range: DateRange): readonly NormalizedClaim[] {
    const list = this.byMember.get(member);
    return list ? list.filter((c) => overlaps(c, range)) : NONE;
  }

  providerClaimsOnDay(provider: string, date: IsoDate): readonly NormalizedClaim[] {
    return this.byProviderDay.get(provider + SEP + date) ?? NONE;
  }

  encounterProof(provider: string, patient: string, date: IsoDate): EncounterProof | null {
    return this.encounters.get(provider + SEP + patient + SEP + date) ?? null;
  }

  /** The latest status that began on or before `date`; `none` before the first; null with no history. */
  licenceStatusAt(provider: string, date: IsoDate): LicenceStatus | null {
    const history = this.licences.get(provider);
    if (!history || history.length === 0) return null;
    let current: LicenceStatus | undefined;
    for (const s of history) if (s.since !== null && s.since <= date) current = s;
    return current ?? { status: 'none', since: null, sourceBlock: history[0]!.sourceBlock };
  }

  exclusionAt(npi: string, date: IsoDate): Exclusion | null {
    for (const x of this.exclusions.get(npi) ?? []) if (x.since <= date && (x.reinstated == null || date < x.reinstated)) return x;
    return null;
  }

  deathDate(patient: string): DeathRecord | null {
    return this.deaths.get(patient) ?? null;
  }

  demographics(patient: string): Demographics | null {
    return this.demographicsByPatient.get(patient) ?? null;
  }

  inpatientStays(patient: string, range: DateRange): readonly InpatientStay[] {
    return (this.stays.get(patient) ?? []).filter((s) => s.admit <= range.to && (s.discharge === null || s.discharge >= range.from));
  }

  emLevelCounts(provider: string): EmProfile | null {
    return this.emProfiles.get(provider) ?? null;
  }
}
