/**
 * The record feature of one node: the encrypted store, its log and anchoring, the audit trail and the
 * access policy, wired once. Callers get a repository bound to them (`as(caller)`) that checks their
 * access and audits every read, search and write itself.
 */
import { bytesToHex, type Address } from 'viem';
import type { LogAnchorer } from '../anchoring/log-anchorer.ts';
import type { AuditTrail } from '../audit/trail.ts';
import type { Caller } from '../identity/principal.ts';
import type { Standing } from '../identity/standing.ts';
import type { Storage, Tx } from '../storage/engine.ts';
import type { WriteQueue } from '../storage/write-queue.ts';
import type { LedgerCoordinates } from './proof.ts';
import { FhirRepository } from './repository.ts';
import type { SearchEngine } from './search/engine.ts';
import type { RecordStore } from './store.ts';

/** What one request may ask of the record store at most (node configuration). */
export interface RecordLimits {
  /** Entries of a transaction or batch Bundle. */
  maxBundleEntries: number;
  /** Bytes of a Bundle request body. */
  maxBundleBytes: number;
  /** Resources of one `$everything` page. */
  maxEverythingCount: number;
}

export interface RecordServiceDeps {
  storage: Storage;
  store: RecordStore;
  search: SearchEngine;
  queue: WriteQueue;
  audit: AuditTrail;
  anchorer: LogAnchorer;
  auditAnchorer: LogAnchorer;
  standing: Standing;
  org: string;
  ledger: LedgerCoordinates;
  limits: RecordLimits;
  /**
   * Erasure also forgets the patient's identity links and custody key (the identity feature owns them);
   * a signed-in patient's own records are found by the addresses their key links here.
   */
  identities?: { forget(tx: Tx, patientId: string): Promise<void>; patientsWithAddress?(address: Address): Promise<string[]> };
}

export class RecordService {
  constructor(readonly deps: RecordServiceDeps) {}

  get store(): RecordStore {
    return this.deps.store;
  }

  get limits(): RecordLimits {
    return this.deps.limits;
  }

  /** A repository bound to `caller`: every operation is authorized and audited as theirs. */
  as(caller: Caller): FhirRepository {
    return new FhirRepository(this.deps, caller);
  }

  /**
   * Integrity problems between the stored logs and the anchored roots in the node's index (checked at
   * start and on readiness): a changed or truncated log is reported, not served silently.
   */
  async anchorMismatches(): Promise<string[]> {
    const problems: string[] = [];
    const logs = [
      ['record', this.deps.store.log, this.deps.anchorer],
      ['audit', this.deps.audit.log.log, this.deps.auditAnchorer],
    ] as const;
    for (const [name, log, anchorer] of logs) {
      for (const a of await anchorer.anchors()) {
        if (a.treeSize > log.size) problems.push(`${name} log has ${log.size} entries but anchor #${a.index} covers ${a.treeSize}`);
        else if (bytesToHex(log.tree.root(a.treeSize)) !== a.root) problems.push(`${name} log root at size ${a.treeSize} differs from anchor #${a.index}`);
      }
    }
    return problems;
  }
}
