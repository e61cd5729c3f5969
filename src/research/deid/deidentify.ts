/**
 * HIPAA Safe Harbor de-identification (45 CFR §164.514(b)(2)) of FHIR R4 resources, for research
 * exports. Walks any resource generically, knowing each element's FHIR datatype from the R4
 * StructureDefinitions (element-types.ts), and applies one rule per datatype wherever it occurs:
 *
 * | datatype / element                       | rule                                                     | class |
 * |------------------------------------------|----------------------------------------------------------|-------|
 * | HumanName                                | removed                                                  | (A)   |
 * | Address                                  | line, city, district, text removed; country and US state kept; postalCode → ZIP3 or `000` (non-US: postalCode and state removed); geolocation removed | (B) |
 * | date, dateTime (incl. Period, Timing)    | reduced to the year; for people aged 90+, years before refYear − 90 raised to it | (C) |
 * | instant                                  | removed (an instant cannot hold a year alone)            | (C)   |
 * | Age, age codes of Observation, age Ranges | ≥ 90 years → `>= 90 a`                                  | (C)   |
 * | Patient.birthDate of a person aged 90+   | removed; extension "birth year on or before refYear − 90" | (C)  |
 * | ContactPoint                             | removed                                                  | (D)(E)(F)(N) |
 * | Identifier (anywhere, incl. Reference.identifier) | removed                                         | (G)–(M)(P)(R) by type |
 * | uri / url outside terminology systems    | removed                                                  | (N)(O) |
 * | Attachment                               | data, url, hash, title removed; contentType, size kept   | (Q)(P) or free text |
 * | Signature                                | removed                                                  | (P)   |
 * | Resource.id, Element.id, `id`/`oid`/`uuid` values, Reference.reference, Bundle fullUrl | per-study HMAC pseudonym | (R) |
 * | Reference.display                        | removed if the reference can point to a person; else kept if the check passes | (A) |
 * | Narrative, Annotation, string, markdown  | removed, except a few short coded texts kept if the identifier check passes (text-check.ts) | free text |
 * | anything not in the R4 definition of its type | removed, reported                                   | –     |
 * | a required element emptied by these rules | replaced by data-absent-reason `masked`                 | –     |
 *
 * Resource-specific rules on top: Patient (90+ birth year, photo), Observation (age observations),
 * Location (position), Media and DocumentReference (what their attachments are), Claim/ExplanationOfBenefit/
 * Coverage/Device (which class their strings and identifiers are), Bundle (fullUrl, request.url).
 * The input is not modified. See README.md for the decisions and what this does not do.
 */
import { invalid } from '../../shared/errors.ts';
import { ageInYears, AGE_CATEGORY_FLOOR, ninetyOrOlder, reduceToYear } from './dates.ts';
import { isResourceType, propertiesOf, type ElementInfo } from './element-types.ts';
import { classifyContactPoint, classifyIdentifier } from './identifier-class.ts';
import { Pseudonymizer } from './pseudonym.ts';
import { ReportBuilder, type DeidReport } from './report.ts';
import type { SafeHarborClass } from './safe-harbor.ts';
import { referenceKey, Subjects } from './subjects.ts';
import { identifierIn } from './text-check.ts';
import { isUsCountry, safeHarborZip } from './zip3.ts';

/** A FHIR resource as JSON. */
export interface FhirResource {
  resourceType: string;
  id?: string;
  [key: string]: unknown;
}

export interface DeidentifyOptions {
  /** The study the export is for: pseudonyms are scoped to it. */
  studyId: string;
  /** The study's HMAC key, ≥ 32 random bytes, kept secret and kept per study (same secret → same pseudonyms). */
  studySecret: Buffer;
  /** The date ages of living patients are computed at (default: now). */
  asOf?: Date;
  /**
   * Element paths (as in the StructureDefinitions, e.g. `Observation.value[x]`,
   * `Observation.referenceRange.text`) whose text is kept when the identifier check finds nothing,
   * instead of being removed. Use only for short, structured values.
   */
  keepText?: readonly string[];
  /** More values (names, numbers) the identifier check must treat as identifying. */
  knownIdentifiers?: Iterable<string>;
}

