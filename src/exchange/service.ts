/**
 * The exchange feature on a node: the custodian side (answering signed requests), the requester
 * side (a clinician's fetch of a patient's records from the other custodians), and the privacy
 * officer's review of break-glass accesses. Every step is audited as its actor's.
 */
import type { Address, Hex } from 'viem';
import type { AuditTrail } from '../audit/trail.ts';
import type { PurposeCode } from '../chain/ids.ts';
import type { Scope } from '../consent/scope.ts';
import type { CredentialStore } from '../credentials/store.ts';
import type { Caller } from '../identity/principal.ts';
import { invalid, notFound } from '../shared/errors.ts';
import type { Custodian } from './custodian.ts';
import { fetchFromCustodians, type FetchResult, type RequesterDeps } from './requester.ts';
import type { BreakGlassAccess, ExchangeStore } from './store.ts';

export interface ExchangeServiceDeps {
  custodian: Custodian;
  requester: RequesterDeps;
  store: ExchangeStore;
  credentials: CredentialStore;
  audit: AuditTrail;
  indexedBlock: () => number;
}

export interface FetchRequest {
  patient: Address;
  purpose: PurposeCode;
  scope: Scope;
  /** The practitioner to ask as (only the operator may name one; a clinician asks as themself). */
  practitioner?: string;
  /** Break-glass: with purpose ETREAT, the clinical reason for reading without consent. */
  emergencyReason?: string;
}

export class ExchangeService {
  constructor(private readonly deps: ExchangeServiceDeps) {}

  get custodian(): Custodian {
    return this.deps.custodian;
  }

  /** The requester side: ask every custodian of the patient, verify every answer, audit the fetch. */
  async fetch(caller: Caller, q: FetchRequest): Promise<FetchResult> {
    const practitioner = caller.principal.kind === 'user' ? (caller.principal.practitioner ?? undefined) : q.practitioner;
    if (q.emergencyReason && q.purpose !== 'ETREAT') throw invalid('an emergency reason goes with purpose ETREAT');
    const credential = q.emergencyReason && practitioner ? (await this.deps.credentials.presented({ practitioner, type: 'medical-licence' }))[0]?.jws : undefined;
    const result = await fetchFromCustodians(this.deps.requester, {
      patient: q.patient,
      purpose: q.purpose,
      scope: q.scope,
      practitioner,
      breakGlassReason: q.emergencyReason,
      credential,
      minBlock: this.deps.indexedBlock(),
    });
    await this.deps.audit.record(caller, {
      action: 'R',
      subtype: 'exchange-fetch',
      outcome: result.problems.length ? '4' : '0',
      outcomeDesc: result.problems.join('; ').slice(0, 500) || undefined,
      what: result.resources.map((r) => `${r.resourceType}/${r.id}`),
    });
    return result;
  }

  breakGlassAccesses(): Promise<BreakGlassAccess[]> {
    return this.deps.store.accesses();
  }

  async reviewBreakGlass(caller: Caller, accessId: Hex, review: 'justified' | 'unjustified', note?: string): Promise<{ accessId: Hex; review: string }> {
    const done = await this.deps.audit.queue.run(async (tx) => {
      const changed = await this.deps.store.review(tx, accessId, note ? `${review}: ${note}` : review, caller.agent);
      if (changed) await this.deps.audit.append(tx, caller, { action: 'U', subtype: 'break-glass-review', outcome: '0', outcomeDesc: review, what: [`BreakGlass/${accessId}`] });
      return changed;
    });
    if (!done) throw notFound(`an open break-glass access ${accessId}`);
    return { accessId, review };
  }
}
