/**
 * The resource types this node stores and the search parameters it indexes.
 *
 * What the index holds, and why (no plaintext PHI): the patient link and every code are stored as
 * HMAC-SHA256 tokens under the organization's index secret, so equality search works and the
 * database alone reveals neither who a record is about nor a diagnosis; dates are stored as epoch
 * milliseconds because range search needs order; ids are random server-assigned UUIDs.
 */
import type { Resource } from '../fhir/types.ts';

export const SUPPORTED_TYPES = [
  'Patient',
  'Practitioner',
  'Organization',
  'Encounter',
  'Observation',
  'Condition',
  'AllergyIntolerance',
  'MedicationRequest',
  'Immunization',
  'Procedure',
  'DiagnosticReport',
  'DocumentReference',
] as const;
export type SupportedType = (typeof SUPPORTED_TYPES)[number];

export function isSupportedType(t: string): t is SupportedType {
  return (SUPPORTED_TYPES as readonly string[]).includes(t);
}

/** Where each type points at its patient (the Patient compartment). */
const PATIENT_PATH: Partial<Record<SupportedType, string>> = {
  Encounter: 'subject',
  Observation: 'subject',
  Condition: 'subject',
  AllergyIntolerance: 'patient',
  MedicationRequest: 'subject',
  Immunization: 'patient',
  Procedure: 'subject',
  DiagnosticReport: 'subject',
  DocumentReference: 'subject',
};

/** The CodeableConcept searched by `code` for each type. */
const CODE_PATH: Partial<Record<SupportedType, string[]>> = {
  Observation: ['code'],
  Condition: ['code'],
  AllergyIntolerance: ['code'],
  MedicationRequest: ['medicationCodeableConcept'],
  Immunization: ['vaccineCode'],
  Procedure: ['code'],
  DiagnosticReport: ['code'],
  DocumentReference: ['type'],
  Encounter: ['type'],
};

/** The element(s) searched by `date`, first present wins. */
const DATE_PATH: Partial<Record<SupportedType, string[]>> = {
  Observation: ['effectiveDateTime', 'effectivePeriod.start', 'effectiveInstant', 'issued'],
  Condition: ['recordedDate', 'onsetDateTime', 'onsetPeriod.start'],
  AllergyIntolerance: ['recordedDate', 'onsetDateTime'],
  MedicationRequest: ['authoredOn'],
  Immunization: ['occurrenceDateTime'],
  Procedure: ['performedDateTime', 'performedPeriod.start'],
  DiagnosticReport: ['effectiveDateTime', 'effectivePeriod.start', 'issued'],
  DocumentReference: ['date'],
  Encounter: ['period.start'],
  Patient: ['birthDate'],
};

export function typeHasParam(type: SupportedType, param: 'patient' | 'code' | 'date'): boolean {
  if (param === 'patient') return type === 'Patient' || PATIENT_PATH[type] !== undefined;
  if (param === 'code') return CODE_PATH[type] !== undefined;
  return DATE_PATH[type] !== undefined;
}

function get(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The id of the patient a resource belongs to, if any ("Patient/123" → "123"). */
export function patientIdOf(resource: Resource): string | undefined {
  if (resource.resourceType === 'Patient') return resource.id;
  const path = PATIENT_PATH[resource.resourceType as SupportedType];
  if (!path) return undefined;
  const ref = (get(resource, path) as { reference?: string } | undefined)?.reference;
  const m = ref ? /^(?:.*\/)?Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
  return m?.[1];
}

/** `system|code` and bare `code` strings of the resource's searchable codes. */
export function codesOf(resource: Resource): string[] {
  const out = new Set<string>();
  for (const path of CODE_PATH[resource.resourceType as SupportedType] ?? []) {
    const value = get(resource, path);
    for (const cc of Array.isArray(value) ? value : [value]) {
      for (const c of ((cc as { coding?: { system?: string; code?: string }[] } | undefined)?.coding ?? [])) {
        if (!c.code) continue;
        out.add(c.code);
        if (c.system) out.add(`${c.system}|${c.code}`);
      }
    }
  }
  return [...out];
}

/** The searchable date as a [low, high) range in epoch ms, from its FHIR precision. */
export function dateOf(resource: Resource): [number, number] | undefined {
  for (const path of DATE_PATH[resource.resourceType as SupportedType] ?? []) {
    const v = get(resource, path);
    if (typeof v === 'string') {
      const r = dateRange(v);
      if (r) return r;
    }
  }
  return undefined;
}

/** A FHIR date/dateTime/instant as the range of instants it covers. */
export function dateRange(value: string): [number, number] | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, , tz] = m;
  if (h !== undefined) {
    const iso = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${tz ?? 'Z'}`;
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return undefined;
    return [t, t + (s === undefined ? 60_000 : 1000)];
  }
  const start = Date.UTC(Number(y), mo ? Number(mo) - 1 : 0, d ? Number(d) : 1);
  const end = d ? Date.UTC(Number(y), Number(mo) - 1, Number(d) + 1) : mo ? Date.UTC(Number(y), Number(mo), 1) : Date.UTC(Number(y) + 1, 0, 1);
  return Number.isNaN(start) ? undefined : [start, end];
}
