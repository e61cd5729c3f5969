/**
 * `extractIndexValues(resource)`: for each search parameter of the resource's type, the typed
 * values the search index stores (R4 search.html: token, reference, date, string, number, quantity,
 * uri, composite; `near` for Location). Raw values only: blinding (keyed HMAC tokens, normalised
 * prefixes and trigrams) is the storage layer's job.
 *
 * On the write path, so it is fast: the compiled branches of `searchParameters.ts` are plain
 * property reads and converters, with no FHIRPath interpretation (medplum's engine is only the
 * fallback for expressions outside the compiled subset; no R4 parameter needs it). Measured in
 * `bench/fhir-extract.micro.ts`: 2–17 µs for typical resources. Contained resources are not indexed
 * (search.html#contained: "search results only include resources that are not contained").
 */
import { evalFhirPathTyped, toTypedValue } from '@medplum/core';
import { DomainError } from '../../shared/errors.ts';
import { walk } from './compile.ts';
import type { ConvertContext, Converter } from './convert.ts';
import type { ReferenceOptions } from './reference.ts';
import { compiledParamsOf, type CompiledBranch, type CompiledParam, type SearchParamDef } from './searchParameters.ts';
import type { IndexValue } from './types.ts';

/** The values of one parameter (only parameters with at least one value are returned). */
export interface ExtractedParam {
  readonly param: SearchParamDef;
  readonly values: readonly IndexValue[];
}

export type ExtractOptions = ReferenceOptions;

type Obj = Record<string, unknown>;

interface EmitState {
  convert: Converter;
  out: IndexValue[];
  ctx: ConvertContext;
}

function emitConvert(v: unknown, s: EmitState): void {
  s.convert(v, s.out, s.ctx);
}
function emitCollect(v: unknown, into: unknown[]): void {
  into.push(v);
}

function runBranches(branches: readonly CompiledBranch[], start: unknown, root: Obj, state: EmitState): void {
  for (let i = 0; i < branches.length; i++) {
    const b = branches[i]!;
    if (b.compute) {
      const v = b.compute(b.fromRoot ? root : start, root);
      if (v !== undefined) b.convert(v, state.out, state.ctx);
      continue;
    }
    state.convert = b.convert;
    walk(b.fromRoot ? root : start, b.ops, 0, root, emitConvert, state);
  }
}

/** Shallow equality of two index values of the same parameter (for de-duplication). */
function sameValue(a: IndexValue, b: IndexValue): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'token': {
      const t = b as typeof a;
      return a.system === t.system && a.code === t.code && a.text === t.text && a.ofType === undefined && t.ofType === undefined;
    }
    case 'reference': {
      const r = b as typeof a;
      return a.reference === r.reference && a.version === r.version && a.identifier === undefined && r.identifier === undefined && a.targetType === r.targetType;
    }
    case 'string':
    case 'uri':
      return a.value === (b as typeof a).value;
    case 'date':
      return a.low === (b as typeof a).low && a.high === (b as typeof a).high;
    case 'number': {
      const n = b as typeof a;
      return a.value === n.value && a.low === n.low && a.high === n.high;
    }
    case 'quantity': {
      const q = b as typeof a;
      return a.value === q.value && a.low === q.low && a.high === q.high && a.system === q.system && a.code === q.code && a.unit === q.unit;
    }
    default:
      return false;
  }
}

/** A string that identifies a value for de-duplication (`undefined`: never merged). */
function valueKey(v: IndexValue): string | undefined {
  switch (v.kind) {
    case 'token':
      return v.ofType === undefined ? `t\u0000${v.system ?? ''}\u0000${v.code ?? ''}\u0000${v.text ?? ''}\u0000${v.system === undefined ? 0 : 1}${v.code === undefined ? 0 : 1}${v.text === undefined ? 0 : 1}` : undefined;
    case 'reference':
      return v.identifier === undefined ? `r\u0000${v.reference ?? ''}\u0000${v.version ?? ''}\u0000${v.targetType ?? ''}` : undefined;
    case 'string':
    case 'uri':
      return `${v.kind}\u0000${v.value}`;
    case 'date':
      return `d\u0000${v.low}\u0000${v.high}`;
    case 'number':
      return `n\u0000${v.value}\u0000${v.low}\u0000${v.high}`;
    case 'quantity':
      return `q\u0000${v.value}\u0000${v.low}\u0000${v.high}\u0000${v.system ?? ''}\u0000${v.code ?? ''}\u0000${v.unit ?? ''}`;
    default:
      return undefined;
  }
}

