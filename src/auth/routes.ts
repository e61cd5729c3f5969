/** Logins (rate-limited per client address: 10 attempts a minute). */
import type { FastifyInstance } from 'fastify';
import type { Address, Hex } from 'viem';
import { z } from 'zod';
import { parse } from '../http/parse.ts';
import { LOGIN_RATE_LIMIT } from '../http/rate-limits.ts';
import type { LoginService } from './service.ts';

const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1000) }).strict();
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address');
const patientLoginBody = z.object({ address, challenge: z.string().min(10).max(100), signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'a 65-byte signature') }).strict();

export function authRoutes(app: FastifyInstance, logins: LoginService): void {
  app.post('/api/auth/patient/challenge', LOGIN_RATE_LIMIT, async (req) => logins.challenge(parse(z.object({ address }).strict(), req.body, 'challenge request').address as Address));

  app.post('/api/auth/patient/login', LOGIN_RATE_LIMIT, async (req) => {
    const b = parse(patientLoginBody, req.body, 'patient login');
    return logins.patientLogin(b.address as Address, b.challenge, b.signature as Hex, req.ip);
  });

  app.post('/api/auth/login', LOGIN_RATE_LIMIT, async (req) => {
    const b = parse(loginBody, req.body, 'login');
    return logins.login(b.username, b.password, req.ip);
  });
}
