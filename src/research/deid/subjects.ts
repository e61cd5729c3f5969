/**
 * A first pass over the input, before anything is changed, that learns two things the
 * de-identification needs to know across resources:
 *
 * 1. Who is aged 90 or over (45 CFR §164.514(b)(2)(i)(C)). Age is the difference between the birth
 *    year and the year of death, or of `asOf` for the living; the year difference is used, not the
 *    exact age, so someone who is 89 by days but 90 by years is aggregated too (their birth year
 *    would imply 90). For such a person the birth year is replaced by "on or before refYear − 90" and
 *    every year before that in their records is raised to it (otherwise a record from 1915 implies
 *    an age over 100). Their records are found by references to the Patient.
 * 2. The identifying values in the input — names, street lines, cities, organization names,
 *    telecom and identifier values of Patients, Practitioners, RelatedPersons, Persons,
 *    Organizations and Locations — which the check of kept text (text-check.ts) must not let through.
 */
import { classifyContactPoint, classifyIdentifier } from './identifier-class.ts';
import { AGE_CATEGORY_FLOOR, yearOf } from './dates.ts';
import { KnownValues } from './text-check.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

const PEOPLE_AND_PLACES = new Set(['Patient', 'Practitioner', 'PractitionerRole', 'RelatedPerson', 'Person', 'Organization', 'Location']);

/** A person aged 90 or over: years before `floorYear` in their records are raised to it. */
export interface Over89 {
  patientId: string | undefined;
  /** refYear − 90: the birth year is reported as "on or before" this year. */
  floorYear: number;
}

export class Subjects {
  readonly known = new KnownValues();
  /** Keys a reference to an over-89 Patient may use (`Patient/id`, the entry's fullUrl) → their floor year. */
  readonly #over89 = new Map<string, Over89>();
  /** Bundle entry fullUrl → the type of its resource, to know what a `urn:uuid:` reference points to. */
  readonly #types = new Map<string, string>();
  #patients = 0;

  constructor(
    resources: readonly unknown[],
    readonly asOfYear: number,
  ) {
    for (const r of resources) this.#visit(r, undefined);
  }

  get patients(): number {
    return this.#patients;
  }

  get over89Count(): number {
    return new Set(this.#over89.values()).size;
  }

  #visit(resource: unknown, fullUrl: string | undefined): void {
    if (!isObject(resource)) return;
    const rt = resource['resourceType'];
    if (rt === 'Bundle') {
      for (const e of asArray(resource['entry'])) {
        if (!isObject(e)) continue;
        const fullUrl = typeof e['fullUrl'] === 'string' ? e['fullUrl'] : undefined;
        if (fullUrl !== undefined && isObject(e['resource']) && typeof e['resource']['resourceType'] === 'string') this.#types.set(fullUrl, e['resource']['resourceType']);
        this.#visit(e['resource'], fullUrl);
      }
    }
    for (const c of asArray(resource['contained'])) this.#visit(c, undefined);
    if (typeof rt !== 'string' || !PEOPLE_AND_PLACES.has(rt)) return;
    this.#collect(resource, rt);
    if (rt === 'Patient') this.#patient(resource, fullUrl);
  }

  /** The resource type a reference points to, when the reference says it or a Bundle entry of the input has it as fullUrl. */
  targetType(reference: string): string | undefined {
    const t = this.#types.get(reference);
    if (t !== undefined) return t;
    const key = referenceKey(reference);
    return key === undefined ? undefined : key.slice(0, key.indexOf('/'));
  }

  /** The 90+ status of a Patient resource, from its own birth and death dates. */
  over89Of(p: Json): Over89 | undefined {
    const birthYear = typeof p['birthDate'] === 'string' ? yearOf(p['birthDate']) : undefined;
    if (birthYear === undefined) return undefined;
    const death = typeof p['deceasedDateTime'] === 'string' ? yearOf(p['deceasedDateTime']) : undefined;
    const refYear = death ?? this.asOfYear;
    if (refYear - birthYear < AGE_CATEGORY_FLOOR) return undefined;
    return { patientId: typeof p['id'] === 'string' ? p['id'] : undefined, floorYear: refYear - AGE_CATEGORY_FLOOR };
  }