/** Removes repeated values: pairwise for short lists, by key for long ones (a 6,000-code ValueSet). */
function dedupe(values: IndexValue[]): IndexValue[] {
  if (values.length < 2) return values;
  const out: IndexValue[] = [];
  if (values.length <= 8) {
    outer: for (const v of values) {
      for (const w of out) if (sameValue(v, w)) continue outer;
      out.push(v);
    }
    return out;
  }
  const seen = new Set<string>();
  for (const v of values) {
    const k = valueKey(v);
    if (k !== undefined) {
      if (seen.has(k)) continue;
      seen.add(k);
    }
    out.push(v);
  }
  return out;
}

function extractComposite(p: Extract<CompiledParam, { kind: 'composite' }>, root: Obj, state: EmitState): IndexValue[] {
  const out: IndexValue[] = [];
  for (const c of p.contexts) {
    const nodes: unknown[] = [];
    walk(root, c.context.ops, 0, root, emitCollect, nodes);
    for (const node of nodes) {
      const perComponent: IndexValue[][] = [];
      for (const branches of c.components) {
        const values: IndexValue[] = [];
        state.out = values;
        runBranches(branches, node, root, state);
        // A token component matches on system/code: text-only tokens (CodeableConcept.text) cannot.
        const usable = values.filter((v) => v.kind !== 'token' || v.code !== undefined || v.system !== undefined);
        if (usable.length === 0) break;
        perComponent.push(dedupe(usable));
      }
      if (perComponent.length !== c.components.length) continue;
      // Every combination of one value per component, all from this context node.
      let combos: IndexValue[][] = [[]];
      for (const values of perComponent) {
        const next: IndexValue[][] = [];
        for (const prefix of combos) for (const v of values) next.push([...prefix, v]);
        combos = next;
      }
      for (const components of combos) out.push({ kind: 'composite', components });
    }
  }
  return out;
}

function extractFhirPath(p: Extract<CompiledParam, { kind: 'fhirpath' }>, root: Obj, ctx: ConvertContext): IndexValue[] {
  const out: IndexValue[] = [];
  const typed = toTypedValue(root);
  let results;
  try {
    results = evalFhirPathTyped(p.atom, [typed], { '%resource': typed });
  } catch {
    return out;
  }
  for (const r of results) p.convert(r.type)?.(r.value, out, ctx);
  return out;
}

function checkResource(resource: unknown): Obj {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw new DomainError('invalid', 'a resource must be a JSON object');
  }
  const root = resource as Obj;
  if (typeof root.resourceType !== 'string') throw new DomainError('invalid', 'the resource has no resourceType');
  return root;
}

function valuesOf(p: CompiledParam, root: Obj, state: EmitState): IndexValue[] {
  if (p.kind === 'branches') {
    const values: IndexValue[] = [];
    state.out = values;
    runBranches(p.branches, root, root, state);
    return dedupe(values);
  }
  if (p.kind === 'composite') return dedupe(extractComposite(p, root, state));
  return dedupe(extractFhirPath(p, root, state.ctx));
}

/**
 * The index values of `resource`, parameter by parameter (in the type's alphabetical parameter
 * order), leaving out parameters with no value. Throws `DomainError` `invalid` for a value that is
 * not a resource of a known R4 type.
 */
export function extractIndexValues(resource: unknown, options: ExtractOptions = {}): ExtractedParam[] {
  const root = checkResource(resource);
  const type = root.resourceType as string;
  const params = compiledParamsOf(type);
  if (!params) throw new DomainError('invalid', `"${type}" is not a FHIR R4 resource type`);
  const state: EmitState = { convert: noop, out: [], ctx: { root, options } };
  const result: ExtractedParam[] = [];
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const values = valuesOf(p, root, state);
    if (values.length > 0) result.push({ param: p.def, values });
  }
  return result;
}

/** The index values of one compiled parameter of `resource` (its type must be the parameter's). */
export function extractParam(param: CompiledParam, resource: unknown, options: ExtractOptions = {}): IndexValue[] {
  const root = checkResource(resource);
  if (root.resourceType !== param.def.resourceType) {
    throw new DomainError('invalid', `${param.def.resourceType}.${param.def.code} cannot be read from a ${String(root.resourceType)}`);
  }
  return valuesOf(param, root, { convert: noop, out: [], ctx: { root, options } });
}

const noop: Converter = () => {};
