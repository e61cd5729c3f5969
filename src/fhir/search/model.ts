/**
 * The FHIR R4 (4.0.1) element model: for every resource, complex datatype and backbone element,
 * its elements with their type(s), cardinality and `isSummary` / `isModifier` flags. Read once from
 * `generated/r4-elements.json` (generated from the official StructureDefinitions, see
 * `model-build.ts`); lookups are O(1) map reads.
 *
 * Used to compile search-parameter expressions into direct property accessors (`compile.ts`), to
 * validate `_elements`, and to apply `_summary` (`summary.ts`).
 */
import { readFileSync } from 'node:fs';
import { ElementFlag, type ElementEntry, type R4ElementModel } from './model-build.ts';

/** One element of a type. */
export interface ElementInfo {
  /** Element name without `[x]` (`value` for `value[x]`). */
  readonly name: string;
  /** FHIR type codes; several for a choice element. Backbone elements are named by path. */
  readonly types: readonly string[];
  readonly array: boolean;
  readonly summary: boolean;
  /** min ≥ 1 */
  readonly required: boolean;
  readonly choice: boolean;
  readonly modifier: boolean;
}

/** FHIR primitive types (JSON string, number or boolean). */
export const PRIMITIVE_TYPES: ReadonlySet<string> = new Set([
  'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer',
  'markdown', 'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid', 'xhtml',
]);

const raw = JSON.parse(
  readFileSync(new URL('./generated/r4-elements.json', import.meta.url), 'utf8'),
) as R4ElementModel;

function toInfo(name: string, [types, flags]: ElementEntry): ElementInfo {
  return Object.freeze({
    name,
    types: Object.freeze(types.slice()),
    array: (flags & ElementFlag.ARRAY) !== 0,
    summary: (flags & ElementFlag.SUMMARY) !== 0,
    required: (flags & ElementFlag.REQUIRED) !== 0,
    choice: (flags & ElementFlag.CHOICE) !== 0,
    modifier: (flags & ElementFlag.MODIFIER) !== 0,
  });
}

const TYPES = new Map<string, ReadonlyMap<string, ElementInfo>>();
for (const [typeName, elements] of Object.entries(raw.types)) {
  const m = new Map<string, ElementInfo>();
  for (const [name, entry] of Object.entries(elements)) m.set(name, toInfo(name, entry));
  TYPES.set(typeName, m);
}
const RESOURCE_TYPES: readonly string[] = Object.freeze(raw.resourceTypes.slice());
const RESOURCE_TYPE_SET: ReadonlySet<string> = new Set(RESOURCE_TYPES);

/** The FHIR version the model describes. */
export const FHIR_VERSION = raw.fhirVersion;

/** Every concrete FHIR R4 resource type, alphabetical (146, including `Parameters`). */
export function resourceTypes(): readonly string[] {
  return RESOURCE_TYPES;
}

export function isResourceType(type: string): boolean {
  return RESOURCE_TYPE_SET.has(type);
}

/** The elements of a resource, datatype or backbone element (`Observation.component`), in definition order. */
export function elementsOf(typeName: string): ReadonlyMap<string, ElementInfo> | undefined {
  return TYPES.get(typeName);
}

export function elementOf(typeName: string, name: string): ElementInfo | undefined {
  return TYPES.get(typeName)?.get(name);
}

/** Whether a type name is a backbone element (named by its path) rather than a datatype. */
export function isBackboneType(typeName: string): boolean {
  return typeName.includes('.');
}

/** The JSON property holding `element` when it has type `type` (`valueQuantity` for `value[x]`). */
export function jsonKey(element: ElementInfo, type: string): string {
  return element.choice ? element.name + type.charAt(0).toUpperCase() + type.slice(1) : element.name;
}
