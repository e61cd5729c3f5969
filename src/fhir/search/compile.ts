/**
 * Compiles a search parameter's FHIRPath expression (in the subset `fhirpath-subset.ts` parses)
 * into "branches": a static list of JSON property steps with the FHIR type of the values they
 * reach, typed using the R4 element model. Choice elements split into one branch per type
 * (`Observation.value` → `valueQuantity: Quantity`, `valueString: string`, …), so `as` / `ofType`
 * are resolved at compile time and only `where(…)` filters and `[n]` indexers run per resource.
 *
 * `walk` then evaluates a branch over a resource with plain property reads: no FHIRPath
 * interpreter, no typed-value wrappers. The result is the FHIRPath result of the expression, as
 * the equivalence test over the HL7 R4 examples checks against medplum's FHIRPath engine.
 */
import { normalizeTypeName, type PathNode } from './fhirpath-subset.ts';
import { elementOf, isResourceType, jsonKey, PRIMITIVE_TYPES } from './model.ts';
import { normalizeReference } from './reference.ts';

type Obj = Record<string, unknown>;

export const OpKind = { Key: 0, KeyIndex: 1, WhereEq: 2, WhereRef: 3 } as const;

export type Op =
  | { readonly kind: typeof OpKind.Key; readonly key: string }
  | { readonly kind: typeof OpKind.KeyIndex; readonly key: string; readonly n: number }
  | { readonly kind: typeof OpKind.WhereEq; readonly key: string; readonly value: string }
  | { readonly kind: typeof OpKind.WhereRef; readonly type: string };

export interface Branch {
  readonly ops: readonly Op[];
  /** The FHIR type of the values the branch reaches (`Resource` for a nested resource). */
  readonly type: string;
  /** Starts at the resource (`%resource`, or the root of a top-level expression). */
  readonly fromRoot: boolean;
  /** No step so far can yield more than one value (an indexer needs this). */
  readonly single: boolean;
  /** A boolean-valued expression (`x.exists() and x != false`): its value, `undefined` = empty. */
  readonly compute?: BoolFn;
}

/** A compiled boolean expression, FHIRPath three-valued: `undefined` is the empty collection. */
export type BoolFn = (start: unknown, root: Obj) => boolean | undefined;

/** The expression uses a construct the compiler does not handle: use FHIRPath instead. */
export class CompileUnsupported extends Error {}
/** The expression names an element the R4 model does not have. */
export class CompileInvalid extends Error {}

export interface CompileContext {
  /** Type of the context node (the resource type, or a backbone path for composite components). */
  readonly contextType: string;
  /** The resource type (`%resource`). */
  readonly rootType: string;
}

function compileNode(node: PathNode, ctx: CompileContext): Branch[] {
  switch (node.k) {
    case 'resource':
      return [{ ops: [], type: ctx.rootType, fromRoot: true, single: true }];
    case 'ident': {
      const isContextType =
        node.name === ctx.contextType ||
        (ctx.contextType === ctx.rootType && (node.name === 'Resource' || node.name === 'DomainResource'));
      if (isContextType) return [{ ops: [], type: ctx.contextType, fromRoot: false, single: true }];
      if (/^[A-Z]/.test(node.name) && isResourceType(node.name)) {
        throw new CompileInvalid(`${node.name} is not the context type ${ctx.contextType}`);
      }
      return member([{ ops: [], type: ctx.contextType, fromRoot: false, single: true }], node.name);
    }
    case 'member':
      return member(compileNode(node.base, ctx), node.name);
    case 'index': {
      if (node.base.k !== 'member') throw new CompileUnsupported('indexer not directly after an element');
      const base = compileNode(node.base.base, ctx);
      if (!base.every((b) => b.single)) throw new CompileUnsupported('indexer after a repeating element');
      return member(base, node.base.name).map((b) => {
        const last = b.ops[b.ops.length - 1] as { kind: typeof OpKind.Key; key: string };
        return { ...b, ops: [...b.ops.slice(0, -1), { kind: OpKind.KeyIndex, key: last.key, n: node.n }], single: true };
      });
    }
    case 'as': {
      const type = normalizeTypeName(node.type);
      return compileNode(node.base, ctx).filter((b) => {
        if (b.type === 'Resource') throw new CompileUnsupported('type test on a nested resource');
        return b.type === type;
      });
    }
    case 'whereResolveIs': {
      const base = compileNode(node.base, ctx);
      for (const b of base) if (b.type !== 'Reference') throw new CompileUnsupported(`resolve() on ${b.type}`);
      return base.map((b) => ({ ...b, ops: [...b.ops, { kind: OpKind.WhereRef, type: node.type }] }));
    }
    case 'whereEq': {
      const base = compileNode(node.base, ctx);
      return base.map((b) => {
        const el = elementOf(b.type, node.name);
        if (!el) throw new CompileInvalid(`${b.type} has no element ${node.name}`);
        if (el.choice || !PRIMITIVE_TYPES.has(el.types[0]!)) throw new CompileUnsupported('where() on a non-primitive');
        return { ...b, ops: [...b.ops, { kind: OpKind.WhereEq, key: el.name, value: node.value }] };
      });
    }
    case 'union':
      return node.items.flatMap((item) => compileNode(item, ctx));
    case 'literal':
      throw new CompileUnsupported('a literal as a path');
    case 'exists':
    case 'empty':
    case 'not':
    case 'eq':
    case 'ne':
    case 'and':
    case 'or':
      return [{ ops: [], type: 'boolean', fromRoot: false, single: true, compute: compileBool(node, ctx) }];
  }
}

const BOOLEAN_KINDS = new Set(['exists', 'empty', 'not', 'eq', 'ne', 'and', 'or']);

