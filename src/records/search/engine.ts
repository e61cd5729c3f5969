/**
 * FHIR R4 search over the blinded index, for every resource type and every search parameter of the
 * R4 definitions: parse (`parseSearch`, strict), plan (`plan.ts`), run (`execute.ts`), then
 * `_include` / `_revinclude` (one `:iterate` level). Chains and `_has` are resolved by bounded inner
 * searches. Authorization and audit are the repository's: this only finds.
 */
import { DomainError } from '../../shared/errors.ts';
import type { Sql } from '../../storage/engine.ts';
import type { Resource } from '../../fhir/types.ts';
import { parseSearch, type ChainCriterion, type HasCriterion, type IncludeSpec, type ParsedSearch } from '../../fhir/search/index.ts';
import { namespaceOf } from '../index/entries.ts';
import { referenceQueryForm } from '../index/forms.ts';
import type { RecordStore } from '../store.ts';
import { DEFAULT_SEARCH_LIMITS, executeSearch, sortable, type SearchHit, type SearchLimits } from './execute.ts';
import { valuesOf } from './match.ts';
import { planCriteria, type InnerResolver } from './plan.ts';

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 1000;
/** Targets a chain, or sources a `_has`, may resolve to. */
export const MAX_INNER = 1000;
/** Resources `_include` / `_revinclude` may add to one page. */
export const MAX_INCLUDED = 1000;

export interface SearchPage {
  readonly parsed: ParsedSearch;
  readonly matches: SearchHit[];
  readonly included: Resource[];
  /** Includes left out at the cap (reported as a warning). */
  readonly includesTruncated: boolean;
  readonly total?: number;
  readonly count: number;
  readonly offset: number;
}

export interface SearchRequest {
  readonly type: string;
  readonly params: URLSearchParams;
  /** The node's own base URLs (absolute references to them are local). */
  readonly localBases?: readonly string[];
}

/** Parses a search with this node's rules (`_count` cap, which parameters sort). */
export function parseRequest(type: string, params: URLSearchParams, localBases: readonly string[] = []): ParsedSearch {
  return parseSearch(type, params, { maxCount: MAX_COUNT, sortable, localBases });
}

export class SearchEngine {
  constructor(
    private readonly store: RecordStore,
    private readonly limits: SearchLimits = DEFAULT_SEARCH_LIMITS,
  ) {}

  /** The matches (one page), their total when cheap or asked for, and the included resources. */
  async search(sql: Sql, parsed: ParsedSearch): Promise<SearchPage> {
    const count = parsed.count ?? DEFAULT_COUNT;
    const offset = parsed.offset ?? 0;
    const planned = await planCriteria(this.store.index.blind, parsed.criteria, this.inner(sql));
    const countOnly = parsed.summary === 'count';
    const out = await executeSearch(sql, this.store, parsed, planned, { count, offset, countOnly, limits: this.limits });
    const matches: SearchHit[] = [];
    for (const h of out.hits) matches.push(h.resource ? h : { ...h, resource: await this.store.read(h.type, h.id, sql) });
    const { included, truncated } = countOnly ? { included: [], truncated: false } : await this.includes(sql, parsed, matches.map((m) => m.resource!));
    return { parsed, matches, included, includesTruncated: truncated, ...(out.total === undefined ? {} : { total: out.total }), count, offset };
  }

  /** The ids of the resources matching `criteria` on `type`, at most `MAX_INNER` (else too costly). */
  async ids(sql: Sql, parsed: ParsedSearch): Promise<SearchHit[]> {
    const planned = await planCriteria(this.store.index.blind, parsed.criteria, this.inner(sql));
    const out = await executeSearch(sql, this.store, { ...parsed, sort: [] }, planned, { count: MAX_INNER + 1, offset: 0, limits: this.limits });
    if (out.hits.length > MAX_INNER) {
      throw new DomainError('too-large', `a chained or _has criterion matches more than ${MAX_INNER} resources; make it more specific`, { code: 'too-costly' });
    }
    return out.hits;
  }

