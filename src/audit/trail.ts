/**
 * The audit trail as the features use it: an entry for an actor, written inside the transaction of
 * the action it records (`append`), or on its own and acknowledged once durable (`record`).
 */
import type { Actor } from '../identity/principal.ts';
import type { Tx } from '../storage/engine.ts';
import type { WriteQueue } from '../storage/write-queue.ts';
import type { AuditInput, AuditLog } from './audit-log.ts';

/** What an entry says beyond who acted. */
export type AuditFacts = Omit<AuditInput, keyof Actor>;

export class AuditTrail {
  constructor(
    readonly log: AuditLog,
    readonly queue: WriteQueue,
  ) {}

  /** Appends inside `tx`, so the entry commits (or rolls back) with the action. */
  append(tx: Tx, actor: Actor, facts: AuditFacts): Promise<number> {
    return this.log.append(tx, { agent: actor.agent, onBehalfOf: actor.onBehalfOf, network: actor.network, purpose: actor.purpose, ...facts });
  }

  /**
   * Records a failed request that no feature audited (a malformed body, an unknown route): who asked,
   * what and why it failed. The query string stays base64 inside the entry, as every query does.
   */
  recordFailure(actor: Actor, failure: { kind: string; message: string; serious: boolean; url: string }): Promise<number> {
    return this.record(actor, { action: 'E', subtype: 'request', outcome: failure.serious ? '8' : '4', outcomeDesc: `${failure.kind}: ${failure.message}`.slice(0, 500), query: failure.url });
  }

  /** Records a request that failed authentication: who tried (unknown), from where, what. */
  recordUnauthenticated(network: string, reason: string, method: string, path: string): Promise<number> {
    return this.record({ agent: 'Device/unauthenticated', network }, { action: 'E', subtype: 'login', outcome: '4', outcomeDesc: `${reason}: ${method} ${path}`.slice(0, 500) });
  }

  /** Records an access (read, search, export, denial) on its own; resolves once the entry is durable. */
  record(actor: Actor, facts: AuditFacts): Promise<number> {
    return this.queue.run((tx) => this.append(tx, actor, facts));
  }
}
