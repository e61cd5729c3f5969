/**
 * The rule engine: runs rules over one normalized claim and combines their flags into one score.
 *
 * All enabled rules start at once, so asynchronous facts lookups overlap. A rule that throws (a
 * lookup failed, a bug) does not hide the others' flags: its error is returned in `errors` and the
 * run is marked incomplete, so a caller never mistakes "could not check" for "nothing found".
 *
 * Combined score: each rule contributes its strongest flag; the rules are combined as independent
 * signals (noisy-OR), 1 − Π(1 − s_rule). Several flags from one rule (say, five duplicated lines)
 * therefore count once, while findings from different rules reinforce each other.
 */
import { invalid } from '../../shared/errors.ts';
import { afterDeathRule } from './after-death.ts';
import { ageSexRule } from './age-sex.ts';
import { duplicateRule } from './duplicates.ts';
import { exclusionRule } from './exclusion.ts';
import { frequencyLimitRule } from './frequency-limit.ts';
import { impossibleDayRule } from './impossible-day.ts';
import { inpatientOverlapRule } from './inpatient-overlap.ts';
import { licenceStatusRule } from './licence-status.ts';
import { mueRule } from './mue-units.ts';
import { phantomBillingRule } from './phantom-billing.ts';
import { ptpRule } from './ptp-unbundling.ts';
import type { ClaimFacts, Flag, NormalizedClaim, Rule, Severity } from './types.ts';
import { upcodingRule } from './upcoding.ts';

/** Every rule with its default options, in the order flags are reported. */
export const ALL_RULES: readonly Rule[] = Object.freeze([
  exclusionRule(),
  licenceStatusRule(),
  afterDeathRule(),
  phantomBillingRule(),
  duplicateRule(),
  ptpRule(),
  mueRule(),
  impossibleDayRule(),
  inpatientOverlapRule(),
  frequencyLimitRule(),
  ageSexRule(),
  upcodingRule(),
]);

export interface RunOptions {
  /** Ids of the rules to run (default: all of `rules`). An unknown id is an error. */
  enabled?: Iterable<string>;
}

export interface RuleError {
  readonly rule: string;
  readonly message: string;
}

export interface RuleRun {
  readonly claimId: string;
  /** All flags, in rule order. */
  readonly flags: Flag[];
  /** Noisy-OR of each rule's strongest flag, 0..1 (0 with no flags). */
  readonly score: number;
  /** The highest severity among the flags, or null. */
  readonly severity: Severity | null;
  /** Ids of the rules that ran. */
  readonly rulesRun: string[];
  /** Rules that failed; their findings are unknown. */
  readonly errors: RuleError[];
  /** False if any rule failed. */
  readonly complete: boolean;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Combines flags: per rule the strongest score, then 1 − Π(1 − s). */
export function combinedScore(flags: readonly Flag[]): number {
  const best = new Map<string, number>();
  for (const f of flags) if (f.score > (best.get(f.rule) ?? 0)) best.set(f.rule, f.score);
  let keep = 1;
  for (const s of best.values()) keep *= 1 - s;
  return Math.round((1 - keep) * 1000) / 1000;
}

export function highestSeverity(flags: readonly Flag[]): Severity | null {
  let top: Severity | null = null;
  for (const f of flags) if (top === null || SEVERITY_RANK[f.severity] > SEVERITY_RANK[top]) top = f.severity;
  return top;
}

/** The rules `enabled` selects from `rules`, in `rules` order; throws on an unknown id. */
export function selectRules(rules: readonly Rule[], enabled?: Iterable<string>): readonly Rule[] {
  if (enabled === undefined) return rules;
  const wanted = new Set(enabled);
  const known = new Set(rules.map((r) => r.id));
  for (const id of wanted) if (!known.has(id)) throw invalid(`unknown claim rule "${id}"; known rules: ${[...known].join(', ')}`);
  return rules.filter((r) => wanted.has(r.id));
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function runRules(claim: NormalizedClaim, facts: ClaimFacts, rules: readonly Rule[] = ALL_RULES, options: RunOptions = {}): Promise<RuleRun> {
  const selected = selectRules(rules, options.enabled);
  const settled = await Promise.allSettled(
    selected.map((r) => {
      try {
        return Promise.resolve(r.evaluate(claim, facts));
      } catch (err) {
        return Promise.reject(err);
      }
    }),
  );
  const flags: Flag[] = [];
  const errors: RuleError[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') for (const f of s.value) flags.push(f);
    else errors.push({ rule: selected[i]!.id, message: message(s.reason) });
  });
  return {
    claimId: claim.id,
    flags,
    score: combinedScore(flags),
    severity: highestSeverity(flags),
    rulesRun: selected.map((r) => r.id),
    errors,
    complete: errors.length === 0,
  };
}
