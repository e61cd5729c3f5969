/** Logins (rate-limited per client address: 10 attempts a minute). */
import type { FastifyInstance } from 'fastify';
import type { Address, Hex } from 'viem';
import { z } from 'zod';
import { parse } from '../http/parse.ts';
import { documented, routeOptions } from '../http/openapi.ts';
import { LOGIN_RATE_LIMIT } from '../http/rate-limits.ts';
import type { LoginService } from './service.ts';

const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1000) }).strict();
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address');
const patientLoginBody = z.object({ address, challenge: z.string().min(10).max(100), signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'a 65-byte signature') }).strict();

export function authRoutes(app: FastifyInstance, logins: LoginService): void {
  app.post('/api/auth/patient/challenge', routeOptions(LOGIN_RATE_LIMIT, documented({ summary: 'a one-time challenge for a patient key to sign (patientLoginMessage)', access: 'public', body: z.object({ address }).strict() })), async (req) => logins.challenge(parse(z.object({ address }).strict(), req.body, 'challenge request').address as Address));

  app.post('/api/auth/patient/login', routeOptions(LOGIN_RATE_LIMIT, documented({ summary: 'a patient session from a signed challenge', access: 'public', body: patientLoginBody })), async (req) => {
    const b = parse(patientLoginBody, req.body, 'patient login');
    return logins.patientLogin(b.address as Address, b.challenge, b.signature as Hex, req.ip);
  });

  app.post('/api/auth/login', routeOptions(LOGIN_RATE_LIMIT, documented({ summary: "a user's session (15 minutes) from their password", access: 'public', body: loginBody })), async (req) => {
    const b = parse(loginBody, req.body, 'login');
    return logins.login(b.username, b.password, req.ip);
  });
}