export interface DeidentifyResult {
  resources: FhirResource[];
  report: DeidReport;
}

/** Extension that replaces Patient.birthDate for people aged 90 or over: valueDate is the year they were born in or before. */
export const BIRTH_YEAR_ON_OR_BEFORE_URL = 'urn:carechain:fhir:StructureDefinition:deid-birth-year-on-or-before';
/** Base for absolute Bundle fullUrls after de-identification (the original server base is a URL of the source). */
export const DEID_BASE_URL = 'https://deidentified.invalid/fhir';

const DATA_ABSENT_REASON = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';
const GEOLOCATION = 'http://hl7.org/fhir/StructureDefinition/geolocation';
const RACE_ETHNICITY = new Set([
  'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
  'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
]);
/** LOINC codes of observations whose value is the patient's age. */
const AGE_LOINC = new Set(['30525-0', '21612-7', '29553-5', '21611-9', '21613-5']);

/** Strings kept if they pass the identifier check: short coded or structural texts. */
const KEEP_CHECKED = new Set([
  'Coding.display',
  'Coding.version',
  'CodeableConcept.text',
  'Quantity.unit',
  'Age.unit',
  'Count.unit',
  'Distance.unit',
  'Duration.unit',
  'SimpleQuantity.unit',
  'MoneyQuantity.unit',
  'Reference.display',
  'Bundle.entry.response.status',
  'Questionnaire.item.linkId',
  'QuestionnaireResponse.item.linkId',
]);

/** Strings removed as a Safe Harbor class rather than as free text. */
const STRING_CLASS: Record<string, SafeHarborClass> = {
  'Organization.name': 'names',
  'Organization.alias': 'names',
  'Location.name': 'names',
  'Location.alias': 'names',
  'HealthcareService.name': 'names',
  'CareTeam.name': 'names',
  'Group.name': 'names',
  'Endpoint.name': 'names',
  'Coverage.subscriberId': 'health-plan',
  'Coverage.class.value': 'health-plan',
  'Coverage.class.name': 'health-plan',
  'Claim.insurance.preAuthRef': 'account',
  'Claim.insurance.businessArrangement': 'account',
  'ClaimResponse.preAuthRef': 'account',
  'ClaimResponse.insurance.businessArrangement': 'account',
  'ExplanationOfBenefit.preAuthRef': 'account',
  'ExplanationOfBenefit.insurance.preAuthRef': 'account',
  'Account.name': 'account',
  'Device.serialNumber': 'device',
  'Device.lotNumber': 'device',
  'Device.distinctIdentifier': 'device',
  'Device.udiCarrier.deviceIdentifier': 'device',
  'Device.udiCarrier.carrierHRF': 'device',
  'Media.deviceName': 'device',
  'Immunization.lotNumber': 'other-id',
  'Medication.batch.lotNumber': 'other-id',
  'AuditEvent.agent.network.address': 'ip',
  'Bundle.entry.request.ifNoneExist': 'other-id',
};

/** Extensions whose string value is an identifier of a known class. */
const EXTENSION_STRING_CLASS: [RegExp, SafeHarborClass][] = [
  [/mothersMaidenName|humanname-|own-name|own-prefix|partner-name|partner-prefix/, 'names'],
  [/iso21090-ADXP-|geolocation|birthPlace/, 'geographic'],
];

/** uri/url elements kept: terminology and definitional namespaces, not locations of a person's data. */
const KEEP_URI = new Set([
  'Coding.system',
  'Quantity.system',
  'Age.system',
  'Count.system',
  'Distance.system',
  'Duration.system',
  'SimpleQuantity.system',
  'MoneyQuantity.system',
  'Reference.type',
  'Device.udiCarrier.issuer',
  'Device.udiCarrier.jurisdiction',
]);

/** Elements removed whole, with the class they are reported under (undefined: not an identifier, not reported). */
const DROP_PATH: Record<string, SafeHarborClass | undefined> = {
  'Location.position': 'geographic',
  'Meta.versionId': undefined,
  'Bundle.link': 'url',
  'Bundle.entry.link': 'url',
  'Bundle.entry.request.ifMatch': undefined,
  'Bundle.entry.request.ifNoneMatch': undefined,
  'Bundle.entry.response.etag': undefined,
};

