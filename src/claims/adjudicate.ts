/**
 * From a rule run to the insurer's answer: the decision (approve, pend for special investigations,
 * deny), the FHIR R4 `ClaimResponse` for the provider and the `ExplanationOfBenefit` for the patient
 * (CARIN Blue Button shape, reduced to what the claim carries). Pure: the service stores and anchors.
 *
 * Policy (explainable by construction): a claim with no flag is approved; a flag of severity
 * `critical` (an excluded or unlicensed provider, a service after death) denies it; any other flag,
 * or a run in which a rule could not be checked, pends it into the special-investigations queue for a
 * person to decide. Every ClaimResponse names each flag's rule, score and explanation in
 * `processNote`, so the provider sees why.
 */
import type { RuleRun } from './rules/engine.ts';
import type { Flag } from './rules/types.ts';

export type Decision = 'approved' | 'pended' | 'denied';

export interface DecisionOutcome {
  decision: Decision;
  reason: string;
}

export function decide(run: Pick<RuleRun, 'flags' | 'complete' | 'errors' | 'score'>): DecisionOutcome {
  if (!run.complete) return { decision: 'pended', reason: `rules could not be checked: ${run.errors.map((e) => `${e.rule} (${e.message})`).join('; ')}` };
  const critical = run.flags.filter((f) => f.severity === 'critical');
  if (critical.length) return { decision: 'denied', reason: `denied by ${[...new Set(critical.map((f) => f.rule))].join(', ')}` };
  if (run.flags.length) return { decision: 'pended', reason: `pended for review (score ${run.score}) by ${[...new Set(run.flags.map((f) => f.rule))].join(', ')}` };
  return { decision: 'approved', reason: 'no rule flagged the claim' };
}

type Json = Record<string, unknown>;

const OUTCOME: Record<Decision, string> = { approved: 'complete', denied: 'error', pended: 'queued' };

const flagNotes = (flags: readonly Flag[]) =>
  flags.map((f, i) => ({ number: i + 1, type: 'display', text: `[${f.rule}] score ${f.score} (${f.severity}): ${f.explanation}` }));

/** The ClaimResponse for `claim` (FHIR R4 §ClaimResponse). */
export function claimResponseOf(claim: Json, input: { id: string; claimId: string; insurer: string; decision: DecisionOutcome; flags: readonly Flag[]; created: string }): Json {
  const items = Array.isArray(claim.item) ? (claim.item as Json[]) : [];
  const approved = input.decision.decision === 'approved';
  return {
    resourceType: 'ClaimResponse',
    id: input.id,
    identifier: [{ system: 'urn:carechain:claim', value: input.claimId }],
    status: 'active',
    type: claim.type ?? { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: claim.patient,
    created: input.created,
    insurer: { identifier: { system: 'urn:carechain:org', value: input.insurer } },
    ...(claim.provider ? { requestor: claim.provider } : {}),
    request: { identifier: { system: 'urn:carechain:claim', value: input.claimId } },
    outcome: OUTCOME[input.decision.decision],
    disposition: input.decision.reason,
    ...(items.length
      ? {
          item: items.map((it) => ({
            itemSequence: it.sequence,
            adjudication: [
              {
                category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: approved ? 'benefit' : 'submitted' }] },
                ...(it.net && typeof it.net === 'object' ? { amount: it.net } : {}),
              },
            ],
          })),
        }
      : {}),
    ...(input.flags.length ? { processNote: flagNotes(input.flags) } : {}),
  };
}

/** The patient's ExplanationOfBenefit for the adjudicated claim (FHIR R4 §ExplanationOfBenefit). */
export function explanationOfBenefitOf(claim: Json, response: Json, input: { id: string; claimId: string; state: string }): Json {
  const insurance = Array.isArray(claim.insurance) && claim.insurance.length ? (claim.insurance as Json[]).map((i) => ({ focal: i.focal ?? true, coverage: i.coverage })) : [{ focal: true, coverage: { display: 'unknown coverage' } }];
  return {
    resourceType: 'ExplanationOfBenefit',
    id: input.id,
    identifier: [{ system: 'urn:carechain:claim', value: input.claimId }],
    status: 'active',
    type: claim.type,
    use: 'claim',
    patient: claim.patient,
    ...(claim.billablePeriod ? { billablePeriod: claim.billablePeriod } : {}),
    created: response.created,
    insurer: response.insurer,
    provider: claim.provider,
    outcome: response.outcome,
    disposition: `${response.disposition as string} (ledger state: ${input.state})`,
    claim: { identifier: { system: 'urn:carechain:claim', value: input.claimId } },
    claimResponse: { reference: `ClaimResponse/${response.id as string}` },
    insurance,
    ...(Array.isArray(claim.item) ? { item: (claim.item as Json[]).map((it) => ({ sequence: it.sequence, productOrService: it.productOrService, ...(it.servicedDate ? { servicedDate: it.servicedDate } : {}), ...(it.net ? { net: it.net } : {}) })) } : {}),
    ...(claim.total ? { total: [{ category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'submitted' }] }, amount: claim.total }] } : {}),
    ...(response.processNote ? { processNote: response.processNote } : {}),
  };
}
