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
import type { Db } from '../db/database.ts';
import { errorMessage } from '../errors.ts';
import { listAnchors, type AnchorRow } from '../indexer/queries.ts';
import type { Indexer } from '../indexer/indexer.ts';
import type { PersistentLog } from '../merkle/persistent-log.ts';

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

  constructor(
    private readonly db: Db,
    private readonly log: PersistentLog,
    private readonly sender: TxSender,
    private readonly deployment: Deployment,
    private readonly indexer: Indexer,
    private readonly orgId: Hex,
    readonly kind: LogKind,
    readonly name: string,
    private readonly policy: AnchorPolicy,
  ) {
    this.logId = logIdOf(name);
  }

  /** Anchors of this log from the index, newest first. */
  anchors(limit = 1_000_000): AnchorRow[] {
    return listAnchors(this.db, { orgId: this.orgId, kind: this.kind, logId: this.logId, limit });
  }

  /** Latest indexed anchor (tree size 0 if none). */
  latest(): AnchorRow | undefined {
    return this.anchors(1)[0];
  }

  /** The oldest anchor whose tree covers leaf `index` (the first root that can prove it). */
  anchorCovering(index: number): AnchorRow | undefined {
    return this.db
      .prepare(
        `SELECT org_id AS orgId, kind, log_id AS logId, idx AS "index", tree_size AS treeSize, root, timestamp, block_number AS blockNumber, tx_hash AS txHash
           FROM anchors WHERE org_id = ? AND kind = ? AND log_id = ? AND tree_size > ? ORDER BY idx LIMIT 1`,
      )
      .get(this.orgId, this.kind, this.logId, index) as AnchorRow | undefined;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      void this.maybeAnchor().finally(() => {
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
    await this.inFlight;
  }

  /** Anchors now if the policy says so (or unconditionally with `force` when anything is new). */
  async maybeAnchor(force = false): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.stopped) return;
    const size = this.log.size;
    const anchored = Math.max(this.latest()?.treeSize ?? 0, this.pendingSize());
    if (size <= anchored) return;
    const due = force || size - anchored >= this.policy.batchSize || Date.now() - this.lastAnchorAt >= this.policy.intervalMs;
    if (!due) return;
    this.inFlight = this.anchor(size).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** The largest tree size already journalled for this log but not yet indexed. */
  private pendingSize(): number {
    const rows = this.db
      .prepare(`SELECT label FROM tx_journal WHERE status IN ('pending', 'mined') AND label LIKE ? ORDER BY id DESC LIMIT 1`)
      .all(`anchor ${this.kind}/${this.name} size %`) as { label: string }[];
    return rows.length ? Number(rows[0]!.label.split(' size ')[1]) : 0;
  }

  private async anchor(size: number): Promise<void> {
    const root = bytesToHex(this.log.tree.root(size));
    try {
      const { receipt } = await this.sender.sendContract({
        address: this.deployment.contracts.AnchorRegistry.address,
        abi: anchorRegistryAbi,
        functionName: 'anchor',
        args: [logKindToChain(this.kind), this.logId, BigInt(size), root],
        label: `anchor ${this.kind}/${this.name} size ${size}`,
      });
      this.sent++;
      this.lastAnchorAt = Date.now();
      this.lastError = null;
      await this.indexer.waitForBlock(receipt.blockNumber, 15_000).catch(() => {});
    } catch (err) {
      this.lastError = errorMessage(err);
    }
  }
}