/** Resource types whose Reference.display is a person's name. */
const PERSON_TYPES = new Set(['Patient', 'Practitioner', 'PractitionerRole', 'RelatedPerson', 'Person', 'Group']);

/** Range elements that hold ages. */
const AGE_RANGE = /\.(?:onset|abatement|age|deceased)\[x\]$/;

const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b|\[[0-9A-Fa-f:]+\]/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (o: Json) => {
  for (const _ in o) return false;
  return true;
};

interface Ctx {
  readonly p: Pseudonymizer;
  readonly subjects: Subjects;
  readonly report: ReportBuilder;
  readonly keepText: ReadonlySet<string>;
  readonly checked: Map<string, SafeHarborClass | null>;
  /** The innermost resource being walked (input form). */
  resource: Json;
  /** Years before this are raised to it (the resource belongs to a person aged 90+). */
  floorYear: number | undefined;
  /** Set while walking a Patient aged 90+: its birth date is withheld. */
  patientOver89: boolean;
}

/**
 * De-identifies `resources` (any FHIR R4 resources, Bundles included) by the Safe Harbor method and
 * reports what it did per identifier class. Throws `invalid` for options or input it cannot handle
 * (a short secret, something that is not a FHIR R4 resource).
 */
export function deidentify(resources: readonly FhirResource[], options: DeidentifyOptions): DeidentifyResult {
  if (!Array.isArray(resources)) throw invalid('deidentify expects an array of FHIR resources');
  const p = new Pseudonymizer(options.studyId, options.studySecret);
  const asOf = options.asOf ?? new Date();
  if (Number.isNaN(asOf.getTime())) throw invalid('asOf is not a valid date');
  const asOfYear = asOf.getUTCFullYear();
  const subjects = new Subjects(resources, asOfYear);
  for (const v of options.knownIdentifiers ?? []) subjects.known.add(v, 'other-id');
  const ctx: Ctx = {
    p,
    subjects,
    report: new ReportBuilder(),
    keepText: new Set(options.keepText ?? []),
    checked: new Map(),
    resource: {},
    floorYear: undefined,
    patientOver89: false,
  };
  const out = resources.map((r, i) => {
    if (!isObject(r) || typeof r['resourceType'] !== 'string') throw invalid(`resources[${i}] is not a FHIR resource (no resourceType)`);
    return walkResource(r, ctx) as FhirResource;
  });
  return {
    resources: out,
    report: ctx.report.build({ studyId: options.studyId, asOfYear, patients: subjects.patients, patientsOver89: subjects.over89Count }),
  };
}

function walkResource(r: Json, ctx: Ctx): Json {
  const rt = r['resourceType'];
  if (typeof rt !== 'string' || !isResourceType(rt)) {
    throw invalid(`"${String(rt)}" is not a FHIR R4 resource type; only FHIR R4 resources can be de-identified`, ['resourceType']);
  }
  ctx.report.resources++;
  const saved = { resource: ctx.resource, floorYear: ctx.floorYear, patientOver89: ctx.patientOver89 };
  const self = rt === 'Patient' ? ctx.subjects.over89Of(r) : undefined;
  const refs = ctx.subjects.floorYearFor(r);
  ctx.resource = r;
  ctx.patientOver89 = self !== undefined;
  ctx.floorYear = minDefined(saved.floorYear, refs, self?.floorYear);
  try {
    const out = walkObject(r, rt, ctx) ?? { resourceType: rt };
    if (self !== undefined) withholdBirthYear(out, self.floorYear);
    else if (rt === 'Observation') observationAge(r, out, ctx);
    return out;
  } finally {
    ctx.resource = saved.resource;
    ctx.floorYear = saved.floorYear;
    ctx.patientOver89 = saved.patientOver89;
  }
}

