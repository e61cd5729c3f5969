/**
 * Rate limits (OWASP API4, unrestricted resource consumption), per route and per caller: logins by
 * client address, and operations that cost far more than a read (transaction Bundles, $everything,
 * audit exports, cross-organization fetches) by bearer token, else client address. Ordinary clinical
 * reads and writes are not limited. Over the limit: 429 with Retry-After.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { NodeContext } from './context.ts';

export const LOGIN_RATE_LIMIT = { max: 10, timeWindow: '1 minute' };

/** A caller: its token (hashed, so the limiter never holds credentials), else its address. */
const caller = (req: FastifyRequest) => {
  const auth = req.headers.authorization;
  return auth ? createHash('sha256').update(auth).digest('base64url') : req.ip;
};

/** Route options limiting an expensive operation to the node's `expensivePerMinute` per caller. */
export function expensive(ctx: NodeContext) {
  return { config: { rateLimit: { max: ctx.config.expensivePerMinute, timeWindow: '1 minute', keyGenerator: caller } } };
}
