/**
 * From a parsed search (`parseSearch`) to index clauses: what each criterion looks up in the blinded
 * index (tokens by equality, ranges by the prefix rules, columns of the current-version row), and
 * which criteria must also be confirmed on the decrypted resource (`confirm`), because the index can
 * only narrow them or does not hold them (docs/search-privacy.md):
 *
 * - string `:contains` (trigrams narrow), a default string query longer than the indexed prefixes,
 *   and the default / `:contains` search of string parameters that are not name-like;
 * - token `:text` (display texts are never indexed);
 * - composites with a string component or a quantity unit; Location `near`; `:missing`.
 *
 * Chains and `_has` are resolved first (a bounded inner search) into reference tokens or ids.
 */
import { DomainError } from '../../shared/errors.ts';
import type { SqlValue } from '../../storage/engine.ts';
import type {
  ChainCriterion,
  Criterion,
  HasCriterion,
  MissingCriterion,
  ParamCriterion,
  QueryValue,
  SearchParamDef,
} from '../../fhir/search/index.ts';
import { namespaceOf, type Blind } from '../index/entries.ts';
import {
  containsQueryForms,
  isNameLike,
  referenceQueryForm,
  stringPrefixQuery,
  tokenQueryForm,
  uriQueryForms,
  type Form,
} from '../index/forms.ts';
import { rangeCondition, type SqlCondition } from '../index/range-sql.ts';

export type Clause =
  /** The resource has one of these tokens. */
  | { readonly kind: 'tokens'; readonly any: readonly Buffer[] }
  /** The resource has none of these tokens. */
  | { readonly kind: 'no-tokens'; readonly any: readonly Buffer[] }
  /** A range row of `param` matches one of the alternatives (with one of its tags, when given). */
  | { readonly kind: 'range'; readonly param: string; readonly alts: readonly { readonly cond: SqlCondition; readonly tags?: readonly Buffer[] }[] }
  /** A condition on the current-version row `c`; `ids`, when it is an `_id` list. */
  | { readonly kind: 'column'; readonly sql: string; readonly params: readonly SqlValue[]; readonly ids?: number }
  /** Matches nothing. */
  | { readonly kind: 'nothing' };

export interface PlannedCriterion {
  readonly clauses: Clause[];
  /** Confirm on the decrypted resource (the clauses, if any, only narrow). */
  readonly confirm?: ParamCriterion | MissingCriterion;
}

/** Resolves a chain or `_has` with a bounded inner search: target ids (chain) or matching ids (`_has`). */
export interface InnerResolver {
  chainTargets(c: ChainCriterion): Promise<string[]>;
  hasMatches(c: HasCriterion): Promise<string[]>;
}

const tokensOf = (blind: Blind, def: SearchParamDef, forms: readonly Form[]) => forms.map((f) => blind(namespaceOf(def), f));

function notSupported(message: string): DomainError {
  return new DomainError('not-supported', message);
}

/** Composite key of one query component, or undefined when only confirmation can decide it. */
function componentKeys(q: QueryValue): string[] | undefined {
  switch (q.kind) {
    case 'token':
      if (q.match === 'code') return [`c:${q.code}`];
      if (q.match === 'system-code') return [`sc:${q.system}|${q.code}`];
      return undefined;
    case 'reference':
      return q.version === undefined ? q.candidates.map((c) => `r:${c}`) : undefined;
    case 'uri':
      return [`u:${q.value}`];
    default:
      return undefined;
  }
}

function combine(parts: string[][]): string[] {
  let out = [''];
  for (const keys of parts) out = out.flatMap((p) => keys.map((k) => (p === '' ? k : `${p}$${k}`)));
  return out;
}

function planComposite(blind: Blind, c: ParamCriterion): PlannedCriterion {
  const ns = namespaceOf(c.param);
  const tokens: Buffer[] = [];
  const alts: { cond: SqlCondition; tags: Buffer[] }[] = [];
  let confirm = false;
  let rangeLast = false;
  for (const v of c.values) {
    if (v.kind !== 'composite') continue;
    const last = v.components[v.components.length - 1]!;
    const isRange = last.kind === 'date' || last.kind === 'number' || last.kind === 'quantity';
    const eq = isRange ? v.components.slice(0, -1) : v.components;
    const parts = eq.map(componentKeys);
    if (parts.some((p) => p === undefined)) return { clauses: [], confirm: c };
    const keys = combine(parts as string[][]).map((k) => blind(ns, ['k', k]));
    if (isRange) {
      rangeLast = true;
      if (last.kind === 'quantity' && (last.system !== undefined || last.codeOrUnit !== undefined)) confirm = true;
      alts.push({ cond: rangeCondition(last.prefix, last), tags: keys });
    } else tokens.push(...keys);
  }
  if (rangeLast && tokens.length > 0) return { clauses: [], confirm: c }; // mixed shapes: confirm only
  const clauses: Clause[] = rangeLast ? [{ kind: 'range', param: ns, alts }] : [{ kind: 'tokens', any: tokens }];
  return confirm ? { clauses, confirm: c } : { clauses };
}

