import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, authenticate, hasRole } from '../auth/principal.ts';
import type { Role } from '../auth/users.ts';
import type { NodeContext } from './context.ts';
import { sendError } from './http-errors.ts';

/** Why `authorization` does not carry the node's admin token, or null when it does (constant-time compare). */
export function adminTokenProblem(ctx: NodeContext, authorization: string | undefined): string | null {
  const m = /^Bearer (\S+)$/.exec(authorization ?? '');
  if (!m) return 'send Authorization: Bearer <admin token>';
  const expected = Buffer.from(ctx.adminToken);
  const got = Buffer.from(m[1]!);
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return 'invalid admin token';
  return null;
}

/** Platform API endpoints: an authenticated principal with one of `roles` (admin always qualifies). */
export function requireRoles(ctx: NodeContext, ...roles: (Role | 'patient')[]) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      req.principal = await authenticate(ctx, ctx.db, req);
    } catch (err) {
      if (err instanceof AuthError) return sendError(reply, 401, 'unauthenticated', err.message);
      throw err;
    }
    if (!hasRole(req.principal, ...roles)) return sendError(reply, 403, 'forbidden', `needs role ${['admin', ...roles].join(' or ')}`);
  };
}

/** Operator endpoints: the admin token, or a user with the admin role. */
export const requireAdmin = (ctx: NodeContext) => requireRoles(ctx);
