/**
 * The authentication gate: every request that needs a caller goes through here. It authenticates the
 * bearer token, binds the request's `Caller` (principal, client address, purpose of use) and checks
 * roles for the platform API. Features never authenticate by themselves.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../identity/authenticate.ts';
import { hasRole, type Caller, type Role } from '../identity/principal.ts';
import type { Standing } from '../identity/standing.ts';
import { DomainError, forbidden } from '../shared/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

export interface GateHooks {
  /** A request failed authentication (the node audits it: who tried, from where, what). */
  onUnauthenticated?(req: FastifyRequest, reason: string): Promise<void>;
  /** Whether a clinician may act now (a valid licence through this organization); every clinician route asks. */
  standing?: Standing;
}

/** HL7 v3 PurposeOfUse codes a caller may state in `X-Purpose-Of-Use`; anything else is HOPERAT. */
const PURPOSE = /^[A-Z]{2,12}$/;

export class Gate {
  constructor(
    private readonly auth: Authenticator,
    private readonly hooks: GateHooks = {},
  ) {}

  /** Authenticates the request and binds its caller; a DomainError `unauthenticated` says why not. */
  async identify(req: FastifyRequest): Promise<Caller> {
    if (req.caller) return req.caller;
    try {
      const principal = await this.auth.authenticate(req.headers.authorization);
      const purpose = String(req.headers['x-purpose-of-use'] ?? 'HOPERAT');
      req.caller = { principal, agent: principal.agent, network: req.ip, purpose: PURPOSE.test(purpose) ? purpose : 'HOPERAT' };
      return req.caller;
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'unauthenticated') {
        await this.hooks.onUnauthenticated?.(req, err.message).catch(() => {});
        err.audited = true;
      }
      throw err;
    }
  }

  /** Route option: an authenticated caller with one of `roles` (admins always qualify). */
  roles(...roles: (Role | 'patient')[]) {
    return {
      preHandler: async (req: FastifyRequest, _reply: FastifyReply) => {
        const caller = await this.identify(req);
        if (!hasRole(caller.principal, ...roles)) throw forbidden(`needs role ${['admin', ...roles].join(' or ')}`);
      },
    };
  }

  /**
   * Route option for routes that reach patient data: as `roles`, and a caller admitted only as a
   * clinician must be in good standing (a valid licence, affiliated with this organization) now.
   */
  clinical(...roles: (Role | 'patient')[]) {
    return {
      preHandler: async (req: FastifyRequest, _reply: FastifyReply) => {
        const caller = await this.identify(req);
        const p = caller.principal;
        if (!hasRole(p, ...roles)) throw forbidden(`needs role ${['admin', ...roles].join(' or ')}`);
        const others = roles.filter((r) => r !== 'clinician');
        if (this.hooks.standing && p.roles.includes('clinician') && !p.roles.includes('admin') && !(others.length && hasRole(p, ...others))) {
          const problem = await this.hooks.standing.problem(p);
          if (problem) throw forbidden(`not in good standing as a clinician: ${problem}`);
        }
      },
    };
  }

  /** Route option: any authenticated caller (the route decides what it may see). */
  authenticated() {
    return {
      preHandler: async (req: FastifyRequest, _reply: FastifyReply) => {
        await this.identify(req);
      },
    };
  }
}

/** The request's caller; routes behind the gate always have one. */
export function callerOf(req: FastifyRequest): Caller {
  if (!req.caller) throw new DomainError('internal', 'route reached without a caller: it must be behind the gate');
  return req.caller;
}