function walkObject(obj: Json, typeName: string, ctx: Ctx): Json | undefined {
  const props = propertiesOf(typeName);
  if (props === undefined) throw invalid(`no FHIR R4 definition for type ${typeName}`);
  const out: Json = {};
  for (const key in obj) {
    const value = obj[key];
    if (key === 'resourceType') {
      out[key] = value;
      continue;
    }
    if (key.charCodeAt(0) === 95 /* _ */) {
      // A primitive's id/extensions: kept (walked) only while the primitive is, or when it stands alone.
      const base = key.slice(1);
      if (!(base in obj)) {
        const e = walkPrimitiveElements(value, ctx);
        if (e !== undefined) out[key] = e;
      }
      continue;
    }
    if (key === 'id') {
      if (typeof value === 'string') {
        out[key] = ctx.p.id(value);
        ctx.report.pseudonymised('other-id');
      }
      continue;
    }
    if (key === 'extension' || key === 'modifierExtension') {
      const e = walkExtensions(value, ctx, undefined);
      if (e !== undefined) out[key] = e;
      continue;
    }
    const info = props.get(key);
    if (info === undefined) {
      ctx.report.unknownElement(`${typeName}.${key}`);
      ctx.report.warn(`${typeName}.${key} is not an element of ${typeName} in FHIR R4; removed`);
      continue;
    }
    const r = walkValue(value, info, ctx);
    if (r === undefined) {
      // A required element emptied by de-identification is marked masked, so the resource stays valid.
      if (info.min > 0 && value !== null && value !== undefined && isComplexType(info.type)) out[key] = Array.isArray(value) ? [masked()] : masked();
      continue;
    }
    out[key] = r;
    const ext = obj[`_${key}`];
    if (ext !== undefined) {
      const e = walkPrimitiveElements(ext, ctx);
      if (e !== undefined) out[`_${key}`] = e;
    }
  }
  return isEmpty(out) ? undefined : out;
}

const isComplexType = (t: string) => t !== 'Resource' && t.charCodeAt(0) < 97;

/** An element whose content was withheld: FHIR's data-absent-reason `masked`. */
const masked = (): Json => ({ extension: [{ url: DATA_ABSENT_REASON, valueCode: 'masked' }] });

function walkPrimitiveElements(v: unknown, ctx: Ctx): unknown {
  if (Array.isArray(v)) {
    const a = v.map((x) => (x === null ? null : walkPrimitiveElements(x, ctx) ?? null));
    return a.some((x) => x !== null) ? a : undefined;
  }
  return isObject(v) ? walkObject(v, 'Element', ctx) : undefined;
}

function walkValue(v: unknown, info: ElementInfo, ctx: Ctx): unknown {
  if (info.path in DROP_PATH) {
    const cls = DROP_PATH[info.path];
    if (cls !== undefined) ctx.report.removed(cls, Array.isArray(v) ? v.length : 1);
    return undefined;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const r = walkOne(x, info, ctx);
      if (r !== undefined) out.push(r);
    }
    return out.length === 0 ? undefined : out;
  }
  return walkOne(v, info, ctx);
}

function walkOne(v: unknown, info: ElementInfo, ctx: Ctx): unknown {
  if (v === null || v === undefined) return undefined;
  const t = info.type;
  const c = t.charCodeAt(0);
  if (c >= 97 && c <= 122) return walkPrimitive(v, info, ctx); // lower-case: a primitive type
  if (!isObject(v)) {
    ctx.report.warn(`${info.path} should be a ${t} object; removed`);
    return undefined;
  }
  switch (t) {
    case 'Resource':
      return walkResource(v, ctx);
    case 'HumanName':
      ctx.report.removed('names');
      return undefined;
    case 'ContactPoint':
      ctx.report.removed(classifyContactPoint(v['system']));
      return undefined;
    case 'Identifier':
      ctx.report.removed(classifyIdentifier(v, info.path));
      return undefined;
    case 'Narrative':
    case 'Annotation':
      ctx.report.freeText(info.path);
      return undefined;
    case 'Signature':
      ctx.report.removed('biometric');
      return undefined;
    case 'Address':
      return walkAddress(v, ctx);
    case 'Attachment':
      return walkAttachment(v, info, ctx);
    case 'Reference':
      return walkReference(v, info, ctx);
    case 'Extension': {
      const e = walkExtensions([v], ctx, undefined);
      return e?.[0];
    }
    case 'Age':
      return ageRule(walkObject(v, t, ctx), ctx);
    case 'Range': {
      const r = walkObject(v, t, ctx);
      return r !== undefined && AGE_RANGE.test(info.path) ? ageRangeRule(r, ctx) : r;
    }
    default:
      return walkObject(v, t, ctx);
  }
}

