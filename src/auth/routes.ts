import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NodeContext } from '../node/context.ts';
import { parseOr400, sendError } from '../node/http-errors.ts';
import type { RecordService } from '../records/service.ts';
import { issueToken, TOKEN_TTL_SECONDS } from './principal.ts';
import { checkPassword } from './users.ts';

const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1000) }).strict();

/** Login for the node's users: a short-lived bearer JWT. Failures are audited. */
export function authRoutes(app: FastifyInstance, ctx: NodeContext, records: RecordService) {
  app.post('/api/auth/login', async (req, reply) => {
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
