/**
 * Logins: a node user's password or a patient's signature over a one-time challenge gives a short-
 * lived bearer token. Every attempt, good or bad, is audited here, as who tried and from where.
 */
import type { Address, Hex } from 'viem';
import type { AuditTrail } from '../audit/trail.ts';
import { agentOf, TOKEN_TTL_SECONDS, type Authenticator } from '../identity/authenticate.ts';
import type { PatientChallenges } from '../identity/patient-challenges.ts';
import type { UserStore } from '../identity/users.ts';
import { DomainError } from '../shared/errors.ts';

export interface LoginDeps {
  org: string;
  orgId: Hex;
  auth: Authenticator;
  users: UserStore;
  challenges: PatientChallenges;
  audit: AuditTrail;
}

export interface Session {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  roles: string[];
  practitioner?: string | null;
}

export class LoginService {
  constructor(private readonly deps: LoginDeps) {}

  challenge(address: Address) {
    return this.deps.challenges.issue(address);
  }

  async patientLogin(address: Address, challenge: string, signature: Hex, network: string): Promise<Session> {
    const who = await this.deps.challenges.redeem(this.deps.orgId, address, challenge, signature);
    await this.deps.audit.record(
      { agent: `Patient/${who ?? address}`, network },
      { action: 'E', subtype: 'login', outcome: who ? '0' : '4', ...(who ? {} : { outcomeDesc: 'patient login: bad, expired or reused challenge or signature' }) },
    );
    if (!who) throw new DomainError('unauthenticated', 'the challenge is unknown, expired or used, or the signature does not match the address');
    return { access_token: await this.deps.auth.issuePatientToken(who), token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS, roles: ['patient'] };
  }

  async login(username: string, password: string, network: string): Promise<Session> {
    const user = await this.deps.users.checkPassword(username, password);
    if (!user) {
      await this.deps.audit.record({ agent: 'Device/unauthenticated', network }, { action: 'E', subtype: 'login', outcome: '4', outcomeDesc: `failed login for user "${username.slice(0, 64)}"` });
      throw new DomainError('unauthenticated', 'wrong username or password');
    }
    await this.deps.audit.record({ agent: agentOf(this.deps.org, user), network }, { action: 'E', subtype: 'login', outcome: '0' });
    return { access_token: await this.deps.auth.issueUserToken(user), token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS, roles: user.roles, practitioner: user.practitioner };
  }
}
