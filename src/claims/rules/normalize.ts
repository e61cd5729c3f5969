/**
 * `normalizeClaim`: a FHIR R4 `Claim` (JSON) → the flat, checked `NormalizedClaim` the rules read.
 *
 * Reads (FHIR R4 Claim, hl7.org/fhir/R4/claim.html): id, identifier, status, type, subType, use,
 * patient, created, billablePeriod, insurer, provider (the billing provider), careTeam, diagnosis,
 * item (sequence, careTeamSequence, diagnosisSequence, productOrService, modifier, quantity,
 * servicedDate | servicedPeriod, locationCodeableConcept, encounter, net) and total.
 *
 * Tolerates what real senders omit: Synthea's claims have no `insurer`, give diagnoses by reference
 * and dates only in `billablePeriod`; HL7's examples refer to parties by contained resource or by
 * identifier only. A line's date of service is the most specific date available (item
 * servicedDate/servicedPeriod, else the claim's billablePeriod, else `created`) and `dateSource`
 * says which one was used.
 *
 * References are resolved through `contained` and, when given, `options.resolve` (e.g.
 * `bundleResolver(bundle)`), to learn resource types, NPIs and diagnosis codes.
 */
import { invalid } from '../../shared/errors.ts';
import { fhirDate } from './dates.ts';
import type {
  CareTeamMember,
  ClaimDiagnosis,
  ClaimLine,
  CodeKind,
  DateRange,
  Identifier,
  IsoDate,
  Money,
  NormalizedClaim,
  PartyRef,
  ProviderRef,
  ServiceDateSource,
} from './types.ts';

/** A FHIR resource as parsed JSON. */
export type FhirResource = { readonly resourceType: string; readonly id?: string } & Readonly<Record<string, unknown>>;

export interface NormalizeOptions {
  /** Resolves a reference that is not to a contained resource (bundle fullUrl, `Type/id`). */
  resolve?: (reference: string) => FhirResource | undefined;
}

export const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';

const CODE_SYSTEMS: ReadonlyMap<string, CodeKind> = new Map([
  ['http://www.ama-assn.org/go/cpt', 'cpt'],
  ['urn:oid:2.16.840.1.113883.6.12', 'cpt'],
  ['https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', 'hcpcs'],
  ['http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', 'hcpcs'],
  ['urn:oid:2.16.840.1.113883.6.285', 'hcpcs'],
  ['urn:oid:2.16.840.1.113883.6.14', 'hcpcs'],
  ['http://snomed.info/sct', 'snomed'],
  ['http://hl7.org/fhir/sid/cvx', 'cvx'],
  ['http://www.nlm.nih.gov/research/umls/rxnorm', 'rxnorm'],
  ['http://hl7.org/fhir/sid/ndc', 'ndc'],
]);

const ICD10_SYSTEMS = new Set(['http://hl7.org/fhir/sid/icd-10-cm', 'http://hl7.org/fhir/sid/icd-10', 'urn:oid:2.16.840.1.113883.6.90']);

/** The kind of a coding; a code without a system is recognised only by the HCPCS/CPT shapes. */
export function codeKindOf(system: string | undefined, code: string): CodeKind {
  if (system !== undefined) return CODE_SYSTEMS.get(system) ?? 'other';
  if (/^\d{4}[0-9FTU]$/.test(code)) return 'cpt';
  if (/^[A-V]\d{4}$/.test(code)) return 'hcpcs';
  return 'other';
}

// ─── JSON narrowing ──────────────────────────────────────────────────────────────────────────────

type Json = Readonly<Record<string, unknown>>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const obj = (x: unknown): Json | undefined => (isObj(x) ? x : undefined);
const arr = (x: unknown): readonly unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);
const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

function codings(concept: unknown): { system?: string; code: string }[] {
  const out: { system?: string; code: string }[] = [];
  for (const c of arr(obj(concept)?.coding)) {
    const code = str(obj(c)?.code);
    if (code) out.push({ system: str(obj(c)?.system), code });
  }
  return out;
}

