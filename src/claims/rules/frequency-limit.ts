/**
 * Frequency limits: more units of a code for one member, across all providers, than the frequency
 * table allows per period (e.g. an annual wellness visit once per 365 days, an initial one once per
 * lifetime). A rolling `days:N` limit is broken when any N-day window containing this line's date of
 * service holds more than the limit: the rule checks the window ending on the date and the one
 * starting on it, so a service billed late, after a later one, is caught too.
 */
import { addDays } from './dates.ts';
import { listText, plural, score, tableRow } from './claim-helpers.ts';
import { describePeriod } from '../tables/frequency-limits.ts';
import type { FrequencyLimit } from '../tables/types.ts';
import type { ClaimFacts, ClaimLine, DateRange, Flag, IsoDate, NormalizedClaim, Rule } from './types.ts';

export const FREQUENCY_RULE_ID = 'frequency-limit';

const ALL_TIME: DateRange = { from: '0001-01-01', to: '9999-12-31' };

/** The windows that must each hold at most `maxUnits` units for a service on `date`. */
export function windowsFor(limit: FrequencyLimit, date: IsoDate): DateRange[] {
  switch (limit.period.kind) {
    case 'days':
      return [
        { from: addDays(date, -(limit.period.days - 1)), to: date },
        { from: date, to: addDays(date, limit.period.days - 1) },
      ];
    case 'calendar-year':
      return [{ from: `${date.slice(0, 4)}-01-01`, to: `${date.slice(0, 4)}-12-31` }];
    case 'lifetime':
      return [ALL_TIME];
  }
}

interface Use {
  claimId: string | null;
  date: IsoDate;
  units: number;
  provider: string;
}

export function frequencyLimitRule(): Rule {
  return {
    id: FREQUENCY_RULE_ID,
    title: 'Frequency limit exceeded',
    description: 'Flags codes billed for a member more often than the frequency table allows per period, across all providers.',
    async evaluate(claim: NormalizedClaim, facts: ClaimFacts): Promise<Flag[]> {
      const limits = facts.tables.frequency;
      if (limits.size === 0) return [];
      const limited = new Map<string, { limit: FrequencyLimit; lines: ClaimLine[] }>();
      let from: IsoDate | null = null;
      let to: IsoDate | null = null;
      for (const line of claim.lines) {
        const limit = limits.get(line.code);
        if (!limit) continue;
        const g = limited.get(line.code);
        if (g) g.lines.push(line);
        else limited.set(line.code, { limit, lines: [line] });
        for (const w of windowsFor(limit, line.serviceDate)) {
          if (from === null || w.from < from) from = w.from;
          if (to === null || w.to > to) to = w.to;
        }
      }
      if (limited.size === 0 || from === null || to === null) return [];
      const history = await facts.memberClaims(claim.patient.key, { from, to });

      const flags: Flag[] = [];
      for (const [code, { limit, lines }] of limited) {
        const uses: Use[] = lines.map((l) => ({ claimId: null, date: l.serviceDate, units: l.quantity, provider: claim.provider.key }));
        for (const c of history) {
          if (c.id === claim.id) continue;
          for (const l of c.lines) if (l.code === code) uses.push({ claimId: c.id, date: l.serviceDate, units: l.quantity, provider: c.provider.key });
        }
        // The fullest window around any of this claim's lines.
        let worst: { window: DateRange; units: number; inside: Use[] } | null = null;
        for (const line of lines) {
          for (const window of windowsFor(limit, line.serviceDate)) {
            const inside = uses.filter((u) => u.date >= window.from && u.date <= window.to);
            let units = 0;
            for (const u of inside) units += u.units;
            if (!worst || units > worst.units) worst = { window, units, inside };
          }
        }
        if (!worst || worst.units <= limit.maxUnits) continue;
        const earlier = worst.inside.filter((u) => u.claimId !== null);
        const period = describePeriod(limit.period);
        flags.push({
          rule: FREQUENCY_RULE_ID,
          severity: 'medium',
          score: score(0.6),
          explanation: `${code} on ${listText([...new Set(lines.map((l) => l.serviceDate))])} (${lines.length === 1 ? 'line' : 'lines'} ${listText(lines.map((l) => l.sequence))}) makes ${plural(worst.units, 'unit')} for this member within ${limit.period.kind === 'lifetime' ? 'a lifetime' : limit.period.kind === 'calendar-year' ? `calendar year ${worst.window.from.slice(0, 4)}` : `the ${period} from ${worst.window.from} to ${worst.window.to}`}${earlier.length ? ` (also ${listText(earlier.map((u) => `claim ${u.claimId} on ${u.date} at ${u.provider}`))})` : ''}; the limit is ${limit.maxUnits} per ${period}.`,
          evidence: {
            lines: lines.map((l) => l.sequence),
            dates: [...new Set(worst.inside.map((u) => u.date))].sort(),
            codes: [code],
            ...(earlier.length && { claims: [...new Set(earlier.map((u) => u.claimId!))] }),
            tableRows: [tableRow('frequency', limit, { code, maxUnits: limit.maxUnits, period })],
            details: { units: worst.units, maxUnits: limit.maxUnits, windowFrom: worst.window.from, windowTo: worst.window.to },
          },
        });
      }
      return flags;
    },
  };
}