function walkPrimitive(v: unknown, info: ElementInfo, ctx: Ctx): unknown {
  if (typeof v === 'object') {
    ctx.report.warn(`${info.path} should be a ${info.type}; removed`);
    return undefined;
  }
  switch (info.type) {
    case 'boolean':
    case 'integer':
    case 'decimal':
    case 'positiveInt':
    case 'unsignedInt':
    case 'code':
    case 'canonical':
    case 'time':
      return v;
    case 'date':
    case 'dateTime':
      return dateRule(String(v), info, ctx);
    case 'instant':
      ctx.report.removed('dates');
      return undefined;
    case 'string':
    case 'markdown':
      return stringRule(String(v), info.path, ctx);
    case 'xhtml':
      ctx.report.freeText(info.path);
      return undefined;
    case 'uri':
    case 'url':
      return uriRule(String(v), info.path, ctx);
    case 'id':
      ctx.report.pseudonymised('other-id');
      return ctx.p.id(String(v));
    case 'oid':
      ctx.report.pseudonymised('other-id');
      return `urn:oid:${ctx.p.oid(String(v).replace(/^urn:oid:/, ''))}`;
    case 'uuid':
      ctx.report.pseudonymised('other-id');
      return `urn:uuid:${ctx.p.uuid(String(v).replace(/^urn:uuid:/, ''))}`;
    case 'base64Binary':
      ctx.report.removed(STRING_CLASS[info.path] ?? (info.path.includes('udiCarrier') ? 'device' : 'other-id'));
      return undefined;
    default:
      ctx.report.warn(`${info.path} has unhandled primitive type ${info.type}; removed`);
      return undefined;
  }
}

function dateRule(v: string, info: ElementInfo, ctx: Ctx): string | undefined {
  if (ctx.patientOver89 && info.path === 'Patient.birthDate') {
    ctx.report.generalised('dates'); // replaced by the "on or before" extension, withholdBirthYear
    return undefined;
  }
  const y = reduceToYear(v, ctx.floorYear);
  if (y === undefined) {
    ctx.report.removed('dates');
    ctx.report.warn(`${info.path} "${v.slice(0, 4)}…" is not a FHIR date; removed`);
    return undefined;
  }
  if (y !== v) ctx.report.generalised('dates');
  return y;
}

function checkText(v: string, ctx: Ctx): SafeHarborClass | undefined {
  let r = ctx.checked.get(v);
  if (r === undefined) {
    r = identifierIn(v, ctx.subjects.known) ?? null;
    ctx.checked.set(v, r);
  }
  return r ?? undefined;
}

function keepIfClean(v: string, ctx: Ctx): string | undefined {
  const cls = checkText(v, ctx);
  if (cls === undefined) {
    ctx.report.keptAfterCheck++;
    return v;
  }
  ctx.report.removed(cls);
  ctx.report.removedByCheck++;
  return undefined;
}

function stringRule(v: string, path: string, ctx: Ctx): string | undefined {
  if (KEEP_CHECKED.has(path) || ctx.keepText.has(path)) return keepIfClean(v, ctx);
  const cls = STRING_CLASS[path];
  if (cls !== undefined) ctx.report.removed(cls);
  else ctx.report.freeText(path);
  return undefined;
}

function uriRule(v: string, path: string, ctx: Ctx): string | undefined {
  if (KEEP_URI.has(path)) return v;
  switch (path) {
    case 'Bundle.entry.fullUrl':
      return fullUrlRule(v, ctx);
    case 'Bundle.entry.request.url':
      return requestUrlRule(v, ctx);
    case 'Bundle.entry.response.location':
      return rewriteReference(v, ctx);
  }
  ctx.report.removed(IPV4.test(v) ? 'ip' : 'url');
  return undefined;
}

