/**
 * Who is calling a node: a local user with a bearer JWT issued by this node (HS256, `jose`, short
 * lived, `alg` pinned so `none` and key confusion are refused), or the node's operator with the admin
 * token. Each request gets one Principal; routes authorize by role.
 */
import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Db } from '../db/database.ts';
import type { NodeContext } from '../node/context.ts';
import { adminTokenProblem } from '../node/admin-auth.ts';
import { getUser, type Role, type User } from './users.ts';
import { getAddress, type Address } from 'viem';

export interface Principal {
  kind: 'user' | 'operator' | 'patient';
  username: string;
  roles: (Role | 'patient')[];
  practitioner: string | null;
  /** The reference the audit trail names. */
  agent: string;
  /** For patients: their own address, and those of patients they are an active proxy for. */
  addresses?: Address[];
  /** For clinicians: why they hold no valid licence right now (undefined when they do). */
  licenceProblem?: string;
}

export const TOKEN_TTL_SECONDS = 15 * 60;

function jwtKey(ctx: NodeContext): Uint8Array {
  return createHmac('sha256', ctx.keys.indexSecret).update('carechain/jwt/v1').digest();
}

/** A token for a patient (or proxy) who proved possession of their key (see patient-login.ts). */
export async function issuePatientToken(ctx: NodeContext, address: Address): Promise<string> {
  return new SignJWT({ roles: ['patient'] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(`carechain:${ctx.config.org}`)
    .setAudience(`carechain:${ctx.config.org}`)
    .setSubject(`patient:${getAddress(address)}`)
    .setIssuedAt()
    .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
    .sign(jwtKey(ctx));
}

/** The address itself and every patient it is an active proxy for (from the indexed ledger). */
function patientScope(db: Db, address: Address): Address[] {
  const now = Math.floor(Date.now() / 1000);
  const proxied = db.prepare('SELECT patient FROM consent_proxies WHERE lower(proxy) = lower(?) AND expiry > ?').all(address, now) as { patient: Address }[];
  return [address, ...proxied.map((p) => getAddress(p.patient))];
}

export async function issueToken(ctx: NodeContext, user: User): Promise<string> {
  return new SignJWT({ roles: user.roles, ...(user.practitioner ? { practitioner: user.practitioner } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(`carechain:${ctx.config.org}`)
    .setAudience(`carechain:${ctx.config.org}`)
    .setSubject(user.username)
    .setIssuedAt()
    .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
    .sign(jwtKey(ctx));
}

export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** Authenticates the request or throws AuthError(401) with the reason. */
export async function authenticate(ctx: NodeContext, db: Db, req: FastifyRequest): Promise<Principal> {
  const header = req.headers.authorization;
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  if (!m) throw new AuthError(401, 'send Authorization: Bearer <token> (log in at POST /api/auth/login)');
  if (m[1]!.split('.').length !== 3) {
    const problem = adminTokenProblem(ctx, header);
    if (problem) throw new AuthError(401, problem);
    return { kind: 'operator', username: 'operator', roles: ['admin'], practitioner: null, agent: `Organization/${ctx.config.org}` };
  }
  try {
    const { payload } = await jwtVerify(m[1]!, jwtKey(ctx), {
      algorithms: ['HS256'],
      issuer: `carechain:${ctx.config.org}`,
      audience: `carechain:${ctx.config.org}`,
      requiredClaims: ['exp', 'sub'],
    });
    if (payload.sub!.startsWith('patient:')) {
      const address = getAddress(payload.sub!.slice('patient:'.length));
      return { kind: 'patient', username: address, roles: ['patient'], practitioner: null, agent: `Patient/${address}`, addresses: patientScope(db, address) };
    }
    // Roles come from the user store, not the token alone: a removed role takes effect at once.
    const user = getUser(db, payload.sub!);
    if (!user) throw new AuthError(401, 'unknown user');
    return { kind: 'user', username: user.username, roles: user.roles, practitioner: user.practitioner, agent: user.practitioner ?? `Person/${ctx.config.org}.${user.username}` };
  } catch (err) {
    if (err instanceof AuthError) throw err;
    if (err instanceof errors.JWTExpired) throw new AuthError(401, 'token expired');
    throw new AuthError(401, 'invalid token');
  }
}

export function hasRole(p: Principal, ...roles: (Role | 'patient')[]): boolean {
  return p.roles.includes('admin') || roles.some((r) => p.roles.includes(r));
}
