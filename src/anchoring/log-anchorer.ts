/**
 * Anchors a Merkle log's tree head in AnchorRegistry in batches: when `batchSize` entries have
 * accumulated or `intervalMs` has passed with anything new, one transaction carries the root of the
 * whole batch. One anchor is in flight at a time; the transaction journal makes it survive a crash.
 */
import { bytesToHex, type Hex } from 'viem';
import type { Deployment } from '../chain/deployment.ts';
import { anchorRegistryAbi } from '../chain/generated/contracts.ts';
import { logIdOf, logKindToChain, type LogKind } from '../chain/ids.ts';
import type { TxSender } from '../chain/journal.ts';
import type { Ledger } from '../chain/submit.ts';
import { anchorCovering, listAnchors, type AnchorRow } from '../indexer/projectors/anchors.ts';
import type { PersistentLog } from '../merkle/persistent-log.ts';
import { errorMessage } from '../shared/errors.ts';
import type { Storage } from '../storage/engine.ts';

export interface AnchorPolicy {
  batchSize: number;
  intervalMs: number;
}

export class LogAnchorer {
  readonly logId: Hex;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private lastAnchorAt = Date.now();
  private stopped = false;
  lastError: string | null = null;
  /** Number of anchor transactions this process sent (for benchmarks). */
  sent = 0;
  /** Told when anchoring starts failing (the first error of a run of them) and when it works again. */
  onTrouble: ((error: string | null) => void) | undefined;

  constructor(
    private readonly deps: { storage: Storage; log: PersistentLog; ledger: Ledger; journal: TxSender; deployment: Deployment; orgId: Hex },
    readonly kind: LogKind,
    readonly name: string,
    private readonly policy: AnchorPolicy,
  ) {
    this.logId = logIdOf(name);
  }

  private get key() {
    return { orgId: this.deps.orgId, kind: this.kind, logId: this.logId };
  }

  /** Anchors of this log from the index, newest first. */
  anchors(limit = 1_000_000): Promise<AnchorRow[]> {
    return listAnchors(this.deps.storage, { ...this.key, limit });
  }

  /** Latest indexed anchor, if any. */
  async latest(): Promise<AnchorRow | undefined> {
    return (await this.anchors(1))[0];
  }

  /** The oldest anchor whose tree covers leaf `index` (the first root that can prove it). */
  anchorCovering(index: number): Promise<AnchorRow | undefined> {
    return anchorCovering(this.deps.storage, this.key, index);
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      // A failed pass (chain or database unavailable) is tried again at the next tick; what was not
      // anchored stays in the log, and the anchor transaction, if sent, stays journalled.
      void this.maybeAnchor().catch((err) => this.troubled(errorMessage(err))).finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(tick, Math.min(this.policy.intervalMs, 250));
        this.timer.unref();
      });
    };
    tick();
  }

  /** Stops anchoring and waits for an anchor in flight (it stays journalled if unfinished). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight?.catch(() => {});
  }

  /** Anchors now if the policy says so (or unconditionally with `force` when anything is new). */
  async maybeAnchor(force = false): Promise<void> {
    if (this.inFlight) {
      // A forced anchor covers everything appended so far: a batch already in flight may not.
      if (!force) return this.inFlight;
      await this.inFlight.catch(() => {});
      return this.maybeAnchor(true);
    }
    if (this.stopped) return;
    // Everything, the refresh included, runs as the pass in flight, so that `stop` waits for it.
    this.inFlight = (async () => {
      await this.deps.log.refresh(); // leaves other replicas appended (PostgreSQL)
      const size = this.deps.log.size;
      if (size === 0) return;
      const anchored = Math.max((await this.latest())?.treeSize ?? 0, await this.pendingSize());
      if (size <= anchored) return;
      const due = force || size - anchored >= this.policy.batchSize || Date.now() - this.lastAnchorAt >= this.policy.intervalMs;
      if (due) await this.anchor(size);
    })().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private troubled(error: string | null): void {
    if ((error === null) !== (this.lastError === null)) this.onTrouble?.(error);
    this.lastError = error;
  }

  /** The largest tree size already journalled for this log but not yet indexed. */
  private async pendingSize(): Promise<number> {
    const label = await this.deps.journal.latestLabelled(`anchor ${this.kind}/${this.name} size `);
    return label ? Number(label.split(' size ')[1]) : 0;
  }

  private async anchor(size: number): Promise<void> {
    const root = bytesToHex(this.deps.log.tree.root(size));
    try {
      await this.deps.ledger.submit({
        address: this.deps.deployment.contracts.AnchorRegistry.address,
        abi: anchorRegistryAbi,
        functionName: 'anchor',
        args: [logKindToChain(this.kind), this.logId, BigInt(size), root],
        label: `anchor ${this.kind}/${this.name} size ${size}`,
      });
      this.sent++;
      this.lastAnchorAt = Date.now();
      this.troubled(null);
    } catch (err) {
      this.troubled(errorMessage(err));
    }
  }
}
