/**
 * Wires the record pipeline of one node: validation, the encrypted store, group commit, the record
 * log and its anchoring. Everything that writes goes through here.
 */
import { bytesToHex, type Hex } from 'viem';
import type { Deployment } from '../chain/deployment.ts';
import type { TxSender } from '../chain/journal.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import type { Db } from '../db/database.ts';
import { WriteQueue } from '../db/write-queue.ts';
import type { Resource } from '../fhir/types.ts';
import type { LocalAccount } from 'viem/accounts';
import { AuditLog, type AuditInput } from '../audit/audit-log.ts';
import { patientIdOf } from './search-params.ts';
import { validate } from '../fhir/validation.ts';
import type { Indexer } from '../indexer/indexer.ts';
import { PersistentLog } from '../merkle/persistent-log.ts';
import { LogAnchorer, type AnchorPolicy } from '../anchoring/log-anchorer.ts';
import { erasePatient } from './erasure.ts';
import { RecordStore, type WriteResult } from './store.ts';

export interface RecordServiceDeps {
  db: Db;
  keys: OrgKeys;
  sender: TxSender;
  deployment: Deployment;
  indexer: Indexer;
  orgId: Hex;
  org: string;
  signer: LocalAccount;
  anchorPolicy: AnchorPolicy;
}

/** Who performs an action, as the audit trail records it. */
export interface Actor {
  agent: string;
  onBehalfOf?: string;
  network?: string;
  purpose?: string;
}

export class RecordService {
  readonly log: PersistentLog;
  readonly store: RecordStore;
  readonly queue: WriteQueue;
  readonly anchorer: LogAnchorer;
  readonly audit: AuditLog;
  readonly auditAnchorer: LogAnchorer;

  constructor(readonly deps: RecordServiceDeps) {
    this.log = new PersistentLog(deps.db, 'records');
    this.store = new RecordStore(deps.db, deps.keys, this.log);
    this.audit = new AuditLog(deps.db, deps.org, (id) => this.store.patientToken(id), deps.signer);
    // One queue for both logs: a record change and its audit entry commit together or not at all.
    this.queue = new WriteQueue(deps.db, [this.log, this.audit.log]);
    this.anchorer = new LogAnchorer(deps.db, this.log, deps.sender, deps.deployment, deps.indexer, deps.orgId, 'records', 'records', deps.anchorPolicy);
    this.auditAnchorer = new LogAnchorer(deps.db, this.audit.log, deps.sender, deps.deployment, deps.indexer, deps.orgId, 'audit', 'audit', deps.anchorPolicy);
  }

  /** Audits a successful write, inside its transaction. */
  auditWrite(actor: Actor, r: WriteResult | null, op: 'create' | 'update' | 'delete', type?: string, id?: string): void {
    if (!r) return;
    const resource = r.resource;
    const patientId = resource ? patientIdOf(resource) : this.patientOf(r.type, r.id);
    this.audit.append({
      ...actor,
      action: op === 'delete' ? 'D' : r.created ? 'C' : 'U',
      subtype: op === 'delete' ? 'delete' : r.created && op === 'create' ? 'create' : 'update',
      outcome: '0',
      patientId,
      what: [`${type ?? r.type}/${id ?? r.id}/_history/${r.version}`],
    });
    if (resource?.resourceType === 'Encounter' && patientId) {
      for (const p of (resource.participant as { individual?: { reference?: string } }[] | undefined) ?? []) {
        if (p.individual?.reference) this.audit.noteCareRelationship(patientId, p.individual.reference);
      }
    }
  }

  /** The patient a stored resource belongs to (for auditing deletes and reads). */
  patientOf(type: string, id: string): string | undefined {
    const cur = this.store.currentVersion(type, id);
    if (!cur) return undefined;
    if (type === 'Patient') return id;
    try {
      const row = this.store.versionRow(type, id, cur.deleted ? cur.version - 1 : cur.version);
      return row && row.op !== 'delete' && !row.erased ? patientIdOf(this.store.decrypt(row)) : undefined;
    } catch {
      return undefined;
    }
  }

  create(resource: Resource, actor: Actor): Promise<WriteResult> {
    validate(resource);
    return this.queue.run(() => {
      const r = this.store.create(resource, actor.agent);
      this.auditWrite(actor, r, 'create');
      return r;
    });
  }

  update(type: string, id: string, resource: Resource, actor: Actor, ifMatch?: number): Promise<WriteResult> {
    validate(resource);
    return this.queue.run(() => {
      const r = this.store.update(type, id, resource, actor.agent, ifMatch);
      this.auditWrite(actor, r, 'update');
      return r;
    });
  }

  delete(type: string, id: string, actor: Actor) {
    const patientId = this.patientOf(type, id);
    return this.queue.run(() => {
      const r = this.store.delete(type, id, actor.agent);
      if (r) this.audit.append({ ...actor, action: 'D', subtype: 'delete', outcome: '0', patientId, what: [`${type}/${id}/_history/${r.version}`] });
      return r;
    });
  }

  erase(patientId: string, actor: Actor) {
    return this.queue.run(() => {
      const r = erasePatient(this.deps.db, this.store, patientId, actor.agent);
      this.audit.append({ ...actor, action: 'D', subtype: 'erase', outcome: '0', patientId, what: [`Patient/${patientId}`] });
      return r;
    });
  }

  /** Audits an access (read, search, export, denial); resolves once the entry is durable. */
  audited(actor: Actor, input: Omit<AuditInput, keyof Actor>): Promise<number> {
    return this.queue.run(() => this.audit.append({ ...actor, ...input }));
  }

  /**
   * Integrity problems between the stored record log and the anchored roots in the node's index
   * (checked at start and on readiness): a changed or truncated log is reported, not served silently.
   */
  anchorMismatches(): string[] {
    const problems: string[] = [];
    for (const [name, log, anchorer] of [['record', this.log, this.anchorer], ['audit', this.audit.log, this.auditAnchorer]] as const) {
      for (const a of anchorer.anchors()) {
        if (a.treeSize > log.size) problems.push(`${name} log has ${log.size} entries but anchor #${a.index} covers ${a.treeSize}`);
        else if (bytesToHex(log.tree.root(a.treeSize)) !== a.root) problems.push(`${name} log root at size ${a.treeSize} differs from anchor #${a.index}`);
      }
    }
    return problems;
  }
}
