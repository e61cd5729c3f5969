/**
 * Group commit. Concurrent write requests are queued and run together in one transaction (one
 * fsync); a failing request rolls back alone (savepoints), the others commit. A request's promise
 * settles only after the transaction is durable, so an acknowledged write is never lost, and a failed
 * one leaves nothing behind.
 */
import type { Storage, Tx } from './engine.ts';
import { isStorageFailure } from './errors.ts';

/**
 * In-memory state that must follow the transaction (a Merkle log's pending leaves): marked before each
 * job, reset to the mark if the job fails, committed or rolled back with the transaction.
 */
export interface TxParticipant {
  /**
   * Called first in every batch's transaction, before any job: where a participant shared by several
   * processes (replicas on one PostgreSQL) takes its lock and catches up with what the others wrote.
   */
  begin?(tx: Tx): Promise<void>;
  mark(): number;
  resetTo(mark: number): void;
  commit(): void;
  rollback(): void;
}

export type Job<T> = (tx: Tx) => Promise<T> | T;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Queued {
  fn: Job<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class WriteQueue {
  private jobs: Queued[] = [];
  private flushing: Promise<void> | undefined;
  /** Sizes of committed batches, for metrics (`node/metrics.ts`); set by whoever wants them. */
  onBatch: ((size: number) => void) | undefined;
  /** Why the last write failed, when storage (not the job) was at fault; cleared by a commit. */
  storageProblem: string | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly participants: TxParticipant[] = [],
    private readonly maxBatch = 512,
  ) {}

  addParticipant(p: TxParticipant): void {
    this.participants.push(p);
  }

  /** Queues `fn` to run in the next batch; resolves with its value once the batch is durable. */
  run<T>(fn: Job<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.flushing ??= new Promise<void>((r) => setImmediate(r)).then(() => this.flushAll());
    });
  }

  /** Resolves once every queued job has been committed (or failed). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushAll(): Promise<void> {
    try {
      while (this.jobs.length) await this.flush(this.jobs.splice(0, this.maxBatch));
    } finally {
      this.flushing = undefined;
    }
  }

  private async flush(batch: Queued[]): Promise<void> {
    // Fast path: the whole batch in one transaction. Jobs rarely fail (input is validated before it
    // is queued); when one does, the batch is rolled back and re-run with a savepoint per job.
    // Jobs are re-runnable: nothing they did is visible until their promise settles.
    let values: unknown[] | undefined;
    try {
      values = await this.storage.transaction(async (tx) => {
        await this.begin(tx);
        const out: unknown[] = [];
        for (const job of batch) out.push(await job.fn(tx));
        return out;
      });
    } catch (error) {
      for (const p of this.participants) p.rollback();
      // Storage at fault (disk full, read-only): every job would fail the same way.
      if (isStorageFailure(error)) return this.failAll(batch, error);
    }
    if (values) {
      this.storageProblem = null;
      this.onBatch?.(batch.length);
      for (const p of this.participants) p.commit();
      batch.forEach((job, i) => job.resolve(values![i]));
      return;
    }
    const outcomes: Outcome[] = [];
    try {
      await this.storage.transaction(async (tx) => {
        await this.begin(tx);
        for (const job of batch) {
          const marks = this.participants.map((p) => p.mark());
          try {
            outcomes.push({ ok: true, value: await tx.savepoint(async (sp) => job.fn(sp)) });
          } catch (error) {
            // Storage at fault: SQLite may have rolled the whole transaction back; stop here.
            if (isStorageFailure(error)) throw error;
            this.participants.forEach((p, i) => p.resetTo(marks[i]!));
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: nothing of this batch is stored. SQLite rolls the whole transaction
      // back on some errors (SQLITE_FULL), and the commit then fails for want of a transaction: the
      // job's error is the cause.
      for (const p of this.participants) p.rollback();
      return this.failAll(batch, error);
    }
    this.storageProblem = null;
    this.onBatch?.(batch.length);
    for (const p of this.participants) p.commit();
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
  }

  private async begin(tx: Tx): Promise<void> {
    for (const p of this.participants) await p.begin?.(tx);
  }

  private failAll(batch: Queued[], error: unknown): void {
    if (isStorageFailure(error)) this.storageProblem = error.message;
    for (const job of batch) job.reject(error);
  }
}
