import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NodeContext } from '../node/context.ts';
import { parseOr400, sendError } from '../node/http-errors.ts';
import type { RecordService } from '../records/service.ts';
import { issuePatientToken, issueToken, TOKEN_TTL_SECONDS } from './principal.ts';
import { PatientChallenges } from './patient-login.ts';
import type { Address, Hex } from 'viem';
import { checkPassword } from './users.ts';
import { LOGIN_RATE_LIMIT } from '../node/rate-limits.ts';

const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1000) }).strict();

/** Login for the node's users: a short-lived bearer JWT. Failures are audited. */
/** Guessing passwords or signatures is slowed to 10 attempts per minute per client address. */

export function authRoutes(app: FastifyInstance, ctx: NodeContext, records: RecordService) {
  const limited = { config: { rateLimit: LOGIN_RATE_LIMIT } };
  const challenges = new PatientChallenges();
  const addressBody = z.object({ address: z.string().regex(/^0x[0-9a-fA-F]{40}$/) }).strict();
  app.post('/api/auth/patient/challenge', limited, async (req, reply) => {
    const b = parseOr400(reply, addressBody, req.body, 'challenge request');
    if (!b) return reply;
    return challenges.issue(b.address as Address);
  });
  app.post('/api/auth/patient/login', limited, async (req, reply) => {
    const b = parseOr400(
      reply,
      z.object({ address: z.string().regex(/^0x[0-9a-fA-F]{40}$/), challenge: z.string().min(10).max(100), signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/) }).strict(),
      req.body,
      'patient login',
    );
    if (!b) return reply;
    const address = await challenges.redeem(ctx.orgId, b.address as Address, b.challenge, b.signature as Hex);
    if (!address) {
      await records.audited({ agent: `Patient/${b.address}`, network: req.ip }, { action: 'E', subtype: 'login', outcome: '4', outcomeDesc: 'patient login: bad, expired or reused challenge or signature' });
      return sendError(reply, 401, 'unauthenticated', 'the challenge is unknown, expired or used, or the signature does not match the address');
    }
    await records.audited({ agent: `Patient/${address}`, network: req.ip }, { action: 'E', subtype: 'login', outcome: '0' });
    return { access_token: await issuePatientToken(ctx, address), token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS, roles: ['patient'] };
  });

  app.post('/api/auth/login', limited, async (req, reply) => {
    const b = parseOr400(reply, loginBody, req.body, 'login');
    if (!b) return reply;
    const user = checkPassword(ctx.db, b.username, b.password);
    if (!user) {
      await records.audited({ agent: 'Device/unauthenticated', network: req.ip }, { action: 'E', subtype: 'login', outcome: '4', outcomeDesc: `failed login for user "${b.username.slice(0, 64)}"` });
      return sendError(reply, 401, 'unauthenticated', 'wrong username or password');
    }
    await records.audited({ agent: user.practitioner ?? `Person/${ctx.config.org}.${user.username}`, network: req.ip }, { action: 'E', subtype: 'login', outcome: '0' });
    return { access_token: await issueToken(ctx, user), token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS, roles: user.roles, practitioner: user.practitioner };
  });
}
