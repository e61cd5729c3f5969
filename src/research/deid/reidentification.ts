/**
 * A linkage attack on a de-identified export, to measure what Safe Harbor leaves: the released
 * Patients are joined, on the quasi-identifiers they still carry (ZIP3, birth year or "90+",
 * gender, year of death), to an identified population (a voter roll in Sweeney's classic attack;
 * here, e.g., the original Patients) generalised the same way. A released record whose
 * quasi-identifiers match exactly one person of the population (an equivalence class of size
 * k = 1) is re-identified if that person is in the population.
 *
 * The baseline is the same attack had the raw quasi-identifiers been released: full ZIP code, full
 * birth date, gender and date of death, each population record joined to the population.
 *
 * Missing values are a value of their own ("?"), not a wildcard.
 */
import { invalid } from '../../shared/errors.ts';
import { AGE_CATEGORY_FLOOR, yearOf } from './dates.ts';
import { BIRTH_YEAR_ON_OR_BEFORE_URL, type FhirResource } from './deidentify.ts';
import { safeHarborZip } from './zip3.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How identifiable one set of released records is against a population. */
export interface AttackOutcome {
  quasiIdentifiers: readonly string[];
  /** Released records attacked. */
  records: number;
  /** Identified people the attacker joins against. */
  population: number;
  /** Released records matching exactly one person (k = 1): re-identified. */
  uniqueMatches: number;
  uniqueFraction: number;
  /** Released records matching nobody (k = 0). */
  noMatch: number;
  /** Smallest and median k over released records that match someone. */
  minK: number;
  medianK: number;
  /** How many released records fall in equivalence classes of each size k (ascending k). */
  classSizes: { k: number; records: number }[];
  /** The same, bucketed. */
  buckets: Record<'0' | '1' | '2' | '3-4' | '5-9' | '10-19' | '20+', number>;
}

export interface ReidentificationReport {
  /** The attack on the de-identified Patients, on ZIP3, birth year (or 90+), gender and year of death. */
  deidentified: AttackOutcome;
  /** The attack had the raw values been released: ZIP, birth date, gender, date of death. */
  baseline: AttackOutcome;
}

const SAFE_HARBOR_QIS = ['zip3', 'birthYear', 'gender', 'deceasedYear'] as const;
const RAW_QIS = ['zip', 'birthDate', 'gender', 'deceasedDate'] as const;

/** All Patients in `resources`, including Bundle entries and contained resources. */
export function patientsIn(resources: readonly unknown[]): Json[] {
  const out: Json[] = [];
  const visit = (r: unknown) => {
    if (!isObject(r)) return;
    if (r['resourceType'] === 'Patient') out.push(r);
    if (r['resourceType'] === 'Bundle' && Array.isArray(r['entry'])) for (const e of r['entry']) if (isObject(e)) visit(e['resource']);
    if (Array.isArray(r['contained'])) for (const c of r['contained']) visit(c);
  };
  for (const r of resources) visit(r);
  return out;
}

function homeAddress(p: Json): Json | undefined {
  const addresses = Array.isArray(p['address']) ? p['address'].filter(isObject) : [];
  return addresses.find((a) => a['use'] === 'home' && !isObject(a['period'])) ?? addresses[0];
}

const str = (v: unknown): string => (typeof v === 'string' && v !== '' ? v : '?');

/** The quasi-identifiers of a Patient already de-identified by `deidentify`. */
export function releasedQuasiIdentifiers(p: Json): string[] {
  const a = homeAddress(p);
  const ext = Array.isArray(p['extension']) ? p['extension'].filter(isObject) : [];
  const over89 = ext.some((e) => e['url'] === BIRTH_YEAR_ON_OR_BEFORE_URL);
  const birthYear = over89 ? '90+' : typeof p['birthDate'] === 'string' ? String(yearOf(p['birthDate']) ?? '?') : '?';
  return [str(a?.['postalCode']), birthYear, str(p['gender']), deceasedYear(p)];
}

