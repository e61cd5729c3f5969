/**
 * Upcoding: a provider billing the highest evaluation-and-management level far more often than its
 * peers. For each E/M family on the claim whose top level is billed (new patient: 99202–99205, top
 * 99205; established: 99211–99215, top 99215), the provider's share of top-level visits k/n is
 * compared with its peers' (`facts.emLevelCounts`):
 *
 * - one-sided binomial test: P(X ≥ k) for X ~ Bin(n, p0), p0 the peers' pooled share; and
 * - z-score of k/n against the distribution of the peers' shares (mean, sample sd), when there are
 *   at least `minPeers` peers with enough visits and the shares vary.
 *
 * Flagged when n ≥ `minVisits`, p < `alpha`, and z ≥ `minZ` (or, without a usable peer spread, the
 * share is at least `minRatio` × p0). A statistical signal, not proof: the flag is at most medium and
 * names every number it used. The rule speaks only on claims that bill the top level.
 */
import { score } from './claim-helpers.ts';
import { binomialUpperTail, mean, sampleSd } from './stats.ts';
import type { ClaimFacts, ClaimLine, EmCounts, Flag, NormalizedClaim, Rule } from './types.ts';

export const UPCODING_RULE_ID = 'em-upcoding';

export interface EmFamily {
  readonly name: string;
  readonly codes: readonly string[];
  readonly top: string;
}

export const EM_FAMILIES: readonly EmFamily[] = [
  { name: 'new-patient office/outpatient', codes: ['99201', '99202', '99203', '99204', '99205'], top: '99205' },
  { name: 'established-patient office/outpatient', codes: ['99211', '99212', '99213', '99214', '99215'], top: '99215' },
];

export interface UpcodingOptions {
  minVisits?: number;
  minPeerVisits?: number;
  minPeers?: number;
  alpha?: number;
  minZ?: number;
  minRatio?: number;
  families?: readonly EmFamily[];
}

function tally(counts: EmCounts, family: EmFamily): { k: number; n: number } {
  let n = 0;
  for (const c of family.codes) n += counts[c] ?? 0;
  return { k: counts[family.top] ?? 0, n };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const sci = (p: number) => (p === 0 ? '< 1e-300' : p < 1e-3 ? p.toExponential(1) : p.toPrecision(2));

export function upcodingRule(options: UpcodingOptions = {}): Rule {
  const minVisits = options.minVisits ?? 30;
  const minPeerVisits = options.minPeerVisits ?? 30;
  const minPeers = options.minPeers ?? 5;
  const alpha = options.alpha ?? 1e-3;
  const minZ = options.minZ ?? 3;
  const minRatio = options.minRatio ?? 1.5;
  const families = options.families ?? EM_FAMILIES;
  const topCodes = new Map(families.map((f) => [f.top, f]));
  return {
    id: UPCODING_RULE_ID,
    title: 'Highest E/M level billed far more often than peers',
    description: `Flags claims billing the top E/M level (e.g. 99215) by a provider whose share of top-level visits is an outlier against its peers (binomial p < ${alpha}, z ≥ ${minZ}).`,
    async evaluate(claim: NormalizedClaim, facts: ClaimFacts): Promise<Flag[]> {
      // (provider, family) → this claim's top-level lines.
      const targets = new Map<string, { provider: string; family: EmFamily; lines: ClaimLine[] }>();
      for (const l of claim.lines) {
        const family = topCodes.get(l.code);
        if (!family) continue;
        const provider = l.performer?.key ?? claim.provider.key;
        const k = `${provider}\u0000${family.top}`;
        const t = targets.get(k);
        if (t) t.lines.push(l);
        else targets.set(k, { provider, family, lines: [l] });
      }
      if (targets.size === 0) return [];
      const list = [...targets.values()];
      const profiles = await Promise.all(list.map((t) => facts.emLevelCounts(t.provider, t.lines[0]!.serviceDate)));
      const flags: Flag[] = [];
      list.forEach(({ provider, family, lines }, i) => {
        const profile = profiles[i];
        if (!profile) return;
        const { k, n } = tally(profile.provider, family);
        if (n < minVisits) return;
        let peerK = 0;
        let peerN = 0;
        const shares: number[] = [];
        for (const peer of profile.peers) {
          const t = tally(peer, family);
          if (t.n < minPeerVisits) continue;
          peerK += t.k;
          peerN += t.n;
          shares.push(t.k / t.n);
        }
        if (peerN === 0) return;
        const share = k / n;
        const p0 = peerK / peerN;
        const pValue = binomialUpperTail(k, n, p0);
        const mu = mean(shares);
        const sd = sampleSd(shares);
        const z = shares.length >= minPeers && sd > 0 ? (share - mu) / sd : null;
        const effect = z !== null ? z >= minZ : share >= minRatio * p0;
        if (!(pValue < alpha && effect)) return;
        const zText =
          z !== null
            ? `peer mean ${pct(mu)}, sd ${pct(sd)}: z = ${z.toFixed(1)}`
            : `too few or uniform peers for a z-score; ${(share / p0).toFixed(1)}× the pooled share`;
        const group = profile.peerGroup ? ` (${profile.peerGroup})` : '';
        flags.push({
          rule: UPCODING_RULE_ID,
          severity: 'medium',
          score: score(z !== null ? 0.4 + 0.05 * Math.min(7, z - minZ) : 0.4),
          explanation: `${provider} billed ${family.top} for ${k} of ${n} ${family.name} E/M visits (${pct(share)}) from ${profile.period.from} to ${profile.period.to}, against ${pct(p0)} pooled over ${shares.length} peers${group} (${zText}; one-sided binomial p = ${sci(pValue)}); ${lines.length === 1 ? 'line' : 'lines'} ${lines.map((l) => l.sequence).join(', ')} ${lines.length === 1 ? 'bills' : 'bill'} ${family.top}.`,
          evidence: {
            lines: lines.map((l) => l.sequence),
            dates: [profile.period.from, profile.period.to],
            codes: [family.top],
            details: {
              provider,
              family: family.name,
              topLevel: k,
              visits: n,
              share,
              peers: shares.length,
              peerPooledShare: p0,
              peerMeanShare: mu,
              peerSdShare: Number.isNaN(sd) ? null : sd,
              z,
              binomialP: pValue,
              alpha,
              peerGroup: profile.peerGroup ?? null,
            },
          },
        });
      });
      return flags;
    },
  };
}
