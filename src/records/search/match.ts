/**
 * Whether a (decrypted) resource matches one search criterion, by the R4 rules (search.html
 * §3.1.1.4), from the same extracted values the index is built from. The search uses it to confirm
 * what a blinded index can only narrow (a `:contains` trigram hit, a prefix longer than the indexed
 * ones, token `:text`, strings that are not name-like, Location `near`); the tests use it to check
 * that every result of a search really matches.
 */
import {
  extractIndexValues,
  matchesRange,
  matchesString,
  uriAncestors,
  type IndexValue,
  type MissingCriterion,
  type ParamCriterion,
  type QueryValue,
  type TokenQuery,
  type TokenValue,
} from '../../fhir/search/index.ts';

function tokenMatches(v: TokenValue, q: TokenQuery): boolean {
  switch (q.match) {
    case 'code':
      return v.code === q.code;
    case 'system-code':
      return v.system === q.system && v.code === q.code;
    case 'no-system-code':
      return v.system === undefined && v.code === q.code;
    case 'system':
      return v.system === q.system;
    case 'text':
      return v.text !== undefined && matchesString(v.text, q.text);
    case 'of-type':
      return v.code === q.value && (v.ofType ?? []).some((t) => t.code === q.code && (t.system ?? '') === q.system);
  }
}

const EARTH_KM = 6371.0088;
const UNIT_KM: Record<string, number> = { km: 1, m: 0.001, mi: 1.609344, '[mi_i]': 1.609344, '[mi_us]': 1.609347 };

/** Great-circle distance in km (haversine). */
function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Whether one index value matches one query value (`modifier` of the criterion). */
export function valueMatches(v: IndexValue, q: QueryValue, modifier?: string): boolean {
  switch (q.kind) {
    case 'token':
      if (v.kind === 'reference') return modifier === 'identifier' && v.identifier !== undefined && tokenMatches(v.identifier, q);
      return v.kind === 'token' && tokenMatches(v, q);
    case 'reference':
      if (v.kind !== 'reference' || v.reference === undefined) return false;
      return q.candidates.includes(v.reference) && (q.version === undefined || v.version === q.version);
    case 'uri': {
      if (v.kind !== 'uri' && v.kind !== 'reference') return false;
      const value = v.kind === 'uri' ? v.value : (v.reference ?? '');
      if (modifier === 'below') return uriAncestors(value.replace(/\/+$/, '') || value).includes(q.value);
      if (modifier === 'above') return uriAncestors(q.value).includes(value);
      return value === q.value;
    }
    case 'string':
      return v.kind === 'string' && matchesString(v.value, q.value, modifier === 'exact' || modifier === 'contains' ? modifier : undefined);
    case 'date':
      return v.kind === 'date' && matchesRange(q.prefix, q, v);
    case 'number':
      return v.kind === 'number' && matchesRange(q.prefix, q, v);
    case 'quantity': {
      if (v.kind !== 'quantity' || !matchesRange(q.prefix, q, v)) return false;
      if (q.system !== undefined && q.code !== undefined) return v.system === q.system && v.code === q.code;
      if (q.codeOrUnit !== undefined) return v.code === q.codeOrUnit || v.unit === q.codeOrUnit;
      return true;
    }
    case 'composite':
      return v.kind === 'composite' && v.components.length === q.components.length && q.components.every((c, i) => valueMatches(v.components[i]!, c));
    case 'near': {
      if (v.kind !== 'position') return false;
      if (q.distance === undefined) return true;
      const factor = UNIT_KM[q.units];
      return factor !== undefined && distanceKm(q.latitude, q.longitude, v.latitude, v.longitude) <= q.distance * factor;
    }
  }
}

/** The values a resource has for the criterion's parameter. */
export function valuesOf(resource: Record<string, unknown>, resourceType: string, code: string): readonly IndexValue[] {
  if (resource.resourceType !== resourceType) return [];
  if (code === '_id') return typeof resource.id === 'string' ? [{ kind: 'token', code: resource.id }] : [];
  return extractIndexValues(resource).find((p) => p.param.code === code)?.values ?? [];
}

/** Whether `resource` matches `criterion` (OR over its values; `:not` negates). */
export function criterionMatches(criterion: ParamCriterion | MissingCriterion, resource: Record<string, unknown>): boolean {
  const values = valuesOf(resource, criterion.param.resourceType, criterion.param.code);
  if (criterion.kind === 'missing') return (values.length === 0) === criterion.missing;
  if (criterion.modifier === 'not') return !values.some((v) => criterion.values.some((q) => valueMatches(v, q)));
  return values.some((v) => criterion.values.some((q) => valueMatches(v, q, criterion.modifier)));
}
