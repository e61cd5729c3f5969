import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NodeContext } from './context.ts';
import { sendError } from './http-errors.ts';

/** Operator endpoints need `Authorization: Bearer <admin token>`; compared in constant time. */
export function requireAdmin(ctx: NodeContext) {
  const expected = Buffer.from(ctx.adminToken);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer (\S+)$/.exec(header);
    if (!m) return sendError(reply, 401, 'unauthenticated', 'operator endpoint: send Authorization: Bearer <admin token>');
    const got = Buffer.from(m[1]!);
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      return sendError(reply, 401, 'unauthenticated', 'invalid admin token');
    }
  };
}
