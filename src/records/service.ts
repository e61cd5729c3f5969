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
  anchorPolicy: AnchorPolicy;
}

export class RecordService {
  readonly log: PersistentLog;
  readonly store: RecordStore;
  readonly queue: WriteQueue;
  readonly anchorer: LogAnchorer;

  constructor(readonly deps: RecordServiceDeps) {
    this.log = new PersistentLog(deps.db, 'records');
    this.store = new RecordStore(deps.db, deps.keys, this.log);
    this.queue = new WriteQueue(deps.db, [this.log]);
    this.anchorer = new LogAnchorer(deps.db, this.log, deps.sender, deps.deployment, deps.indexer, deps.orgId, 'records', 'records', deps.anchorPolicy);
  }

  create(resource: Resource, author: string): Promise<WriteResult> {
    validate(resource);
    return this.queue.run(() => this.store.create(resource, author));
  }

  update(type: string, id: string, resource: Resource, author: string, ifMatch?: number): Promise<WriteResult> {
    validate(resource);
    return this.queue.run(() => this.store.update(type, id, resource, author, ifMatch));
  }

  delete(type: string, id: string, author: string) {
    return this.queue.run(() => this.store.delete(type, id, author));
  }

  erase(patientId: string, requestedBy: string) {
    return this.queue.run(() => erasePatient(this.deps.db, this.store, patientId, requestedBy));
  }

  /**
   * Integrity problems between the stored record log and the anchored roots in the node's index
   * (checked at start and on readiness): a changed or truncated log is reported, not served silently.
   */
  anchorMismatches(): string[] {
    const problems: string[] = [];
    for (const a of this.anchorer.anchors()) {
      if (a.treeSize > this.log.size) problems.push(`record log has ${this.log.size} entries but anchor #${a.index} covers ${a.treeSize}`);
      else if (bytesToHex(this.log.tree.root(a.treeSize)) !== a.root) problems.push(`record log root at size ${a.treeSize} differs from anchor #${a.index}`);
    }
    return problems;
  }
}
