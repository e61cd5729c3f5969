/**
 * Who is calling a node: a local user with a bearer JWT issued by this node (HS256, `jose`, short
 * lived, `alg` pinned so `none` and key confusion are refused), a patient with a token issued after
 * they proved possession of their key, or the node's operator with the admin token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { getAddress, type Address } from 'viem';
import { patientsProxiedBy } from '../indexer/projectors/consent.ts';
import { DomainError } from '../shared/errors.ts';
import type { Storage } from '../storage/engine.ts';
import type { Principal } from './principal.ts';
import type { User, UserStore } from './users.ts';

export const TOKEN_TTL_SECONDS = 15 * 60;

const unauthenticated = (message: string) => new DomainError('unauthenticated', message);

export class Authenticator {
  private readonly key: Uint8Array;
  private readonly issuer: string;

  constructor(
    private readonly deps: { org: string; indexSecret: Buffer; adminToken: string; users: UserStore; storage: Storage },
  ) {
    this.key = createHmac('sha256', deps.indexSecret).update('carechain/jwt/v1').digest();
    this.issuer = `carechain:${deps.org}`;
  }

  /** The principal an Authorization header proves, or a DomainError `unauthenticated` saying why not. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    const m = /^Bearer (\S+)$/.exec(authorization ?? '');
    if (!m) throw unauthenticated('send Authorization: Bearer <token> (log in at POST /api/auth/login)');
    const token = m[1]!;
    if (token.split('.').length !== 3) {
      const problem = this.adminTokenProblem(token);
      if (problem) throw unauthenticated(problem);
      return { kind: 'operator', username: 'operator', roles: ['admin'], practitioner: null, agent: `Organization/${this.deps.org}` };
    }
    let sub: string;
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: this.issuer, audience: this.issuer, requiredClaims: ['exp', 'sub'] });
      sub = payload.sub!;
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw unauthenticated('token expired');
      throw unauthenticated('invalid token');
    }
    if (sub.startsWith('patient:')) {
      const address = getAddress(sub.slice('patient:'.length));
      const proxied = await patientsProxiedBy(this.deps.storage, address, Math.floor(Date.now() / 1000));
      return { kind: 'patient', username: address, roles: ['patient'], practitioner: null, agent: `Patient/${address}`, addresses: [address, ...proxied.map((p) => getAddress(p))] };
    }
    // Roles come from the user store, not the token alone: a removed role takes effect at once.
    const user = await this.deps.users.get(sub);
    if (!user) throw unauthenticated('unknown user');
    return { kind: 'user', username: user.username, roles: user.roles, practitioner: user.practitioner, agent: agentOf(this.deps.org, user) };
  }

  /** A token for a user who gave the right password. */
  issueUserToken(user: User): Promise<string> {
    return this.sign(user.username, { roles: user.roles, ...(user.practitioner ? { practitioner: user.practitioner } : {}) });
  }

  /** A token for a patient (or proxy) who proved possession of their key. */
  issuePatientToken(address: Address): Promise<string> {
    return this.sign(`patient:${getAddress(address)}`, { roles: ['patient'] });
  }

  private sign(subject: string, claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.issuer)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
      .sign(this.key);
  }

  /** Why `token` is not the node's admin token, or null when it is (constant-time compare). */
  private adminTokenProblem(token: string): string | null {
    const expected = Buffer.from(this.deps.adminToken);
    const got = Buffer.from(token);
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) return 'invalid admin token';
    return null;
  }
}

/** The reference the audit trail names for a user: their Practitioner, else a Person at this organization. */
export function agentOf(org: string, user: User): string {
  return user.practitioner ?? `Person/${org}.${user.username}`;
}
