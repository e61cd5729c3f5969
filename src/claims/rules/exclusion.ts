/**
 * Excluded provider: an NPI on the claim (billing, rendering or care team) is on an exclusion list
 * (the OIG List of Excluded Individuals/Entities, LEIE) on the date of service. Federal health care
 * programs pay nothing for items or services furnished, ordered or prescribed by an excluded person
 * (42 CFR 1001.1901), so the flag is critical.
 */
import { listText, score } from './claim-helpers.ts';
import type { ClaimFacts, Flag, IsoDate, NormalizedClaim, ProviderRef, Rule } from './types.ts';

export const EXCLUSION_RULE_ID = 'provider-excluded';

export function exclusionRule(): Rule {
  return {
    id: EXCLUSION_RULE_ID,
    title: 'Provider excluded on the date of service',
    description: "Flags claims whose billing, rendering or care-team provider's NPI is on an exclusion list (OIG LEIE) on a line's date of service.",
    async evaluate(claim: NormalizedClaim, facts: ClaimFacts): Promise<Flag[]> {
      // NPI → who holds it, and the dates (with lines) to check it on.
      const checks = new Map<string, { who: ProviderRef; dates: Map<IsoDate, number[]> }>();
      const add = (who: ProviderRef | undefined, date: IsoDate, line: number) => {
        if (!who?.npi) return;
        let c = checks.get(who.npi);
        if (!c) checks.set(who.npi, (c = { who, dates: new Map() }));
        const lines = c.dates.get(date);
        if (lines) lines.push(line);
        else c.dates.set(date, [line]);
      };
      for (const line of claim.lines) {
        add(claim.provider, line.serviceDate, line.sequence);
        add(line.performer, line.serviceDate, line.sequence);
        for (const m of claim.careTeam) add(m.provider, line.serviceDate, line.sequence);
      }
      const queries: { npi: string; who: ProviderRef; date: IsoDate; lines: number[] }[] = [];
      for (const [npi, c] of checks) for (const [date, lines] of c.dates) queries.push({ npi, who: c.who, date, lines });
      const found = await Promise.all(queries.map((q) => facts.exclusionAt(q.npi, q.date)));

      const byNpi = new Map<string, { who: ProviderRef; exclusion: NonNullable<(typeof found)[number]>; dates: IsoDate[]; lines: Set<number> }>();
      queries.forEach((q, i) => {
        const x = found[i];
        if (!x) return;
        let g = byNpi.get(q.npi);
        if (!g) byNpi.set(q.npi, (g = { who: q.who, exclusion: x, dates: [], lines: new Set() }));
        g.dates.push(q.date);
        for (const l of q.lines) g.lines.add(l);
      });
      return [...byNpi.entries()].map(([npi, { who, exclusion, dates, lines }]) => ({
        rule: EXCLUSION_RULE_ID,
        severity: 'critical' as const,
        score: score(0.98),
        explanation: `NPI ${npi} (${who.key}) is on the ${exclusion.list} exclusion list since ${exclusion.since}${exclusion.type ? ` (type ${exclusion.type})` : ''}${exclusion.reinstated ? `, reinstated ${exclusion.reinstated}` : ''}, covering the date of service ${listText(dates)} of ${lines.size === 1 ? 'line' : 'lines'} ${listText([...lines])}.`,
        evidence: {
          lines: [...lines],
          dates,
          proofs: [{ kind: 'exclusion' as const, ref: `${exclusion.list}:${npi}${exclusion.source ? `@${exclusion.source}` : ''}` }],
          details: {
            npi,
            provider: who.key,
            list: exclusion.list,
            type: exclusion.type ?? null,
            since: exclusion.since,
            reinstated: exclusion.reinstated ?? null,
          },
        },
      }));
    },
  };
}