/** The values a (path) node reaches from `start`. */
function collector(node: PathNode, ctx: CompileContext): (start: unknown, root: Obj) => unknown[] {
  if (BOOLEAN_KINDS.has(node.k)) {
    const f = compileBool(node, ctx);
    return (start, root) => {
      const v = f(start, root);
      return v === undefined ? [] : [v];
    };
  }
  if (node.k === 'literal') {
    const v = node.value;
    return () => [v];
  }
  const branches = compileNode(node, ctx);
  for (const b of branches) if (b.compute) throw new CompileUnsupported('nested boolean expression');
  return (start, root) => {
    const out: unknown[] = [];
    for (const b of branches) walk(b.fromRoot ? root : start, b.ops, 0, root, pushInto, out);
    return out;
  };
}

function pushInto(v: unknown, out: unknown[]): void {
  out.push(v);
}

/** Compiles a boolean-valued node (FHIRPath §5.1 existence, §6.1 equality, §6.5 boolean logic). */
function compileBool(node: PathNode, ctx: CompileContext): BoolFn {
  switch (node.k) {
    case 'exists':
    case 'empty': {
      const get = collector(node.base, ctx);
      const exists = node.k === 'exists';
      return (start, root) => (get(start, root).length > 0) === exists;
    }
    case 'not': {
      const get = collector(node.base, ctx);
      return (start, root) => {
        const v = get(start, root);
        return v.length === 1 && typeof v[0] === 'boolean' ? !v[0] : undefined;
      };
    }
    case 'eq':
    case 'ne': {
      const left = collector(node.left, ctx);
      const right = collector(node.right, ctx);
      const eq = node.k === 'eq';
      return (start, root) => {
        const a = left(start, root);
        const b = right(start, root);
        if (a.length !== 1 || b.length !== 1) return undefined;
        return (a[0] === b[0]) === eq;
      };
    }
    case 'and':
    case 'or': {
      const left = compileBool(node.left, ctx);
      const right = compileBool(node.right, ctx);
      if (node.k === 'and') {
        return (start, root) => {
          const a = left(start, root);
          if (a === false) return false;
          const b = right(start, root);
          if (b === false) return false;
          return a === true && b === true ? true : undefined;
        };
      }
      return (start, root) => {
        const a = left(start, root);
        if (a === true) return true;
        const b = right(start, root);
        if (b === true) return true;
        return a === false && b === false ? false : undefined;
      };
    }
    default: {
      const get = collector(node, ctx);
      return (start, root) => {
        const v = get(start, root);
        return v.length === 1 && typeof v[0] === 'boolean' ? v[0] : undefined;
      };
    }
  }
}

function member(base: Branch[], name: string): Branch[] {
  const out: Branch[] = [];
  for (const b of base) {
    if (b.type === 'Resource') throw new CompileUnsupported('navigation into a nested resource');
    const el = elementOf(b.type, name);
    if (!el) throw new CompileInvalid(`${b.type} has no element ${name}`);
    for (const type of el.types) {
      out.push({
        ops: [...b.ops, { kind: OpKind.Key, key: jsonKey(el, type) }],
        type,
        fromRoot: b.fromRoot,
        single: b.single && !el.array,
      });
    }
  }
  return out;
}

/** Compiles a parsed expression; throws `CompileUnsupported` or `CompileInvalid`. */
export function compileBranches(node: PathNode, ctx: CompileContext): Branch[] {
  return compileNode(node, ctx);
}

/** The resource type a Reference points to, the way `resolve() is T` sees it. */
export function referenceTargetType(ref: unknown, root: Obj): string | undefined {
  if (typeof ref !== 'object' || ref === null) return undefined;
  const r = ref as Obj;
  if (typeof r.reference === 'string') {
    if (r.reference.startsWith('#')) {
      const contained = root.contained;
      if (Array.isArray(contained)) {
        for (const c of contained) {
          if (typeof c === 'object' && c !== null && (c as Obj).id === r.reference.slice(1)) return (c as Obj).resourceType as string;
        }
      }
    } else {
      const t = normalizeReference(r.reference).targetType;
      if (t !== undefined) return t;
    }
  }
  return typeof r.type === 'string' ? r.type : undefined;
}

/**
 * Calls `emit(value)` for every value branch `ops` reaches from `value` (arrays flattened, nulls
 * and absent values skipped): the FHIRPath navigation semantics.
 */
export function walk<C>(
  value: unknown,
  ops: readonly Op[],
  i: number,
  root: Obj,
  emit: (v: unknown, arg: C) => void,
  arg: C,
): void {
  if (i === ops.length) {
    emit(value, arg);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const op = ops[i]!;
  switch (op.kind) {
    case OpKind.Key: {
      const x = (value as Obj)[op.key];
      if (x === undefined || x === null) return;
      if (Array.isArray(x)) {
        for (let j = 0; j < x.length; j++) {
          const e = x[j];
          if (e !== undefined && e !== null) walk(e, ops, i + 1, root, emit, arg);
        }
      } else {
        walk(x, ops, i + 1, root, emit, arg);
      }
      return;
    }
    case OpKind.KeyIndex: {
      const x = (value as Obj)[op.key];
      const e = Array.isArray(x) ? x[op.n] : op.n === 0 ? x : undefined;
      if (e !== undefined && e !== null) walk(e, ops, i + 1, root, emit, arg);
      return;
    }
    case OpKind.WhereEq: {
      const x = (value as Obj)[op.key];
      if (x === op.value || (Array.isArray(x) && x.includes(op.value))) walk(value, ops, i + 1, root, emit, arg);
      return;
    }
    case OpKind.WhereRef:
      if (referenceTargetType(value, root) === op.type) walk(value, ops, i + 1, root, emit, arg);
      return;
  }
}
