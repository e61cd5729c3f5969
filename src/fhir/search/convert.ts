/**
 * From a FHIR value of a known datatype to the index values of one search parameter type, per the
 * R4 cross-map of search parameter types and datatypes (search.html#table) and the per-type rules
 * (search.html#token, #string, #date, #number, #quantity, #reference, #uri).
 *
 * `converterFor(paramType, fhirType)` is resolved once when a parameter is compiled; `undefined`
 * means the pair is "not used in search" (e.g. SampledData for quantity, Ratio, Attachment) and
 * the path is dropped at compile time rather than tested for every resource.
 */
import { dateRange } from './date-range.ts';
import { numberRange } from './number-range.ts';
import { normalizeReference, splitCanonical, type ReferenceOptions } from './reference.ts';
import {
  MAX_DATE_MS,
  MIN_DATE_MS,
  type IndexValue,
  type SearchParamType,
  type TokenValue,
} from './types.ts';

/** What a converter may need beyond the value: the root resource (contained types), options. */
export interface ConvertContext {
  readonly root: Record<string, unknown>;
  readonly options: ReferenceOptions;
}

export type Converter = (value: unknown, out: IndexValue[], ctx: ConvertContext) => void;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

// ---- token -------------------------------------------------------------------------------------

function pushCoding(c: unknown, out: IndexValue[]): void {
  if (!isObj(c)) return;
  const system = str(c.system);
  const code = str(c.code);
  const text = str(c.display);
  if (system === undefined && code === undefined && text === undefined) return;
  const t: { kind: 'token'; system?: string; code?: string; text?: string } = { kind: 'token' };
  if (system !== undefined) t.system = system;
  if (code !== undefined) t.code = code;
  if (text !== undefined) t.text = text;
  out.push(t);
}

const tokenCoding: Converter = (v, out) => pushCoding(v, out);

const tokenCodeableConcept: Converter = (v, out) => {
  if (!isObj(v)) return;
  const codings = v.coding;
  if (Array.isArray(codings)) for (const c of codings) pushCoding(c, out);
  const text = str(v.text);
  if (text !== undefined) out.push({ kind: 'token', text });
};

const tokenIdentifier: Converter = (v, out) => {
  if (!isObj(v)) return;
  const system = str(v.system);
  const code = str(v.value);
  if (system === undefined && code === undefined) return;
  const t: { kind: 'token'; system?: string; code?: string; text?: string; ofType?: { system?: string; code?: string }[] } = {
    kind: 'token',
  };
  if (system !== undefined) t.system = system;
  if (code !== undefined) t.code = code;
  const type = v.type;
  if (isObj(type)) {
    const text = str(type.text);
    if (text !== undefined) t.text = text;
    if (Array.isArray(type.coding)) {
      const ofType: { system?: string; code?: string }[] = [];
      for (const c of type.coding) {
        if (!isObj(c)) continue;
        const s = str(c.system);
        const k = str(c.code);
        if (k === undefined) continue;
        ofType.push(s === undefined ? { code: k } : { system: s, code: k });
      }
      if (ofType.length > 0) t.ofType = ofType;
    }
  }
  out.push(t);
};

const tokenContactPoint: Converter = (v, out) => {
  if (!isObj(v)) return;
  const code = str(v.value);
  if (code !== undefined) out.push({ kind: 'token', code });
};

const tokenPrimitive: Converter = (v, out) => {
  if (typeof v === 'string' && v !== '') out.push({ kind: 'token', code: v });
};

const tokenBoolean: Converter = (v, out) => {
  if (typeof v === 'boolean') out.push({ kind: 'token', code: v ? 'true' : 'false' });
};

// ---- string ------------------------------------------------------------------------------------

function pushString(v: unknown, out: IndexValue[]): void {
  if (typeof v === 'string' && v !== '') out.push({ kind: 'string', value: v });
}
function pushStrings(v: unknown, out: IndexValue[]): void {
  if (Array.isArray(v)) for (const s of v) pushString(s, out);
  else pushString(v, out);
}

const stringPrimitive: Converter = (v, out) => pushString(v, out);

/** HumanName: "the search covers the elements of type string" — text, family, given, prefix, suffix. */
const stringHumanName: Converter = (v, out) => {
  if (!isObj(v)) return;
  pushString(v.text, out);
  pushString(v.family, out);
  pushStrings(v.given, out);
  pushStrings(v.prefix, out);
  pushStrings(v.suffix, out);
};

/** Address: text, line, city, district, state, postalCode, country. */
const stringAddress: Converter = (v, out) => {
  if (!isObj(v)) return;
  pushString(v.text, out);
  pushStrings(v.line, out);
  pushString(v.city, out);
  pushString(v.district, out);
  pushString(v.state, out);
  pushString(v.postalCode, out);
  pushString(v.country, out);
};

// ---- date --------------------------------------------------------------------------------------

const datePrimitive: Converter = (v, out) => {
  if (typeof v !== 'string') return;
  const r = dateRange(v);
  if (r) out.push({ kind: 'date', low: r.low, high: r.high });
};

