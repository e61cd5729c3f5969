/**
 * Exactly one process runs a node's singletons — the indexer, the anchorers and the transaction
 * journal's re-broadcaster — however many replicas of the node share its database. The one holding
 * the database lease `node-singletons` (a PostgreSQL advisory lock on a connection of its own) runs
 * them; the others follow the index the leader commits and try for the lease every `retryMs`. When the
 * leader dies its session ends, the server frees the lock, and the next replica to try takes over:
 * it re-broadcasts whatever is journalled and pending (the dead leader's transactions included),
 * catches the index up and resumes anchoring from the logs' committed leaves. On SQLite the one
 * process is always the leader.
 */
import type { LogAnchorer } from '../anchoring/log-anchorer.ts';
import type { TxSender } from '../chain/journal.ts';
import type { Indexer } from '../indexer/indexer.ts';
import type { Lease, Storage } from '../storage/engine.ts';

export interface LeadershipDeps {
  storage: Storage;
  journal: TxSender;
  indexer: Indexer;
  anchorers: LogAnchorer[];
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  retryMs?: number;
}

export class Leadership {
  private lease: Lease | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private transition: Promise<void> = Promise.resolve();
  /** Times this process became the leader (for metrics). */
  terms = 0;

  constructor(private readonly deps: LeadershipDeps) {}

  get isLeader(): boolean {
    return this.lease !== undefined;
  }

  /** Tries for the lease at once (a single node leads from its first request), then keeps trying. */
  async start(): Promise<void> {
    if (!(await this.tryLead())) this.deps.indexer.follow();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void (async () => {
        if (!this.lease) await this.tryLead().catch(() => false);
        this.schedule();
      })();
    }, this.deps.retryMs ?? 1_000);
    this.timer.unref();
  }

  private async tryLead(): Promise<boolean> {
    const lease = await this.deps.storage.tryLease('node-singletons');
    if (!lease) return false;
    if (this.stopped) {
      await lease.release();
      return false;
    }
    await this.queue(async () => {
      this.lease = lease;
      this.terms++;
      const { journal, indexer, anchorers, log } = this.deps;
      await indexer.stop(); // stop following
      // Transactions journalled before a crash (ours, or a dead leader's) are re-sent first.
      const pending = await journal.recover();
      if (pending.length) log.info({ pending: pending.map((p) => p.hash) }, 're-sent journalled transactions');
      void journal.settle();
      indexer.start();
      await indexer.poll(); // the first pass: caught up before the node answers
      for (const a of anchorers) a.start();
      log.info({ term: this.terms }, 'leading: running the indexer, the anchorers and the journal re-broadcaster');
      void lease.lost.then(() => this.demote('the lease was lost (database connection broken)'));
    });
    return true;
  }

  /** Stops the singletons and follows again. */
  private demote(why: string): Promise<void> {
    return this.queue(async () => {
      if (!this.lease) return;
      this.lease = undefined;
      this.deps.log.warn({ why }, 'no longer leading');
      await this.stopSingletons();
      if (!this.stopped) this.deps.indexer.follow();
    });
  }

  private async stopSingletons(): Promise<void> {
    this.deps.journal.stopRebroadcasting();
    await Promise.all([this.deps.indexer.stop(), ...this.deps.anchorers.map((a) => a.stop())]);
  }

  /** Stops everything (node shutdown) and releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.queue(async () => {
      await this.stopSingletons();
      const lease = this.lease;
      this.lease = undefined;
      await lease?.release();
    });
  }

  private queue(fn: () => Promise<void>): Promise<void> {
    const next = this.transition.then(fn, fn);
    this.transition = next.catch(() => {});
    return next;
  }
}
