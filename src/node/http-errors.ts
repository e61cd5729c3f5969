import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

/** Platform API errors: `{ error: { code, message } }` with a matching HTTP status. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}

/** Parses `value` with `schema`; on failure answers 400 with the first problem and returns undefined. */
export function parseOr400<S extends z.ZodType>(reply: FastifyReply, schema: S, value: unknown, what: string): z.infer<S> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  void sendError(reply, 400, 'invalid-request', `invalid ${what}: ${where}${issue.message}`);
  return undefined;
}