const dateInstant: Converter = (v, out) => {
  if (typeof v !== 'string') return;
  const r = dateRange(v, true);
  if (r) out.push({ kind: 'date', low: r.low, high: r.high });
};

/** Period: "explicit, though the upper or lower bound might not actually be specified". */
function periodRange(v: unknown): { low: number; high: number } | undefined {
  if (!isObj(v)) return undefined;
  const start = typeof v.start === 'string' ? dateRange(v.start) : undefined;
  const end = typeof v.end === 'string' ? dateRange(v.end) : undefined;
  if (!start && !end) return undefined;
  return { low: start ? start.low : MIN_DATE_MS, high: end ? end.high : MAX_DATE_MS };
}

const datePeriod: Converter = (v, out) => {
  const r = periodRange(v);
  if (r) out.push({ kind: 'date', low: r.low, high: r.high });
};

/** Timing: "the specified scheduling details are ignored and only the outer limits matter". */
const dateTiming: Converter = (v, out) => {
  if (!isObj(v)) return;
  let low = Infinity;
  let high = -Infinity;
  if (Array.isArray(v.event)) {
    for (const e of v.event) {
      const r = typeof e === 'string' ? dateRange(e) : undefined;
      if (!r) continue;
      if (r.low < low) low = r.low;
      if (r.high > high) high = r.high;
    }
  }
  const repeat = v.repeat;
  if (isObj(repeat)) {
    const r = periodRange(repeat.boundsPeriod);
    if (r) {
      if (r.low < low) low = r.low;
      if (r.high > high) high = r.high;
    }
  }
  if (low <= high) out.push({ kind: 'date', low, high });
};

// ---- number / quantity -------------------------------------------------------------------------

const numberInteger: Converter = (v, out) => {
  if (typeof v === 'number' && Number.isFinite(v)) out.push({ kind: 'number', value: v, low: v, high: v });
};

const numberDecimal: Converter = (v, out) => {
  if (typeof v !== 'number') return;
  const r = numberRange(v);
  if (r) out.push({ kind: 'number', value: r.value, low: r.low, high: r.high });
};

/** Quantity (and Age, Duration, Distance, Count…); `comparator` opens one end. */
const quantityQuantity: Converter = (v, out) => {
  if (!isObj(v) || typeof v.value !== 'number') return;
  const r = numberRange(v.value);
  if (!r) return;
  let low = r.low;
  let high = r.high;
  switch (v.comparator) {
    case '<':
    case '<=':
      low = -Infinity;
      high = r.value;
      break;
    case '>':
    case '>=':
      low = r.value;
      high = Infinity;
      break;
  }
  const q: { kind: 'quantity'; value: number; low: number; high: number; system?: string; code?: string; unit?: string } = {
    kind: 'quantity',
    value: r.value,
    low,
    high,
  };
  const system = str(v.system);
  const code = str(v.code);
  const unit = str(v.unit);
  if (system !== undefined) q.system = system;
  if (code !== undefined) q.code = code;
  if (unit !== undefined) q.unit = unit;
  out.push(q);
};

/** Money: the currency is an ISO 4217 code. */
const quantityMoney: Converter = (v, out) => {
  if (!isObj(v) || typeof v.value !== 'number') return;
  const r = numberRange(v.value);
  if (!r) return;
  const currency = str(v.currency);
  out.push(
    currency === undefined
      ? { kind: 'quantity', value: r.value, low: r.low, high: r.high }
      : { kind: 'quantity', value: r.value, low: r.low, high: r.high, system: 'urn:iso:std:iso:4217', code: currency },
  );
};

/** Range: the target is explicitly a range; units from `low` (else `high`). */
const quantityRange: Converter = (v, out) => {
  if (!isObj(v)) return;
  const lo = isObj(v.low) && typeof v.low.value === 'number' ? v.low : undefined;
  const hi = isObj(v.high) && typeof v.high.value === 'number' ? v.high : undefined;
  if (!lo && !hi) return;
  const unitsFrom = (lo ?? hi)!;
  const q: { kind: 'quantity'; low: number; high: number; system?: string; code?: string; unit?: string } = {
    kind: 'quantity',
    low: lo ? (lo.value as number) : -Infinity,
    high: hi ? (hi.value as number) : Infinity,
  };
  const system = str(unitsFrom.system);
  const code = str(unitsFrom.code);
  const unit = str(unitsFrom.unit);
  if (system !== undefined) q.system = system;
  if (code !== undefined) q.code = code;
  if (unit !== undefined) q.unit = unit;
  out.push(q);
};

// ---- reference / uri ---------------------------------------------------------------------------

function containedType(root: Obj, localId: string): string | undefined {
  const contained = root.contained;
  if (!Array.isArray(contained)) return undefined;
  for (const c of contained) if (isObj(c) && c.id === localId && typeof c.resourceType === 'string') return c.resourceType;
  return undefined;
}

