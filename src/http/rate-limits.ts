/**
 * Rate limits (OWASP API4, unrestricted resource consumption), per route and per caller: logins by
 * client address, and operations that cost far more than a read (transaction Bundles, $everything,
 * audit exports, cross-organization fetches) by bearer token, else client address. Ordinary clinical
 * reads and writes are not limited. Over the limit: 429 with Retry-After.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

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
