/**
 * Phantom billing: a claim for a date on which no Encounter of the patient at the billing provider
 * is anchored in any record log. `facts.encounterProof` answers with an inclusion-proof reference
 * (log, leaf, anchored root, block) or null; the insurer sees only that answer, never the record.
 * When it is null, the flag says exactly what was looked for (encounter, patient, provider, date),
 * so the provider can answer by anchoring or pointing at the record.
 *
 * Pharmacy claims are skipped by default: a dispensing is not an encounter at the pharmacy.
 */
import { listText, score } from './claim-helpers.ts';
import type { ClaimFacts, ClaimLine, Flag, IsoDate, NormalizedClaim, Rule } from './types.ts';

export const PHANTOM_BILLING_RULE_ID = 'no-encounter-proof';

export interface PhantomBillingOptions {
  /** Claim types not checked (default: pharmacy). */
  skipTypes?: readonly string[];
}

export function phantomBillingRule(options: PhantomBillingOptions = {}): Rule {
  const skip = new Set(options.skipTypes ?? ['pharmacy']);
  return {
    id: PHANTOM_BILLING_RULE_ID,
    title: 'No anchored encounter behind the billed date',
    description: 'Flags dates of service for which no Encounter of the patient at the billing provider is anchored in a record log (phantom billing).',
    async evaluate(claim: NormalizedClaim, facts: ClaimFacts): Promise<Flag[]> {
      if (claim.type !== undefined && skip.has(claim.type)) return [];
      const byDate = new Map<IsoDate, ClaimLine[]>();
      for (const l of claim.lines) {
        const list = byDate.get(l.serviceDate);
        if (list) list.push(l);
        else byDate.set(l.serviceDate, [l]);
      }
      const dates = [...byDate.keys()];
      const proofs = await Promise.all(dates.map((d) => facts.encounterProof(claim.provider.key, claim.patient.key, d)));
      const flags: Flag[] = [];
      dates.forEach((date, i) => {
        if (proofs[i]) return;
        const lines = byDate.get(date)!;
        flags.push({
          rule: PHANTOM_BILLING_RULE_ID,
          severity: 'high',
          score: score(0.7),
          explanation: `No anchored Encounter of ${claim.patient.key} at ${claim.provider.key} on ${date} backs ${lines.length === 1 ? 'line' : 'lines'} ${listText(lines.map((l) => `${l.sequence} (${l.code})`))}: the record logs returned no inclusion proof for it.`,
          evidence: {
            lines: lines.map((l) => l.sequence),
            dates: [date],
            codes: [...new Set(lines.map((l) => l.code))],
            details: { lookedFor: 'Encounter', patient: claim.patient.key, provider: claim.provider.key, date, proof: null },
          },
        });
      });
      return flags;
    },
  };
}
