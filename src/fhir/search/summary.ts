/**
 * `_summary` and `_elements` applied to a resource (R4 search.html#summary, #elements):
 *
 * - `_summary=true`: the elements marked `isSummary` in the base StructureDefinition, recursively
 *   through backbone elements (datatype values are kept whole), plus mandatory (min ≥ 1) elements
 *   so the result stays valid;
 * - `_summary=text`: "only the text element, the id element, the meta element, and only top-level
 *   mandatory elements";
 * - `_summary=data`: "remove the text element";
 * - `_summary=false`: the resource unchanged;
 * - `_elements=a,b`: the listed top-level elements ("base element names"; a choice element by its
 *   base name `value` or one typed name `valueQuantity`), plus `id`, `meta`, mandatory elements
 *   ("Servers SHOULD always return mandatory elements whether they are requested or not") and
 *   modifier elements (`status`, `modifierExtension`…: deliberately kept, so a subset never hides
 *   what changes the meaning of the rest).
 *
 * Every subset carries the `SUBSETTED` tag ("Servers SHOULD mark the resources with the tag
 * SUBSETTED to ensure that the incomplete resource is not accidentally used to overwrite a
 * complete resource"). Primitive extensions (`_birthDate`) follow their element. The input is
 * never modified.
 */
import { invalid } from '../../shared/errors.ts';
import { elementsOf, isBackboneType, isResourceType, type ElementInfo } from './model.ts';

/** The SUBSETTED tag (http://terminology.hl7.org/CodeSystem/v3-ObservationValue). */
export const SUBSETTED_TAG = Object.freeze({
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'SUBSETTED',
  display: 'subsetted',
});

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const KEY_MAPS = new Map<string, ReadonlyMap<string, ElementInfo>>();

/** JSON key (`valueQuantity`, `birthDate`) → element, for a type. */
function keyMap(typeName: string): ReadonlyMap<string, ElementInfo> {
  let m = KEY_MAPS.get(typeName);
  if (m === undefined) {
    const built = new Map<string, ElementInfo>();
    for (const el of elementsOf(typeName)?.values() ?? []) {
      if (el.choice) for (const t of el.types) built.set(el.name + t.charAt(0).toUpperCase() + t.slice(1), el);
      else built.set(el.name, el);
    }
    m = built;
    KEY_MAPS.set(typeName, m);
  }
  return m;
}

function elementOfKey(typeName: string, key: string): ElementInfo | undefined {
  return keyMap(typeName).get(key.startsWith('_') ? key.slice(1) : key);
}

function withSubsettedTag(resource: Obj): Obj {
  const meta = isObj(resource.meta) ? resource.meta : {};
  const tags = Array.isArray(meta.tag) ? meta.tag : [];
  if (tags.some((t) => isObj(t) && t.system === SUBSETTED_TAG.system && t.code === SUBSETTED_TAG.code)) return resource;
  return { ...resource, meta: { ...meta, tag: [...tags, { ...SUBSETTED_TAG }] } };
}

function checkResource(resource: unknown): { root: Obj; type: string } {
  if (!isObj(resource) || typeof resource.resourceType !== 'string' || !isResourceType(resource.resourceType)) {
    throw invalid('a FHIR R4 resource (a JSON object with a known resourceType) is required');
  }
  return { root: resource, type: resource.resourceType };
}

/** The summary form of one object of type `typeName` (recursing into backbone elements). */
function summarize(value: Obj, typeName: string): Obj {
  const out: Obj = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'resourceType') {
      out[key] = v;
      continue;
    }
    const el = elementOfKey(typeName, key);
    if (!el || !(el.summary || el.required)) continue;
    const elType = el.types[0]!;
    if (!key.startsWith('_') && el.types.length === 1 && isBackboneType(elType)) {
      out[key] = Array.isArray(v) ? v.map((item) => (isObj(item) ? summarize(item, elType) : item)) : isObj(v) ? summarize(v, elType) : v;
    } else {
      out[key] = v;
    }
  }
  return out;
}

export type SummaryForm = 'true' | 'text' | 'data' | 'false';

/** `resource` in the `_summary` form asked for (see the module comment). */
export function applySummary<T>(resource: T, mode: SummaryForm): T {
  const { root, type } = checkResource(resource);
  switch (mode) {
    case 'false':
      return resource;
    case 'data': {
      if (!('text' in root)) return withSubsettedTag({ ...root }) as T;
      const { text: _text, ...rest } = root;
      return withSubsettedTag(rest) as T;
    }
    case 'text': {
      const out: Obj = {};
      for (const [key, v] of Object.entries(root)) {
        if (key === 'resourceType' || key === 'id' || key === 'meta' || key === 'text' || key === '_id') {
          out[key] = v;
          continue;
        }
        if (elementOfKey(type, key)?.required) out[key] = v;
      }
      return withSubsettedTag(out) as T;
    }
    case 'true':
      return withSubsettedTag(summarize(root, type)) as T;
  }
}

/**
 * `resource` reduced to the top-level `elements` (plus id, meta, mandatory and modifier elements).
 * Throws `invalid` for a name that is not a top-level element of the type.
 */
export function applyElements<T>(resource: T, elements: readonly string[]): T {
  const { root, type } = checkResource(resource);
  const all = elementsOf(type)!;
  const wanted = new Set<string>();
  const wantedKeys = new Set<string>();
  for (const name of elements) {
    if (all.has(name)) wanted.add(name);
    else {
      const el = elementOfKey(type, name);
      if (!el || !el.choice) throw invalid(`_elements: ${type} has no element "${name}"`);
      wantedKeys.add(name);
    }
  }
  const out: Obj = {};
  for (const [key, v] of Object.entries(root)) {
    if (key === 'resourceType') {
      out[key] = v;
      continue;
    }
    const el = elementOfKey(type, key);
    if (!el) continue;
    const bare = key.startsWith('_') ? key.slice(1) : key;
    if (el.name === 'id' || el.name === 'meta' || el.required || el.modifier || wanted.has(el.name) || wantedKeys.has(bare)) out[key] = v;
  }
  return withSubsettedTag(out) as T;
}
