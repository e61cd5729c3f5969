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
import type { Standing } from '../identity/standing.ts';
import type { GrantNotice } from '../consent/service.ts';
import { scopeDigest } from '../consent/commitments.ts';
import { scopeReleases } from '../consent/scope.ts';
import { forbidden, invalid, notFound } from '../shared/errors.ts';
import type { Custodian } from './custodian.ts';
import { fetchFromCustodians, type FetchResult, type FetchTarget, type RequesterDeps } from './requester.ts';
import type { BreakGlassAccess, ExchangeStore } from './store.ts';

export interface ExchangeServiceDeps {
  custodian: Custodian;
  requester: RequesterDeps;
  store: ExchangeStore;
  credentials: CredentialStore;
  /** The grants this organization was told about (consent notices), by patient address. */
  notices: { noticesFor(patient: Address): Promise<GrantNotice[]> };
  /** Which custodians hold records for an address (the RecordLocator), for break-glass. */
  locate(address: Address): Promise<{ orgId: Hex }[]>;
  /** A clinician's standing (licence through this organization), checked on every fetch. */
  standing: Standing;
  audit: AuditTrail;
  indexedBlock: () => number;
}

export interface FetchRequest {
  /** The patient's address: here, or at a custodian (as a consent notice or the patient gave it). */
  patient: Address;
  purpose: PurposeCode;
  /** Limits what is asked for; without it, each grant's own scope. */
  scope?: Scope;
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

  /**
   * The requester side: ask each custodian that granted this organization (or its practitioner)
   * access for the patient, naming the grant; in an emergency, ask the custodians the locator names
   * for the address with a reference to the clinician's licence. Verify every answer; audit the fetch.
   */
  async fetch(caller: Caller, q: FetchRequest): Promise<FetchResult> {
    const practitioner = caller.principal.kind === 'user' ? (caller.principal.practitioner ?? undefined) : q.practitioner;
    if (caller.principal.kind === 'user' && !caller.principal.roles.includes('admin')) {
      const problem = await this.deps.standing.problem(caller.principal);
      if (problem) throw forbidden(`not in good standing as a clinician: ${problem}`);
    }
    if (q.emergencyReason && q.purpose !== 'ETREAT') throw invalid('an emergency reason goes with purpose ETREAT');
    const targets: FetchTarget[] = [];
    let narrowTo: Scope | undefined;
    const notices = (await this.deps.notices.noticesFor(q.patient)).filter((n) => !n.practitioner || n.practitioner === practitioner);
    let credential: { id: Hex; hash: Hex } | undefined;
    if (q.emergencyReason) {
      // Break-glass: once per custodian that holds the patient (known from notices or the locator), no grant.
      if (!practitioner) throw invalid('break-glass is asked for by a named practitioner');
      credential = await this.deps.credentials.licenceReference(practitioner);
      if (!credential) throw forbidden(`${practitioner} has presented no medical licence here`);
      const seen = new Set<string>();
      const add = (custodian: Hex, patient: Address) => {
        if (seen.has(`${custodian}/${patient.toLowerCase()}`)) return;
        seen.add(`${custodian}/${patient.toLowerCase()}`);
        targets.push({ custodian, patient, scope: q.scope ?? { resourceTypes: ['Patient'] } });
      };
      for (const n of notices) add(n.custodian, n.patient);
      for (const c of await this.deps.locate(q.patient)) add(c.orgId, q.patient);
    } else {
      // With a scope: the grants of exactly that scope; else those that cover it (asked with their own
      // scope, the answer narrowed here); else every grant, so the denials say why.
      const exact = q.scope ? notices.filter((n) => scopeDigest(n.scope) === scopeDigest(q.scope!)) : notices;
      const covering = q.scope && !exact.length ? notices.filter((n) => covers(n.scope, q.scope!)) : [];
      if (covering.length) narrowTo = q.scope;
      const use = exact.length ? exact : covering.length ? covering : notices;
      for (const n of use) targets.push({ custodian: n.custodian, patient: n.patient, scope: covering.length ? n.scope : q.scope ?? n.scope, grant: { id: n.grantId, salt: n.salt } });
    }
    const result = targets.length
      ? await fetchFromCustodians(this.deps.requester, targets, { purpose: q.purpose, practitioner, breakGlassReason: q.emergencyReason, credential, minBlock: this.deps.indexedBlock() })
      : { resources: [], custodians: [], problems: [q.emergencyReason ? 'no custodian holds records for this address (RecordLocator)' : 'no grant to this organization for this patient has been received (no consent notice); the patient grants access at their custodian'] };
    if (narrowTo) {
      const want = narrowTo;
      result.resources = result.resources.filter((r) => scopeReleases(want, r));
    }
    for (const c of result.custodians) {
      if (c.breakGlass) await this.deps.store.saveOutgoing({ access_id: c.breakGlass.accessId, custodian: c.orgId, practitioner: practitioner!, reason: q.emergencyReason!, until: c.breakGlass.until, tx_hash: c.breakGlass.txHash });
    }
    await this.deps.audit.record(caller, {
      action: 'R',
      subtype: q.emergencyReason ? 'exchange-break-glass' : 'exchange-fetch',
      outcome: result.problems.length ? '4' : '0',
      outcomeDesc: result.problems.join('; ').slice(0, 500) || undefined,
      what: result.resources.map((r) => `${r.resourceType}/${r.id}`),
    });
    return result;
  }

  /** Break-glass accesses: those this custodian allowed (optionally for some patient addresses), and those this organization's clinicians opened elsewhere. */
  async breakGlassAccesses(filter: { patients?: string[] } = {}): Promise<{ incoming: BreakGlassAccess[]; outgoing: BreakGlassAccess[] }> {
    return { incoming: await this.deps.store.accesses(filter), outgoing: filter.patients ? [] : await this.deps.store.outgoing() };
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

/** Does a granted scope include everything a narrower one asks for? */
function covers(granted: Scope, asked: Scope): boolean {
  const types = new Set(granted.resourceTypes);
  const classes = new Set(granted.sensitive ?? []);
  const cats = granted.categories ? new Set(granted.categories) : undefined;
  return (
    asked.resourceTypes.every((t) => types.has(t)) &&
    (asked.sensitive ?? []).every((c) => classes.has(c)) &&
    (!cats || (asked.categories !== undefined && asked.categories.every((c) => cats.has(c))))
  );
}