/** The quasi-identifiers of an identified Patient, generalised as Safe Harbor would (ZIP3, year or 90+). */
export function safeHarborQuasiIdentifiers(p: Json, asOfYear: number): string[] {
  const a = homeAddress(p);
  const zip = typeof a?.['postalCode'] === 'string' ? safeHarborZip(a['postalCode'], typeof a['country'] === 'string' ? a['country'] : undefined) : undefined;
  const by = typeof p['birthDate'] === 'string' ? yearOf(p['birthDate']) : undefined;
  const dy = typeof p['deceasedDateTime'] === 'string' ? yearOf(p['deceasedDateTime']) : undefined;
  const birthYear = by === undefined ? '?' : (dy ?? asOfYear) - by >= AGE_CATEGORY_FLOOR ? '90+' : String(by);
  return [zip ?? '?', birthYear, str(p['gender']), deceasedYear(p)];
}

/** The raw quasi-identifiers of an identified Patient: ZIP, birth date, gender, date of death. */
export function rawQuasiIdentifiers(p: Json): string[] {
  const a = homeAddress(p);
  const death = typeof p['deceasedDateTime'] === 'string' ? p['deceasedDateTime'].slice(0, 10) : p['deceasedBoolean'] === true ? 'deceased' : 'alive';
  return [str(a?.['postalCode']), str(p['birthDate']), str(p['gender']), death];
}

function deceasedYear(p: Json): string {
  if (typeof p['deceasedDateTime'] === 'string') return String(yearOf(p['deceasedDateTime']) ?? '?');
  return p['deceasedBoolean'] === true ? 'deceased' : 'alive';
}

/** Joins released quasi-identifier tuples to a population's and measures the equivalence classes. */
export function linkageAttack(released: readonly string[][], population: readonly string[][], quasiIdentifiers: readonly string[]): AttackOutcome {
  const classes = new Map<string, number>();
  for (const q of population) {
    const key = JSON.stringify(q);
    classes.set(key, (classes.get(key) ?? 0) + 1);
  }
  const ks = released.map((q) => classes.get(JSON.stringify(q)) ?? 0);
  const bySize = new Map<number, number>();
  for (const k of ks) bySize.set(k, (bySize.get(k) ?? 0) + 1);
  const matched = ks.filter((k) => k > 0).sort((a, b) => a - b);
  const buckets: AttackOutcome['buckets'] = { '0': 0, '1': 0, '2': 0, '3-4': 0, '5-9': 0, '10-19': 0, '20+': 0 };
  for (const k of ks) buckets[k === 0 ? '0' : k === 1 ? '1' : k === 2 ? '2' : k < 5 ? '3-4' : k < 10 ? '5-9' : k < 20 ? '10-19' : '20+']++;
  const unique = bySize.get(1) ?? 0;
  return {
    quasiIdentifiers,
    records: released.length,
    population: population.length,
    uniqueMatches: unique,
    uniqueFraction: released.length === 0 ? 0 : unique / released.length,
    noMatch: bySize.get(0) ?? 0,
    minK: matched[0] ?? 0,
    medianK: matched.length === 0 ? 0 : matched[Math.floor((matched.length - 1) / 2)]!,
    classSizes: [...bySize].sort((a, b) => a[0] - b[0]).map(([k, records]) => ({ k, records })),
    buckets,
  };
}

/**
 * Attacks the de-identified Patients in `deidentified` with the identified Patients in `population`
 * (resources or Bundles), and gives the raw-data baseline. `asOf` must be the one the export used,
 * so the population's "90+" matches the export's.
 */
export function reidentificationAttempt(
  deidentified: readonly FhirResource[],
  population: readonly FhirResource[],
  options: { asOf?: Date } = {},
): ReidentificationReport {
  const released = patientsIn(deidentified);
  const people = patientsIn(population);
  if (people.length === 0) throw invalid('the population holds no Patient resources to join against');
  const asOfYear = (options.asOf ?? new Date()).getUTCFullYear();
  return {
    deidentified: linkageAttack(
      released.map(releasedQuasiIdentifiers),
      people.map((p) => safeHarborQuasiIdentifiers(p, asOfYear)),
      SAFE_HARBOR_QIS,
    ),
    baseline: linkageAttack(people.map(rawQuasiIdentifiers), people.map(rawQuasiIdentifiers), RAW_QIS),
  };
}