  #patient(p: Json, fullUrl: string | undefined): void {
    this.#patients++;
    const info = this.over89Of(p);
    if (info === undefined) return;
    const id = info.patientId;
    if (id !== undefined) this.#over89.set(`Patient/${id}`, info);
    if (fullUrl !== undefined) {
      this.#over89.set(fullUrl, info);
      const tail = referenceKey(fullUrl);
      if (tail !== undefined) this.#over89.set(tail, info);
    }
  }

  /** The floor year for a resource: the lowest of the over-89 Patients it is or refers to, if any. */
  floorYearFor(resource: Json): number | undefined {
    if (this.#over89.size === 0) return undefined;
    let floor: number | undefined;
    const consider = (key: string | undefined) => {
      const o = key === undefined ? undefined : this.#over89.get(key);
      if (o !== undefined && (floor === undefined || o.floorYear < floor)) floor = o.floorYear;
    };
    const walk = (v: unknown, depth: number): void => {
      if (depth > 12) return;
      if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
      else if (isObject(v)) {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'reference' && typeof x === 'string') {
            consider(x);
            consider(referenceKey(x));
          } else if (k !== 'contained' || depth === 0) walk(x, depth + 1);
        }
      }
    };
    walk(resource, 0);
    return floor;
  }

  #collect(r: Json, rt: string): void {
    const k = this.known;
    const names = (v: unknown) => {
      for (const n of asArray(v)) {
        if (typeof n === 'string') k.add(n, 'names');
        else if (isObject(n)) {
          if (typeof n['text'] === 'string') k.add(n['text'], 'names');
          if (typeof n['family'] === 'string') k.add(n['family'], 'names');
          for (const g of asArray(n['given'])) if (typeof g === 'string') k.add(g, 'names');
        }
      }
    };
    const addresses = (v: unknown) => {
      for (const a of asArray(v)) {
        if (!isObject(a)) continue;
        for (const l of asArray(a['line'])) if (typeof l === 'string') k.add(l, 'geographic');
        for (const f of ['city', 'district', 'text']) if (typeof a[f] === 'string') k.add(a[f] as string, 'geographic');
      }
    };
    const telecoms = (v: unknown) => {
      for (const t of asArray(v)) if (isObject(t) && typeof t['value'] === 'string') k.add(t['value'], classifyContactPoint(t['system']));
    };
    const identifiers = (v: unknown) => {
      for (const i of asArray(v)) if (isObject(i) && typeof i['value'] === 'string') k.add(i['value'], classifyIdentifier(i, `${rt}.identifier`));
    };
    names(r['name']);
    names(r['alias']);
    addresses(r['address']);
    telecoms(r['telecom']);
    identifiers(r['identifier']);
    for (const c of asArray(r['contact'])) {
      if (!isObject(c)) continue;
      names(c['name']);
      addresses(c['address']);
      telecoms(c['telecom']);
    }
    for (const e of asArray(r['extension'])) {
      if (!isObject(e)) continue;
      if (typeof e['valueString'] === 'string' && /mothersMaidenName/.test(String(e['url']))) k.add(e['valueString'], 'names');
      if (isObject(e['valueHumanName'])) names(e['valueHumanName']);
      if (isObject(e['valueAddress'])) addresses(e['valueAddress']);
    }
  }
}

/** `Patient/123` for a reference or fullUrl ending in a relative reference (`https://x/fhir/Patient/123/_history/2`). */
export function referenceKey(ref: string): string | undefined {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(ref);
  return m ? `${m[1]}/${m[2]}` : undefined;
}
