/** Who is calling a node, as every authorization decision and audit entry sees it. */
import type { Address } from 'viem';

export const ROLES = ['admin', 'clinician', 'staff', 'privacy-officer'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  kind: 'user' | 'operator' | 'patient';
  username: string;
  roles: (Role | 'patient')[];
  /** The Practitioner a user acts as (clinicians). */
  practitioner: string | null;
  /** The reference the audit trail names. */
  agent: string;
  /** For patients: their own address, and those of patients they are an active proxy for. */
  addresses?: Address[];
}

/** Does the principal hold one of `roles`? Admins hold every role. */
export function hasRole(p: Principal, ...roles: (Role | 'patient')[]): boolean {
  return p.roles.includes('admin') || roles.some((r) => p.roles.includes(r));
}

/** Who acts, as the audit trail records it. */
export interface Actor {
  /** The reference the audit trail names (a Practitioner, a Person, a Patient address, an Organization). */
  agent: string;
  /** On whose behalf (another organization's request: its practitioner). */
  onBehalfOf?: string;
  /** The client address. */
  network?: string;
  /** HL7 v3 PurposeOfUse (TREAT, HPAYMT, HOPERAT, HRESCH, ETREAT). */
  purpose?: string;
}

/**
 * A principal in one request: who, from where, for what purpose. Repositories and services are bound
 * to a caller; they check its access and write its audit entries themselves.
 */
export interface Caller extends Actor {
  principal: Principal;
  purpose: string;
}

/** The node itself acting (anchoring, imports by the operator, background work). */
export function systemCaller(org: string, purpose = 'HOPERAT'): Caller {
  return { principal: { kind: 'operator', username: 'operator', roles: ['admin'], practitioner: null, agent: `Organization/${org}` }, agent: `Organization/${org}`, purpose };
}