function planString(blind: Blind, c: ParamCriterion): PlannedCriterion {
  const values = c.values.map((v) => (v.kind === 'string' ? v.value : ''));
  if (c.modifier === 'exact') return { clauses: [{ kind: 'tokens', any: tokensOf(blind, c.param, values.map((v): Form => ['x', v])) }] };
  if (!isNameLike(c.param)) return { clauses: [], confirm: c };
  if (c.modifier === 'contains') {
    const sets = values.map(containsQueryForms);
    if (sets.some((s) => s === undefined)) return { clauses: [], confirm: c };
    if (sets.length === 1) return { clauses: sets[0]!.map((f): Clause => ({ kind: 'tokens', any: tokensOf(blind, c.param, [f]) })), confirm: c };
    // OR of several: any trigram of any value narrows; confirmation decides.
    return { clauses: [{ kind: 'tokens', any: tokensOf(blind, c.param, sets.flat() as Form[]) }], confirm: c };
  }
  const prefixes = values.map(stringPrefixQuery);
  if (prefixes.some((p) => p === undefined)) return { clauses: [], confirm: c };
  const clause: Clause = { kind: 'tokens', any: tokensOf(blind, c.param, prefixes.map((p) => p!.form)) };
  return prefixes.some((p) => p!.confirm) ? { clauses: [clause], confirm: c } : { clauses: [clause] };
}

function planParam(blind: Blind, c: ParamCriterion): PlannedCriterion {
  const def = c.param;
  if (def.code === 'phonetic') throw notSupported(`${c.name}: phonetic matching is not supported by this server`);
  if (def.code === '_id') {
    const ids = c.values.map((v) => (v.kind === 'token' && v.match === 'code' ? v.code : ''));
    const sql = `c.id ${c.modifier === 'not' ? 'NOT IN' : 'IN'} (${ids.map(() => '?').join(', ')})`;
    return { clauses: [c.modifier === 'not' ? { kind: 'column', sql, params: ids } : { kind: 'column', sql, params: ids, ids: ids.length }] };
  }
  if (def.code === '_lastUpdated') {
    const alts = c.values.map((v) => (v.kind === 'date' ? rangeCondition(v.prefix, v, 'c.last_updated_ms', '(c.last_updated_ms + 1)') : undefined)).filter((x) => x !== undefined);
    return { clauses: [{ kind: 'column', sql: `(${alts.map((a) => a.sql).join(' OR ')})`, params: alts.flatMap((a) => a.params) }] };
  }
  switch (def.type) {
    case 'token': {
      if (c.modifier === 'text') return { clauses: [], confirm: c };
      const forms = c.values.map((v) => (v.kind === 'token' ? tokenQueryForm(v) : undefined)).filter((f) => f !== undefined);
      const any = tokensOf(blind, def, forms);
      return { clauses: [c.modifier === 'not' ? { kind: 'no-tokens', any } : { kind: 'tokens', any }] };
    }
    case 'reference': {
      if (c.modifier === 'identifier') {
        const forms = c.values.map((v) => (v.kind === 'token' ? tokenQueryForm(v, 'i') : undefined)).filter((f) => f !== undefined);
        return { clauses: [{ kind: 'tokens', any: tokensOf(blind, def, forms) }] };
      }
      const forms = c.values.flatMap((v) => (v.kind === 'reference' ? v.candidates.map((cand) => referenceQueryForm(cand, v.version)) : []));
      return { clauses: [{ kind: 'tokens', any: tokensOf(blind, def, forms) }] };
    }
    case 'uri': {
      const mod = c.modifier === 'above' || c.modifier === 'below' ? c.modifier : undefined;
      const forms = c.values.flatMap((v) => (v.kind === 'uri' ? uriQueryForms(v.value, mod) : []));
      return { clauses: [{ kind: 'tokens', any: tokensOf(blind, def, forms) }] };
    }
    case 'string':
      return planString(blind, c);
    case 'date':
    case 'number':
      return {
        clauses: [{ kind: 'range', param: namespaceOf(def), alts: c.values.map((v) => ({ cond: rangeCondition((v as { prefix: 'eq' }).prefix, v as { low: number; high: number }) })) }],
      };
    case 'quantity':
      return {
        clauses: [
          {
            kind: 'range',
            param: namespaceOf(def),
            alts: c.values.map((v) => {
              if (v.kind !== 'quantity') throw new Error('quantity expected');
              const cond = rangeCondition(v.prefix, v);
              if (v.system !== undefined && v.code !== undefined) return { cond, tags: [blind(namespaceOf(def), ['qs', `${v.system}|${v.code}`])] };
              if (v.codeOrUnit !== undefined) return { cond, tags: [blind(namespaceOf(def), ['qu', v.codeOrUnit])] };
              return { cond };
            }),
          },
        ],
      };
    case 'composite':
      return planComposite(blind, c);
    case 'special':
      return { clauses: [], confirm: c };
  }
}

/** `:missing` is confirmed on the resource: the index keeps no per-parameter presence (entries.ts). */
function planMissing(c: MissingCriterion): PlannedCriterion {
  if (c.param.code === '_id' || c.param.code === '_lastUpdated') return { clauses: c.missing ? [{ kind: 'nothing' }] : [] };
  return { clauses: [], confirm: c };
}

/** The index clauses (and confirmations) of every criterion, AND-ed. */
export async function planCriteria(blind: Blind, criteria: readonly Criterion[], inner: InnerResolver): Promise<PlannedCriterion[]> {
  const out: PlannedCriterion[] = [];
  for (const c of criteria) {
    switch (c.kind) {
      case 'param':
        out.push(planParam(blind, c));
        break;
      case 'missing':
        out.push(planMissing(c));
        break;
      case 'chain': {
        const ids = await inner.chainTargets(c);
        const forms = ids.map((id) => referenceQueryForm(`${c.targetType}/${id}`, undefined));
        out.push({ clauses: [ids.length === 0 ? { kind: 'nothing' } : { kind: 'tokens', any: tokensOf(blind, c.param, forms) }] });
        break;
      }
      case 'has': {
        const ids = await inner.hasMatches(c);
        out.push({ clauses: [ids.length === 0 ? { kind: 'nothing' } : { kind: 'column', sql: `c.id IN (${ids.map(() => '?').join(', ')})`, params: ids, ids: ids.length }] });
        break;
      }
    }
  }
  return out;
}