const firstCode = (concept: unknown): string | undefined => codings(concept)[0]?.code;

function identifierOf(x: unknown): Identifier | undefined {
  const value = str(obj(x)?.value);
  return value ? { system: str(obj(x)?.system), value } : undefined;
}

// ─── Normalization ───────────────────────────────────────────────────────────────────────────────

export function normalizeClaim(input: unknown, options: NormalizeOptions = {}): NormalizedClaim {
  const claim = obj(input);
  if (!claim || claim.resourceType !== 'Claim') {
    throw invalid(`expected a FHIR R4 Claim, got ${claim ? `a ${String(claim.resourceType)}` : typeof input}`);
  }
  const identifiers = arr(claim.identifier)
    .map(identifierOf)
    .filter((i): i is Identifier => i !== undefined);
  const id = str(claim.id) ?? identifiers[0]?.value;
  if (!id) throw invalid('Claim has neither an id nor an identifier value', ['Claim.id']);

  const contained = new Map<string, FhirResource>();
  for (const c of arr(claim.contained)) {
    const r = obj(c);
    if (r && typeof r.resourceType === 'string' && typeof r.id === 'string') contained.set(`#${r.id}`, r as FhirResource);
  }
  const resolve = (reference: string): FhirResource | undefined => contained.get(reference) ?? options.resolve?.(reference);

  const party = (x: unknown, path: string): ProviderRef | undefined => {
    const ref = obj(x);
    if (!ref) return undefined;
    const reference = str(ref.reference);
    const identifier = identifierOf(ref.identifier);
    const display = str(ref.display);
    const resource = reference ? resolve(reference) : undefined;
    const resourceIdentifiers = arr(resource?.identifier)
      .map(identifierOf)
      .filter((i): i is Identifier => i !== undefined);
    const npi = [identifier, ...resourceIdentifiers].find((i) => i?.system === NPI_SYSTEM)?.value;
    let key: string | undefined;
    if (reference?.startsWith('#')) {
      // A contained resource's id is local to this claim: key it by its identifier, else scope it by the claim.
      const own = resourceIdentifiers[0] ?? identifier;
      key = own ? `${own.system ?? ''}|${own.value}` : `Claim/${id}${reference}`;
    } else key = reference ?? (identifier ? `${identifier.system ?? ''}|${identifier.value}` : display);
    if (!key) throw invalid(`${path} has no reference, identifier or display`, [path]);
    const resourceType = resource?.resourceType ?? (reference ? /^([A-Z][A-Za-z]+)\/[^/]+$/.exec(reference)?.[1] : undefined) ?? str(ref.type);
    return {
      key,
      ...(reference !== undefined && { reference }),
      ...(identifier !== undefined && { identifier }),
      ...(resourceType !== undefined && { resourceType }),
      ...(display !== undefined && { display }),
      ...(npi !== undefined && { npi }),
    };
  };

  const patient = party(claim.patient, 'Claim.patient');
  if (!patient) throw invalid('Claim.patient is required (FHIR R4 Claim.patient 1..1)', ['Claim.patient']);
  const patientRef = withoutNpi(patient);
  const provider = party(claim.provider, 'Claim.provider');
  if (!provider) throw invalid('Claim.provider is required (FHIR R4 Claim.provider 1..1)', ['Claim.provider']);
  const insurerRef = party(claim.insurer, 'Claim.insurer');
  const insurer: PartyRef | undefined = insurerRef ? withoutNpi(insurerRef) : undefined;

  const created = fhirDate(claim.created);
  if (!created) throw invalid(`Claim.created "${String(claim.created)}" is not a FHIR date or dateTime`, ['Claim.created']);
  const billablePeriod = period(claim.billablePeriod, 'Claim.billablePeriod');

  const careTeam: CareTeamMember[] = [];
  arr(claim.careTeam).forEach((c, i) => {
    const m = obj(c);
    const sequence = num(m?.sequence);
    const p = party(m?.provider, `Claim.careTeam[${i}].provider`);
    if (sequence === undefined || !p) return;
    const role = firstCode(m?.role);
    careTeam.push({ sequence, provider: p, ...(role !== undefined && { role }) });
  });
  const careTeamBySeq = new Map(careTeam.map((m) => [m.sequence, m.provider]));

  const diagnoses: ClaimDiagnosis[] = [];
  arr(claim.diagnosis).forEach((d, i) => {
    const dx = obj(d);
    const sequence = num(dx?.sequence) ?? i + 1;
    const types = arr(dx?.type).flatMap((t) => codings(t).map((c) => c.code));
    const cc = codings(dx?.diagnosisCodeableConcept);
    const reference = str(obj(dx?.diagnosisReference)?.reference);
    let coding = cc.find((c) => c.system !== undefined && ICD10_SYSTEMS.has(c.system)) ?? cc[0];
    if (!coding && reference) {
      const condition = resolve(reference);
      const rc = codings(condition?.code);
      coding = rc.find((c) => c.system !== undefined && ICD10_SYSTEMS.has(c.system)) ?? rc[0];
    }
    diagnoses.push({
      sequence,
      ...(coding && { code: coding.code.toUpperCase() }),
      ...(coding?.system !== undefined && { system: coding.system }),
      ...(reference !== undefined && { reference }),
      types,
    });
  });

  const lines: ClaimLine[] = [];
  arr(claim.item).forEach((it, i) => {
    const item = obj(it);
    const path = `Claim.item[${i}]`;
    if (!item) throw invalid(`${path} is not an object`, [path]);
    const sequence = num(item.sequence) ?? i + 1;
    const all = codings(item.productOrService);
    const preferred = all.find((c) => {
      const k = codeKindOf(c.system, c.code);
      return k === 'cpt' || k === 'hcpcs';
    });
    const coding = preferred ?? all[0];
    if (!coding) throw invalid(`${path}.productOrService has no coded value`, [`${path}.productOrService`]);
    const code = coding.code.toUpperCase();
    const quantityValue = obj(item.quantity)?.value;
    const quantity = quantityValue === undefined ? 1 : num(quantityValue);
    if (quantity === undefined || quantity <= 0)
      throw invalid(`${path}.quantity.value "${String(quantityValue)}" is not a positive number`, [`${path}.quantity`]);

    let serviceDate: IsoDate;
    let serviceEnd: IsoDate;
    let dateSource: ServiceDateSource;
    const itemPeriod = period(item.servicedPeriod, `${path}.servicedPeriod`);
    if (item.servicedDate !== undefined) {
      const d = fhirDate(item.servicedDate);
      if (!d) throw invalid(`${path}.servicedDate "${String(item.servicedDate)}" is not a FHIR date`, [`${path}.servicedDate`]);
      serviceDate = serviceEnd = d;
      dateSource = 'servicedDate';
    } else if (itemPeriod) {
      ({ from: serviceDate, to: serviceEnd } = itemPeriod);
      dateSource = 'servicedPeriod';
    } else if (billablePeriod) {
      ({ from: serviceDate, to: serviceEnd } = billablePeriod);
      dateSource = 'billablePeriod';
    } else {
      serviceDate = serviceEnd = created;
      dateSource = 'created';
    }
    const performerSeq = num(arr(item.careTeamSequence)[0]);
    const performer = performerSeq === undefined ? undefined : careTeamBySeq.get(performerSeq);
    const placeOfService = firstCode(item.locationCodeableConcept);
    const net = num(obj(item.net)?.value);
    lines.push({
      sequence,
      code,
      ...(coding.system !== undefined && { system: coding.system }),
      codeKind: codeKindOf(coding.system, code),
      modifiers: arr(item.modifier).flatMap((m) =>
        codings(m)
          .slice(0, 1)
          .map((c) => c.code.toUpperCase()),
      ),
      quantity,
      serviceDate,
      serviceEnd,
      dateSource,
      ...(placeOfService !== undefined && { placeOfService }),
      diagnosisSequences: arr(item.diagnosisSequence).filter((x): x is number => typeof x === 'number'),
      ...(performer !== undefined && { performer }),
      encounters: arr(item.encounter).flatMap((e) => {
        const r = str(obj(e)?.reference);
        return r ? [r] : [];
      }),
      ...(net !== undefined && { net }),
    });
  });

  let from = lines[0]?.serviceDate ?? created;
  let to = lines[0]?.serviceEnd ?? created;
  for (const l of lines) {
    if (l.serviceDate < from) from = l.serviceDate;
    if (l.serviceEnd > to) to = l.serviceEnd;
  }
  const totalValue = num(obj(claim.total)?.value);
  const total: Money | undefined =
    totalValue === undefined
      ? undefined
      : { value: totalValue, ...(str(obj(claim.total)?.currency) !== undefined && { currency: str(obj(claim.total)?.currency)! }) };
  const status = str(claim.status);
  const use = str(claim.use);
  const type = firstCode(claim.type);
  const subType = firstCode(claim.subType);

  return {
    id,
    identifiers,
    ...(status !== undefined && { status }),
    ...(use !== undefined && { use }),
    ...(type !== undefined && { type }),
    ...(subType !== undefined && { subType }),
    patient: patientRef,
    provider,
    careTeam,
    ...(insurer !== undefined && { insurer }),
    created,
    ...(billablePeriod !== undefined && { billablePeriod }),
    lines,
    diagnoses,
    ...(total !== undefined && { total }),
    serviceRange: { from, to },
  };
}

