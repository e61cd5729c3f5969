/**
 * Impossible day: the timed services one provider billed on one day add up to more than a day.
 * Each line of a timed code counts `minutes × units` (minutes from the timed-codes table); lines are
 * attributed to their rendering provider, else the billing provider, and summed over every claim
 * `facts.providerClaimsOnDay` returns for that provider and day plus this one.
 */
import { listText, score, tableRow } from './claim-helpers.ts';
import type { ClaimFacts, ClaimLine, Flag, IsoDate, NormalizedClaim, Rule, TableRowRef } from './types.ts';
import type { TimedCode } from '../tables/types.ts';

export const IMPOSSIBLE_DAY_RULE_ID = 'impossible-day';

export interface ImpossibleDayOptions {
  /** Minutes a provider can work in a day (default 1440 = 24 h). */
  maxMinutes?: number;
}

const who = (claim: NormalizedClaim, line: ClaimLine) => line.performer?.key ?? claim.provider.key;

export function impossibleDayRule(options: ImpossibleDayOptions = {}): Rule {
  const maxMinutes = options.maxMinutes ?? 1440;
  return {
    id: IMPOSSIBLE_DAY_RULE_ID,
    title: 'Impossible day',
    description: `Flags a provider whose timed services on one day, across all their claims, add up to more than ${maxMinutes / 60} hours.`,
    async evaluate(claim: NormalizedClaim, facts: ClaimFacts): Promise<Flag[]> {
      const timed = facts.tables.timedCodes;
      if (timed.size === 0) return [];
      // (provider, date) pairs this claim has timed lines for.
      const targets = new Map<string, { provider: string; date: IsoDate }>();
      for (const l of claim.lines) {
        if (!timed.has(l.code)) continue;
        const provider = who(claim, l);
        targets.set(`${provider}\u0000${l.serviceDate}`, { provider, date: l.serviceDate });
      }
      if (targets.size === 0) return [];
      const list = [...targets.values()];
      const dayClaims = await Promise.all(list.map((t) => facts.providerClaimsOnDay(t.provider, t.date)));
      const flags: Flag[] = [];
      list.forEach(({ provider, date }, i) => {
        const claims = [claim, ...dayClaims[i]!.filter((c) => c.id !== claim.id)];
        let total = 0;
        const perClaim: string[] = [];
        const contributing: string[] = [];
        const rows = new Map<string, TimedCode>();
        let ownLines: ClaimLine[] = [];
        let ownMinutes = 0;
        for (const c of claims) {
          let minutes = 0;
          for (const l of c.lines) {
            if (l.serviceDate !== date || who(c, l) !== provider) continue;
            const t = timed.get(l.code);
            if (!t) continue;
            minutes += t.minutes * l.quantity;
            rows.set(t.code, t);
            if (c === claim) ownLines.push(l);
          }
          if (minutes === 0) continue;
          total += minutes;
          perClaim.push(`${c.id}=${minutes}`);
          if (c === claim) ownMinutes = minutes;
          else contributing.push(c.id);
        }
        if (total <= maxMinutes) return;
        ownLines = ownLines.sort((a, b) => a.sequence - b.sequence);
        flags.push({
          rule: IMPOSSIBLE_DAY_RULE_ID,
          severity: 'high',
          score: score(0.6 + 0.4 * Math.min(1, (total - maxMinutes) / maxMinutes)),
          explanation: `${provider} billed ${total} minutes (${(total / 60).toFixed(1)} h) of timed services on ${date} across ${perClaim.length} ${perClaim.length === 1 ? 'claim' : 'claims'} (this claim's ${ownLines.length === 1 ? 'line' : 'lines'} ${listText(ownLines.map((l) => l.sequence))}: ${ownMinutes} min), more than the ${maxMinutes / 60} h in a day.`,
          evidence: {
            lines: ownLines.map((l) => l.sequence),
            dates: [date],
            codes: [...rows.keys()],
            claims: contributing,
            tableRows: [...rows.values()].map((t): TableRowRef => tableRow('timed-codes', t, { code: t.code, minutes: t.minutes, basis: t.basis })),
            details: { provider, totalMinutes: total, maxMinutes, minutesByClaim: perClaim },
          },
        });
      });
      return flags;
    },
  };
}
