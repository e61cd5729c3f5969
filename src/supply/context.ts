/**
 * What every part of the supply feature is built on, wired once by the composition root
 * (src/node/services.ts): storage and the write queue, the audit trail, the ledger, this
 * organization's keys and identity, the unit and event stores, and the peer client.
 */
import type { Hex } from 'viem';
import type { LogAnchorer } from '../anchoring/log-anchorer.ts';
import type { AuditFacts, AuditTrail } from '../audit/trail.ts';
import type { Deployment } from '../chain/deployment.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import type { Actor } from '../identity/principal.ts';
import type { Storage } from '../storage/engine.ts';
import type { WriteQueue } from '../storage/write-queue.ts';
import type { SupplyEventStore } from './events/store.ts';
import type { SerialLedger } from './ledger/registry.ts';
import type { PeerClient } from '../http/peer-client.ts';
import type { UnitResolver } from './units/resolver.ts';
import type { UnitStore } from './units/store.ts';

export interface SupplySettings {
  /** Hours after which shipment data with no product received raises data-without-product. */
  dataWithoutProductHours: number;
  /** Minutes after the ledger shipment within which its data must arrive, or it is late. */
  lateDataMinutes: number;
}

export const DEFAULT_SUPPLY_SETTINGS: SupplySettings = { dataWithoutProductHours: 72, lateDataMinutes: 60 };

export interface SupplyContext {
  storage: Storage;
  queue: WriteQueue;
  audit: AuditTrail;
  ledger: SerialLedger;
  deployment: Deployment;
  keys: OrgKeys;
  orgId: Hex;
  org: string;
  units: UnitStore;
  resolver: UnitResolver;
  events: SupplyEventStore;
  anchorer: LogAnchorer;
  peer: PeerClient;
  indexer: { readonly indexedBlock: number; waitForBlock(block: number, timeoutMs: number): Promise<void> };
  settings: SupplySettings;
}

/** Audits a supply action as `actor`, on its own (acknowledged once durable). */
export function auditSupply(ctx: Pick<SupplyContext, 'audit'>, actor: Actor, subtype: string, outcome: '0' | '4' | '8', desc: string, what: string[] = [], action: AuditFacts['action'] = 'E'): Promise<number> {
  return ctx.audit.record(actor, { action, subtype: `supply-${subtype}`, outcome, outcomeDesc: desc.slice(0, 500), what: what.slice(0, 50) });
}

/** Runs `fn`, auditing its failure as `actor` before rethrowing it. */
export async function audited<T>(ctx: Pick<SupplyContext, 'audit'>, actor: Actor, subtype: string, what: string[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await auditSupply(ctx, actor, subtype, '4', (err as Error).message, what).catch(() => {});
    throw err;
  }
}