  private inner(sql: Sql): InnerResolver {
    const sub = (resourceType: string, criterion: ChainCriterion['criterion']): ParsedSearch => ({ resourceType, criteria: [criterion], include: [], revinclude: [], sort: [] });
    return {
      chainTargets: async (c: ChainCriterion) => (await this.ids(sql, sub(c.targetType, c.criterion))).map((h) => h.id),
      hasMatches: async (c: HasCriterion) => {
        const outerType = c.referenceParam.targets.length === 1 ? c.referenceParam.targets[0]! : undefined;
        const ids = new Set<string>();
        for (const h of await this.ids(sql, sub(c.sourceType, c.criterion))) {
          const resource = h.resource ?? (await this.store.read(h.type, h.id, sql));
          for (const v of valuesOf(resource, c.sourceType, c.referenceParam.code)) {
            if (v.kind === 'reference' && v.id !== undefined && v.reference === `${v.targetType}/${v.id}` && (outerType === undefined || v.targetType === outerType)) ids.add(v.id);
          }
        }
        return [...ids];
      },
    };
  }

  /** `_include` and `_revinclude` (search.html#include), then their `:iterate` forms once more on what was added. */
  private async includes(sql: Sql, parsed: ParsedSearch, matches: Resource[]): Promise<{ included: Resource[]; truncated: boolean }> {
    if (parsed.include.length === 0 && parsed.revinclude.length === 0) return { included: [], truncated: false };
    const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
    const included: Resource[] = [];
    let truncated = false;
    const add = async (type: string, id: string) => {
      const key = `${type}/${id}`;
      if (seen.has(key)) return;
      if (included.length >= MAX_INCLUDED) {
        truncated = true;
        return;
      }
      seen.add(key);
      try {
        included.push(await this.store.read(type, id, sql));
      } catch (err) {
        if (!(err instanceof DomainError) || (err.kind !== 'not-found' && err.kind !== 'gone')) throw err;
      }
    };
    const forward = async (spec: IncludeSpec, from: Resource[]) => {
      for (const r of from) {
        if (r.resourceType !== spec.sourceType) continue;
        for (const v of valuesOf(r, spec.sourceType, spec.param.code)) {
          if (v.kind !== 'reference' || v.id === undefined || v.targetType === undefined || v.reference !== `${v.targetType}/${v.id}`) continue;
          if (spec.targetType !== undefined && v.targetType !== spec.targetType) continue;
          await add(v.targetType, v.id);
        }
      }
    };
    const reverse = async (spec: IncludeSpec, from: Resource[]) => {
      const targets = from.filter((r) => spec.param.targets.length === 0 || spec.param.targets.includes(r.resourceType)).map((r) => `${r.resourceType}/${r.id}`);
      for (let i = 0; i < targets.length; i += 500) {
        const tokens = targets.slice(i, i + 500).map((t) => this.store.index.blind(namespaceOf(spec.param), referenceQueryForm(t, undefined)));
        const rows = await sql.all<{ id: string }>(
          `SELECT DISTINCT c.id AS id FROM search_token t CROSS JOIN record_current c WHERE t.token IN (${tokens.map(() => '?').join(', ')}) AND c.rid = t.rid AND c.type = ? AND c.deleted = 0 AND c.erased = 0 LIMIT ?`,
          [...tokens, spec.sourceType, MAX_INCLUDED + 1],
        );
        for (const r of rows) await add(spec.sourceType, r.id);
      }
    };
    for (const spec of parsed.include) await forward(spec, matches);
    for (const spec of parsed.revinclude) await reverse(spec, matches);
    const firstRound = [...included];
    for (const spec of parsed.include.filter((s) => s.iterate)) await forward(spec, firstRound);
    for (const spec of parsed.revinclude.filter((s) => s.iterate)) await reverse(spec, firstRound);
    return { included, truncated };
  }
}
