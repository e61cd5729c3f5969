/**
 * The platform API surface (/api, /health): one error shape, `{ error: { code, message } }`, with the
 * status of the error's kind; internal errors are logged and answered without their details.
 */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../shared/errors.ts';
import { apiErrorOf, asDomainError, STATUS } from './errors.ts';

export function apiSurface(app: FastifyInstance): void {
  app.setErrorHandler(async (err: unknown, req, reply) => {
    const e = asDomainError(err);
    const status = STATUS[e.kind];
    if (status >= 500) req.log.error({ err: e.cause ?? e }, 'request failed');
    if (e.retryAfterSeconds !== undefined) reply.header('retry-after', String(e.retryAfterSeconds));
    return reply.code(status).send(apiErrorOf(e));
  });
  app.setNotFoundHandler((req) => {
    throw new DomainError('not-found', `no route ${req.method} ${req.url.split('?')[0]}`);
  });
}