function walkAddress(a: Json, ctx: Ctx): Json | undefined {
  const out: Json = {};
  const country = typeof a['country'] === 'string' ? a['country'] : undefined;
  for (const key in a) {
    const v = a[key];
    switch (key) {
      case 'use':
      case 'type':
        out[key] = v;
        break;
      case 'country':
        if (typeof v === 'string') out[key] = v;
        break;
      case 'state':
        // A US state is allowed; a foreign subdivision is not a "State" (Hamburg is a Land and a city).
        if (typeof v === 'string' && isUsCountry(country)) out[key] = v;
        else ctx.report.removed('geographic');
        break;
      case 'postalCode': {
        const z = typeof v === 'string' ? safeHarborZip(v, country) : undefined;
        if (z === undefined) ctx.report.removed('geographic');
        else {
          out[key] = z;
          ctx.report.generalised('geographic');
        }
        break;
      }
      case 'line':
        ctx.report.removed('geographic', Array.isArray(v) ? v.length : 1);
        break;
      case 'city':
      case 'district':
      case 'text':
        ctx.report.removed('geographic');
        break;
      case 'period': {
        const r = isObject(v) ? walkObject(v, 'Period', ctx) : undefined;
        if (r !== undefined) out[key] = r;
        break;
      }
      case 'extension': {
        const e = walkExtensions(v, ctx, undefined);
        if (e !== undefined) out[key] = e;
        break;
      }
      case 'id':
        break;
      default:
        if (!key.startsWith('_')) ctx.report.unknownElement(`Address.${key}`);
    }
  }
  return isEmpty(out) ? undefined : out;
}

/** What an attachment's content is, for the report: a photo (Q), a biometric (P), or free text (a document). */
function attachmentClass(a: Json, path: string, ctx: Ctx): SafeHarborClass | undefined {
  if (path.endsWith('.photo')) return 'photo';
  const ct = typeof a['contentType'] === 'string' ? a['contentType'].toLowerCase() : '';
  let kind = ct.split('/')[0] ?? '';
  if (ctx.resource['resourceType'] === 'Media') {
    const words = JSON.stringify([ctx.resource['type'], ctx.resource['modality'], ctx.resource['view'], ctx.resource['bodySite']]);
    if (/finger|voice|retina|\biris\b|biometric|palm|signature/i.test(words)) return 'biometric';
    const mediaType = JSON.stringify(ctx.resource['type'] ?? '');
    if (kind === '' && /"(?:image|video)"/.test(mediaType)) kind = 'image';
    if (kind === '' && /"audio"/.test(mediaType)) kind = 'audio';
  }
  if (kind === 'audio') return 'biometric';
  if (kind === 'image' || kind === 'video') return 'photo';
  return undefined;
}

function walkAttachment(a: Json, info: ElementInfo, ctx: Ctx): Json | undefined {
  const out: Json = {};
  let content = false;
  for (const key in a) {
    const v = a[key];
    switch (key) {
      case 'contentType':
      case 'language':
      case 'size':
        out[key] = v;
        break;
      case 'data':
      case 'url':
      case 'hash':
        content = true;
        break;
      case 'title':
        ctx.report.freeText('Attachment.title');
        break;
      case 'creation': {
        const y = typeof v === 'string' ? dateRule(v, { type: 'dateTime', path: 'Attachment.creation', min: 0 }, ctx) : undefined;
        if (y !== undefined) out[key] = y;
        break;
      }
      case 'extension': {
        const e = walkExtensions(v, ctx, undefined);
        if (e !== undefined) out[key] = e;
        break;
      }
      case 'id':
        break;
      default:
        if (!key.startsWith('_')) ctx.report.unknownElement(`Attachment.${key}`);
    }
  }
  if (content) {
    const cls = attachmentClass(a, info.path, ctx);
    if (cls !== undefined) ctx.report.removed(cls);
    else ctx.report.freeText(`${info.path} (attachment content)`);
  }
  return isEmpty(out) ? undefined : out;
}

/**
 * Whether a Reference's display may name a person: it points to a person-type resource, or it does
 * not say where it points and the element allows a person.
 */
