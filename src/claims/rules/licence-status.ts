/**
 * Provider not in good standing on the date of service: the licence the credentials ledger records
 * for the provider was suspended, revoked, expired, or absent on that date. Checked for the billing
 * provider and every line's rendering provider, at each line's own date of service (a licence
 * suspended after the service does not taint it; one suspended before does).
 *
 * `facts.licenceStatusAt` answers null where licensing does not apply (an organization, an unknown
 * key): no flag then.
 */
import { listText, score } from './claim-helpers.ts';
import type { ClaimFacts, ClaimLine, Flag, IsoDate, LicenceState, LicenceStatus, NormalizedClaim, Rule, Severity } from './types.ts';

export const LICENCE_RULE_ID = 'provider-licence';

const BAD: Partial<Record<LicenceState, { severity: Severity; score: number; text: string }>> = {
  revoked: { severity: 'critical', score: 0.95, text: 'revoked' },
  suspended: { severity: 'high', score: 0.9, text: 'suspended' },
  none: { severity: 'high', score: 0.85, text: 'not on record (no licence)' },
  expired: { severity: 'high', score: 0.8, text: 'expired' },
};

/** Who must be licensed for a line: its rendering provider, and the billing provider. */
function providersOf(claim: NormalizedClaim, line: ClaimLine): string[] {
  return line.performer && line.performer.key !== claim.provider.key ? [claim.provider.key, line.performer.key] : [claim.provider.key];
}

export function licenceStatusRule(): Rule {
  return {
    id: LICENCE_RULE_ID,
    title: 'Provider not licensed on the date of service',
    description:
      "Flags lines whose billing or rendering provider's licence was suspended, revoked, expired or absent on the line's date of service, per the credentials ledger.",
    async evaluate(claim: NormalizedClaim, facts: ClaimFacts): Promise<Flag[]> {
      const checks = new Map<string, { provider: string; date: IsoDate; lines: ClaimLine[] }>();
      for (const line of claim.lines) {
        for (const provider of providersOf(claim, line)) {
          const k = `${provider}\u0000${line.serviceDate}`;
          const c = checks.get(k);
          if (c) c.lines.push(line);
          else checks.set(k, { provider, date: line.serviceDate, lines: [line] });
        }
      }
      const list = [...checks.values()];
      const statuses = await Promise.all(list.map((c) => facts.licenceStatusAt(c.provider, c.date)));
      // One flag per provider and status, over all dates and lines it affects.
      const groups = new Map<string, { provider: string; status: LicenceStatus; dates: Set<IsoDate>; lines: Set<number> }>();
      list.forEach((c, i) => {
        const s = statuses[i];
        if (!s || !BAD[s.status]) return;
        const k = `${c.provider}\u0000${s.status}\u0000${s.since}`;
        let g = groups.get(k);
        if (!g) groups.set(k, (g = { provider: c.provider, status: s, dates: new Set(), lines: new Set() }));
        g.dates.add(c.date);
        for (const l of c.lines) g.lines.add(l.sequence);
      });
      return [...groups.values()].map(({ provider, status, dates, lines }) => {
        const bad = BAD[status.status]!;
        const since = status.since ? ` since ${status.since}` : '';
        const role = provider === claim.provider.key ? 'billing provider' : 'rendering provider';
        return {
          rule: LICENCE_RULE_ID,
          severity: bad.severity,
          score: score(bad.score),
          explanation: `The licence of ${role} ${provider} was ${bad.text}${since} (ledger block ${status.sourceBlock}) on the date of service ${listText([...dates])} of ${lines.size === 1 ? 'line' : 'lines'} ${listText([...lines])}.`,
          evidence: {
            lines: [...lines],
            dates: [...dates],
            proofs: [{ kind: 'licence-status', ref: status.credentialId ?? provider, block: status.sourceBlock }],
            details: { provider, role, status: status.status, since: status.since, jurisdiction: status.jurisdiction ?? null },
          },
        };
      });
    },
  };
}
