/**
 * Rate limits (OWASP API4, unrestricted resource consumption), per route and per caller: logins by
 * client address, and operations that cost far more than a read (transaction Bundles, $everything,
 * audit exports, cross-organization fetches) by bearer token, else client address. Ordinary clinical
 * reads and writes are not limited. Over the limit: 429 with Retry-After.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../shared/errors.ts';

export const LOGIN_RATE_LIMIT = { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } };

/** A caller: its token (hashed, so the limiter never holds credentials), else its address. */
const callerKey = (req: FastifyRequest) => {
  const auth = req.headers.authorization;
  return auth ? createHash('sha256').update(auth).digest('base64url') : req.ip;
};

/** Route options limiting an expensive operation to `perMinute` per caller. */
export function expensive(perMinute: number) {
  return { config: { rateLimit: { max: perMinute, timeWindow: '1 minute', keyGenerator: callerKey } } };
}

/**
 * A budget of work units per caller per minute, charged by what a request costs (a Bundle its
 * entries, a `$everything` page its resources), so one large request counts for what it does rather
 * than as one request. A sliding one-minute window per caller; over budget, a `too-many` error says
 * when to retry. In memory per process (replicas each keep their own).
 */
export class CostBudget {
  private readonly spent = new Map<string, { at: number; units: number }[]>();

  constructor(private readonly unitsPerMinute: number) {}

  /** Charges `units` to the request's caller, or throws `too-many` when the minute's budget is spent. */
  charge(req: FastifyRequest, units: number, now = Date.now()): void {
    const key = callerKey(req);
    const recent = (this.spent.get(key) ?? []).filter((e) => now - e.at < 60_000);
    const used = recent.reduce((sum, e) => sum + e.units, 0);
    if (used + units > this.unitsPerMinute && recent.length > 0) {
      const retry = Math.max(1, Math.ceil((recent[0]!.at + 60_000 - now) / 1000));
      this.spent.set(key, recent);
      throw new DomainError('too-many', `this request costs ${units} units and ${used} of ${this.unitsPerMinute} a minute are spent: retry in ${retry} s`, { retryAfterSeconds: retry });
    }
    recent.push({ at: now, units });
    this.spent.set(key, recent);
    if (this.spent.size > 100_000) this.spent.clear();
  }
}