function mayNamePerson(r: Json, info: ElementInfo, ctx: Ctx): boolean {
  const known = typeof r['type'] === 'string' ? r['type'] : typeof r['reference'] === 'string' ? ctx.subjects.targetType(r['reference']) : undefined;
  if (known !== undefined) return PERSON_TYPES.has(known);
  const targets = info.targets ?? [];
  return targets.length === 0 || targets.some((t) => PERSON_TYPES.has(t) || t === 'Resource');
}

function walkReference(r: Json, info: ElementInfo, ctx: Ctx): Json | undefined {
  const out: Json = {};
  for (const key in r) {
    const v = r[key];
    switch (key) {
      case 'reference': {
        const ref = typeof v === 'string' ? rewriteReference(v, ctx) : undefined;
        if (ref !== undefined) out[key] = ref;
        break;
      }
      case 'type':
        out[key] = v;
        break;
      case 'identifier':
        if (isObject(v)) ctx.report.removed(classifyIdentifier(v, 'Reference.identifier'));
        break;
      case 'display': {
        if (mayNamePerson(r, info, ctx)) ctx.report.removed('names');
        else {
          const d = typeof v === 'string' ? keepIfClean(v, ctx) : undefined;
          if (d !== undefined) out[key] = d;
        }
        break;
      }
      case 'extension': {
        const e = walkExtensions(v, ctx, undefined);
        if (e !== undefined) out[key] = e;
        break;
      }
      case 'id':
        break;
      default:
        if (!key.startsWith('_')) ctx.report.unknownElement(`Reference.${key}`);
    }
  }
  return isEmpty(out) ? undefined : out;
}

/**
 * A reference with its id replaced by the pseudonym: `Patient/123` → `Patient/<P>`, `urn:uuid:u` →
 * `urn:uuid:<P>`, `#c` → `#<P>`; an absolute URL loses its server base (a URL of the source).
 * Conditional references (`Patient?identifier=…`) and anything unrecognised are removed.
 */
function rewriteReference(ref: string, ctx: Ctx): string | undefined {
  const { p, report } = ctx;
  if (ref.startsWith('#')) {
    if (ref.length === 1) return ref;
    report.pseudonymised('other-id');
    return `#${p.id(ref.slice(1))}`;
  }
  if (ref.startsWith('urn:uuid:')) {
    report.pseudonymised('other-id');
    return `urn:uuid:${p.uuid(ref.slice(9))}`;
  }
  if (ref.startsWith('urn:oid:')) {
    report.pseudonymised('other-id');
    return `urn:oid:${p.oid(ref.slice(8))}`;
  }
  const key = ref.includes('?') ? undefined : referenceKey(ref);
  if (key !== undefined) {
    const slash = key.indexOf('/');
    const type = key.slice(0, slash);
    if (isResourceType(type)) {
      if (!ref.startsWith(`${type}/`)) report.removed('url'); // the server base
      report.pseudonymised('other-id');
      return `${type}/${p.id(key.slice(slash + 1))}`;
    }
  }
  report.removed('other-id');
  report.warn(`a reference that is neither relative, absolute, urn:uuid, urn:oid nor contained was removed (${ref.includes('?') ? 'conditional reference' : 'unrecognised form'})`);
  return undefined;
}

function fullUrlRule(v: string, ctx: Ctx): string | undefined {
  if (v.startsWith('urn:')) return rewriteReference(v, ctx);
  const rel = rewriteReference(v, ctx);
  return rel === undefined ? undefined : `${DEID_BASE_URL}/${rel}`;
}

function requestUrlRule(v: string, ctx: Ctx): string | undefined {
  const [path, query] = v.split('?', 2);
  if (path !== undefined && isResourceType(path)) {
    if (query !== undefined) {
      ctx.report.removed('other-id');
      ctx.report.warn('Bundle.entry.request.url search parameters removed (conditional requests can carry identifiers)');
    }
    return path;
  }
  return rewriteReference(v, ctx);
}

function walkExtensions(v: unknown, ctx: Ctx, parentUrl: string | undefined): Json[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Json[] = [];
  for (const e of v) {
    if (!isObject(e)) continue;
    const r = walkExtension(e, ctx, parentUrl);
    if (r !== undefined) out.push(r);
  }
  return out.length === 0 ? undefined : out;
}