/** A party that is not a provider carries no NPI field. */
function withoutNpi(p: ProviderRef): PartyRef {
  const { npi, ...rest } = p;
  void npi;
  return rest;
}

/** A FHIR Period as a date range; an open end is the start day (and an open start the end day). */
function period(x: unknown, path: string): DateRange | undefined {
  const p = obj(x);
  if (!p) return undefined;
  const start = p.start === undefined ? undefined : fhirDate(p.start);
  const end = p.end === undefined ? undefined : fhirDate(p.end);
  if (start === null || end === null) throw invalid(`${path} start "${String(p.start)}" / end "${String(p.end)}" are not FHIR dates`, [path]);
  const from = start ?? end;
  const to = end ?? start;
  if (from === undefined || to === undefined) return undefined;
  if (to < from) throw invalid(`${path} ends (${to}) before it starts (${from})`, [path]);
  return { from, to };
}

/** Resolves references within a Bundle: by entry fullUrl and by `Type/id`. */
export function bundleResolver(bundle: unknown): (reference: string) => FhirResource | undefined {
  const byRef = new Map<string, FhirResource>();
  for (const e of arr(obj(bundle)?.entry)) {
    const r = obj(obj(e)?.resource);
    if (!r || typeof r.resourceType !== 'string') continue;
    const fullUrl = str(obj(e)?.fullUrl);
    if (fullUrl) byRef.set(fullUrl, r as FhirResource);
    if (typeof r.id === 'string') byRef.set(`${r.resourceType}/${r.id}`, r as FhirResource);
  }
  return (reference) => byRef.get(reference);
}

/** Every Claim in a Bundle, normalized with references resolved within the bundle. */
export function claimsInBundle(bundle: unknown): NormalizedClaim[] {
  const b = obj(bundle);
  if (!b || b.resourceType !== 'Bundle') throw invalid(`expected a FHIR Bundle, got ${b ? String(b.resourceType) : typeof bundle}`);
  const resolve = bundleResolver(b);
  const out: NormalizedClaim[] = [];
  arr(b.entry).forEach((e) => {
    const r = obj(obj(e)?.resource);
    if (r?.resourceType === 'Claim') out.push(normalizeClaim(r, { resolve }));
  });
  return out;
}
