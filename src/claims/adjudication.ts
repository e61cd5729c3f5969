/**
 * One claim adjudicated, as the insurer's node does it and as the benchmark measures it: every rule
 * (or the `enabled` ones) over the normalized claim with the history and the claim's overlay, the
 * decision, the ClaimResponse and the patient's ExplanationOfBenefit. No I/O beyond the facts' own.
 */
import { claimResponseOf, decide, explanationOfBenefitOf, type DecisionOutcome } from './adjudicate.ts';
import { claimFacts, type ClaimOverlay, type LedgerLookups } from './claim-facts.ts';
import type { EmTally } from './em-tally.ts';
import type { ClaimTables } from './tables/claim-tables.ts';
import { ALL_RULES, runRules, type RuleRun } from './rules/engine.ts';
import type { InMemoryClaimFacts } from './rules/in-memory-facts.ts';
import type { NormalizedClaim } from './rules/types.ts';

type Json = Record<string, unknown>;

export interface Adjudication {
  run: RuleRun;
  outcome: DecisionOutcome;
  response: Json;
  eob: Json;
}

export async function adjudicate(input: {
  claim: Json;
  normalized: NormalizedClaim;
  claimId: string;
  insurer: string;
  history: InMemoryClaimFacts;
  overlay: ClaimOverlay;
  lookups: LedgerLookups;
  /** The insurer's E/M statistics (upcoding), updated with this claim. */
  em?: EmTally;
  /** The claim-editing tables in force (default: the history's). */
  tables?: ClaimTables;
  enabled?: Iterable<string>;
}): Promise<Adjudication> {
  const run = await runRules(input.normalized, claimFacts(input.history, input.overlay, input.lookups, input.em, input.tables), ALL_RULES, input.enabled === undefined ? {} : { enabled: input.enabled });
  const outcome = decide(run);
  const response = claimResponseOf(input.claim, { id: input.claimId.slice(2, 26), claimId: input.claimId, insurer: input.insurer, decision: outcome, flags: run.flags, created: new Date().toISOString() });
  const eob = explanationOfBenefitOf(input.claim, response, { id: `eob-${input.claimId.slice(2, 22)}`, claimId: input.claimId, state: outcome.decision });
  input.history.addClaim(input.normalized);
  input.em?.add(input.normalized);
  return { run, outcome, response, eob };
}
