import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
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

/** Operator endpoints of the platform API need the admin token. */
export function requireAdmin(ctx: NodeContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const problem = adminTokenProblem(ctx, req.headers.authorization);
    if (problem) return sendError(reply, 401, 'unauthenticated', problem);
  };
}