function walkExtension(e: Json, ctx: Ctx, parentUrl: string | undefined): Json | undefined {
  const url = typeof e['url'] === 'string' ? e['url'] : undefined;
  if (url === undefined) {
    ctx.report.warn('an extension without a url was removed');
    return undefined;
  }
  if (url === GEOLOCATION) {
    ctx.report.removed('geographic');
    return undefined;
  }
  const props = propertiesOf('Extension')!;
  const out: Json = { url };
  let hasContent = false;
  for (const key in e) {
    if (key === 'url' || key === 'id' || key.startsWith('_')) continue;
    const v = e[key];
    if (key === 'extension') {
      const sub = walkExtensions(v, ctx, url);
      if (sub !== undefined) {
        out[key] = sub;
        hasContent = true;
      }
      continue;
    }
    const info = props.get(key);
    if (info === undefined) {
      ctx.report.unknownElement(`Extension.${key}`);
      continue;
    }
    let r: unknown;
    if (info.type === 'string' || info.type === 'markdown') {
      if (url === 'text' && parentUrl !== undefined && RACE_ETHNICITY.has(parentUrl)) r = typeof v === 'string' ? keepIfClean(v, ctx) : undefined;
      else if (ctx.keepText.has(`Extension(${url})`)) r = typeof v === 'string' ? keepIfClean(v, ctx) : undefined;
      else {
        const cls = EXTENSION_STRING_CLASS.find(([re]) => re.test(url))?.[1];
        if (cls !== undefined) ctx.report.removed(cls);
        else ctx.report.freeText(`Extension(${url})`);
      }
    } else {
      r = walkValue(v, info, ctx);
    }
    if (r !== undefined) {
      out[key] = r;
      hasContent = true;
    }
  }
  return hasContent ? out : undefined;
}

function ageRule(q: Json | undefined, ctx: Ctx): Json | undefined {
  if (q === undefined) return undefined;
  const years = ageInYears(q);
  if (years === undefined || years < AGE_CATEGORY_FLOOR) return q;
  ctx.report.generalised('dates');
  return ninetyOrOlder();
}

function ageRangeRule(r: Json, ctx: Ctx): Json | undefined {
  const low = isObject(r['low']) ? ageInYears(r['low']) : undefined;
  const high = isObject(r['high']) ? ageInYears(r['high']) : undefined;
  if ((low ?? 0) < AGE_CATEGORY_FLOOR && (high ?? 0) < AGE_CATEGORY_FLOOR) return r;
  ctx.report.generalised('dates');
  const { comparator: _c, ...floor } = ninetyOrOlder();
  if (low !== undefined && low >= AGE_CATEGORY_FLOOR) return { low: floor };
  const { high: _h, ...rest } = r; // the upper bound alone would say "older than 89"
  return isEmpty(rest) ? undefined : rest;
}

/** A Patient aged 90+: no birthDate (data-absent-reason `masked`), and the year they were born in or before. */
function withholdBirthYear(out: Json, floorYear: number): void {
  delete out['birthDate'];
  out['_birthDate'] = { extension: [{ url: DATA_ABSENT_REASON, valueCode: 'masked' }] };
  const ext = Array.isArray(out['extension']) ? (out['extension'] as Json[]) : [];
  ext.push({ url: BIRTH_YEAR_ON_OR_BEFORE_URL, valueDate: String(floorYear).padStart(4, '0') });
  out['extension'] = ext;
}

function minDefined(...xs: (number | undefined)[]): number | undefined {
  let m: number | undefined;
  for (const x of xs) if (x !== undefined && (m === undefined || x < m)) m = x;
  return m;
}

function observationAge(raw: Json, out: Json, ctx: Ctx): void {
  const code = raw['code'];
  const codings = isObject(code) && Array.isArray(code['coding']) ? (code['coding'] as unknown[]) : [];
  const isAge = codings.some((c) => isObject(c) && c['system'] === 'http://loinc.org' && typeof c['code'] === 'string' && AGE_LOINC.has(c['code']));
  if (!isAge || !isObject(out['valueQuantity'])) return;
  const r = ageRule(out['valueQuantity'], ctx);
  if (r !== undefined) out['valueQuantity'] = r;
}
