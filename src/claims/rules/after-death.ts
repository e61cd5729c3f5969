/**
 * Services after the patient's death: a line whose date of service is after the recorded date of
 * death (critical), or whose service period runs past it (high). Services on the day of death are
 * normal (the death often happens during the encounter) and are not flagged.
 */
import { daysBetween } from './dates.ts';
import { listText, plural, score } from './claim-helpers.ts';
import type { ClaimFacts, Flag, NormalizedClaim, Rule } from './types.ts';

export const AFTER_DEATH_RULE_ID = 'service-after-death';

export function afterDeathRule(): Rule {
  return {
    id: AFTER_DEATH_RULE_ID,
    title: "Service after the patient's date of death",
    description: "Flags lines dated after the patient's recorded date of death (or whose service period extends past it).",
    async evaluate(claim: NormalizedClaim, facts: ClaimFacts): Promise<Flag[]> {
      if (claim.lines.length === 0) return [];
      const death = await facts.deathDate(claim.patient.key);
      if (!death) return [];
      const after = claim.lines.filter((l) => l.serviceDate > death.date);
      const runsPast = claim.lines.filter((l) => l.serviceDate <= death.date && l.serviceEnd > death.date);
      const flags: Flag[] = [];
      const source = death.source ? ` (source: ${death.source})` : '';
      const proofs = death.source ? [{ kind: 'death' as const, ref: death.source }] : [];
      if (after.length) {
        const latest = after.reduce((d, l) => (l.serviceDate > d ? l.serviceDate : d), after[0]!.serviceDate);
        flags.push({
          rule: AFTER_DEATH_RULE_ID,
          severity: 'critical',
          score: score(0.95),
          explanation: `${after.length === 1 ? 'Line' : 'Lines'} ${listText(after.map((l) => `${l.sequence} (${l.code} on ${l.serviceDate})`))} ${after.length === 1 ? 'is' : 'are'} dated after the patient's recorded death on ${death.date}${source}, up to ${plural(daysBetween(death.date, latest), 'day')} later.`,
          evidence: {
            lines: after.map((l) => l.sequence),
            dates: [death.date, ...new Set(after.map((l) => l.serviceDate))],
            codes: [...new Set(after.map((l) => l.code))],
            proofs,
            details: { deathDate: death.date, source: death.source ?? null },
          },
        });
      }
      if (runsPast.length) {
        flags.push({
          rule: AFTER_DEATH_RULE_ID,
          severity: 'high',
          score: score(0.6),
          explanation: `${runsPast.length === 1 ? 'Line' : 'Lines'} ${listText(runsPast.map((l) => `${l.sequence} (${l.code}, ${l.serviceDate} to ${l.serviceEnd})`))} ${runsPast.length === 1 ? 'runs' : 'run'} past the patient's recorded death on ${death.date}${source}.`,
          evidence: {
            lines: runsPast.map((l) => l.sequence),
            dates: [death.date, ...new Set(runsPast.map((l) => l.serviceEnd))],
            codes: [...new Set(runsPast.map((l) => l.code))],
            proofs,
            details: { deathDate: death.date, source: death.source ?? null },
          },
        });
      }
      return flags;
    },
  };
}
