/**
 * The insurer's own E/M statistics for the upcoding rule: how often each provider (the line's
 * performer, else the billing provider) billed each office/outpatient E/M level in the claims this
 * insurer received, with every other provider as its peer group. Kept up to date as claims arrive.
 * (A peer group by specialty and region needs the providers' specialties, which claims do not carry.)
 */
import { EM_FAMILIES } from './rules/upcoding.ts';
import type { EmCounts, EmProfile, IsoDate, NormalizedClaim } from './rules/types.ts';

const EM_CODES = new Set(EM_FAMILIES.flatMap((f) => f.codes));

export class EmTally {
  private readonly counts = new Map<string, Record<string, number>>();
  private from: IsoDate | undefined;
  private to: IsoDate | undefined;
  private peersCache: { provider: string; profile: EmProfile } | undefined;

  add(claim: NormalizedClaim): void {
    for (const l of claim.lines) {
      if (!EM_CODES.has(l.code)) continue;
      const provider = l.performer?.key ?? claim.provider.key;
      let c = this.counts.get(provider);
      if (!c) this.counts.set(provider, (c = {}));
      c[l.code] = (c[l.code] ?? 0) + l.quantity;
      if (!this.from || l.serviceDate < this.from) this.from = l.serviceDate;
      if (!this.to || l.serviceDate > this.to) this.to = l.serviceDate;
    }
    this.peersCache = undefined;
  }

  /** The provider's counts against every other provider's, or null when it billed no E/M visit. */
  profile(provider: string): EmProfile | null {
    const own = this.counts.get(provider);
    if (!own || !this.from || !this.to) return null;
    if (this.peersCache?.provider === provider) return this.peersCache.profile;
    const peers: EmCounts[] = [];
    for (const [p, c] of this.counts) if (p !== provider) peers.push(c);
    const profile: EmProfile = { provider: own, peers, period: { from: this.from, to: this.to }, peerGroup: 'every other provider billing this insurer' };
    this.peersCache = { provider, profile };
    return profile;
  }
}