/** Reference: literal reference (normalised) and/or logical identifier; `type` when nothing else says. */
const referenceReference: Converter = (v, out, ctx) => {
  if (!isObj(v)) return;
  const ref = str(v.reference);
  let identifier: TokenValue | undefined;
  if (isObj(v.identifier)) {
    const tmp: IndexValue[] = [];
    tokenIdentifier(v.identifier, tmp, ctx);
    identifier = tmp[0] as TokenValue | undefined;
  }
  if (ref === undefined && identifier === undefined) return;
  const r: {
    kind: 'reference';
    reference?: string;
    targetType?: string;
    id?: string;
    version?: string;
    identifier?: TokenValue;
  } = { kind: 'reference' };
  if (ref !== undefined) {
    const n = normalizeReference(ref, ctx.options);
    r.reference = n.reference;
    if (n.targetType !== undefined) r.targetType = n.targetType;
    else if (ref.startsWith('#')) {
      const t = containedType(ctx.root, ref.slice(1));
      if (t !== undefined) r.targetType = t;
    }
    if (n.id !== undefined) r.id = n.id;
    if (n.version !== undefined) r.version = n.version;
  }
  if (r.targetType === undefined && typeof v.type === 'string' && v.type !== '') r.targetType = v.type;
  if (identifier !== undefined) r.identifier = identifier;
  out.push(r);
};

const referenceCanonical: Converter = (v, out) => {
  if (typeof v !== 'string' || v === '') return;
  const { url, version } = splitCanonical(v);
  out.push(version === undefined ? { kind: 'reference', reference: url, canonical: true } : { kind: 'reference', reference: url, version, canonical: true });
};

/** A resource nested in another (Bundle.entry[0].resource): its own `Type/id`. */
const referenceResource: Converter = (v, out) => {
  if (!isObj(v) || typeof v.resourceType !== 'string') return;
  const id = str(v.id);
  if (id === undefined) return;
  out.push({ kind: 'reference', reference: `${v.resourceType}/${id}`, targetType: v.resourceType, id });
};

const uriPrimitive: Converter = (v, out) => {
  if (typeof v === 'string' && v !== '') out.push({ kind: 'uri', value: v });
};

// ---- special -----------------------------------------------------------------------------------

const positionLocation: Converter = (v, out) => {
  if (isObj(v) && typeof v.latitude === 'number' && typeof v.longitude === 'number') {
    out.push({ kind: 'position', latitude: v.latitude, longitude: v.longitude });
  }
};

// ---- table -------------------------------------------------------------------------------------

const STRINGY = ['string', 'code', 'id', 'uri', 'url', 'canonical', 'oid', 'uuid', 'markdown'];
const QUANTITIES = ['Quantity', 'Age', 'Duration', 'Distance', 'Count', 'SimpleQuantity', 'MoneyQuantity'];

const TABLE: Record<Exclude<SearchParamType, 'composite'>, Record<string, Converter>> = {
  token: {
    Coding: tokenCoding,
    CodeableConcept: tokenCodeableConcept,
    Identifier: tokenIdentifier,
    ContactPoint: tokenContactPoint,
    boolean: tokenBoolean,
    ...Object.fromEntries(STRINGY.map((t) => [t, tokenPrimitive])),
  },
  string: {
    string: stringPrimitive,
    markdown: stringPrimitive,
    code: stringPrimitive,
    id: stringPrimitive,
    uri: stringPrimitive,
    url: stringPrimitive,
    HumanName: stringHumanName,
    Address: stringAddress,
  },
  date: {
    date: datePrimitive,
    dateTime: datePrimitive,
    instant: dateInstant,
    Period: datePeriod,
    Timing: dateTiming,
  },
  number: {
    integer: numberInteger,
    positiveInt: numberInteger,
    unsignedInt: numberInteger,
    decimal: numberDecimal,
  },
  quantity: {
    ...Object.fromEntries(QUANTITIES.map((t) => [t, quantityQuantity])),
    Money: quantityMoney,
    Range: quantityRange,
  },
  reference: {
    Reference: referenceReference,
    canonical: referenceCanonical,
    uri: referenceCanonical,
    url: referenceCanonical,
    Resource: referenceResource,
  },
  uri: {
    uri: uriPrimitive,
    url: uriPrimitive,
    canonical: uriPrimitive,
    oid: uriPrimitive,
    uuid: uriPrimitive,
  },
  special: {
    'Location.position': positionLocation,
    LocationPosition: positionLocation, // medplum's FHIRPath name for the same backbone type
  },
};

/**
 * The converter for values of FHIR type `fhirType` under a parameter of type `paramType`, or
 * `undefined` when FHIR does not search that datatype with that parameter type. A resource type
 * name converts like `Resource` (a nested resource).
 */
export function converterFor(paramType: SearchParamType, fhirType: string, isResource = false): Converter | undefined {
  if (paramType === 'composite') return undefined;
  const row = TABLE[paramType];
  return row[fhirType] ?? (isResource ? row.Resource : undefined);
}
