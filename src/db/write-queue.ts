/**
 * Group commit. Concurrent write requests are queued and run together in one SQLite transaction
 * (one fsync); a failing request rolls back alone (savepoints), the others commit.
 * A request's promise settles only after the transaction is durable, so an acknowledged write is
 * never lost, and a failed one leaves nothing behind.
 */
import type { TxParticipant } from '../merkle/persistent-log.ts';
import type { Db } from './database.ts';
import { storageFailure } from './storage-errors.ts';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The first job error that storage, not the job, caused (disk full, read-only database). */
function storageErrorOf(outcomes: Outcome[]): unknown {
  for (const o of outcomes) if (!o.ok && storageFailure(o.error)) return o.error;
  return undefined;
}

interface Job {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class WriteQueue {
  private jobs: Job[] = [];
  private scheduled = false;
  /** Why the last write failed, when storage (not the job) was at fault; cleared by a commit. */
  storageProblem: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly participants: TxParticipant[] = [],
    private readonly maxBatch = 512,
  ) {}

  addParticipant(p: TxParticipant): void {
    this.participants.push(p);
  }

  /** Resolves once every queued job has been committed (or failed). */
  async drain(): Promise<void> {
    while (this.jobs.length || this.scheduled) await new Promise((r) => setImmediate(r));
  }

  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.jobs.splice(0, this.maxBatch);
    if (this.jobs.length) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    // Fast path: the whole batch in one transaction. Jobs rarely fail (input is validated before it
    // is queued); when one does, the batch is rolled back and re-run with a savepoint per job.
    // Jobs are re-runnable: nothing they did is visible until their promise settles.
    let values: unknown[] | undefined;
    try {
      values = this.db.transaction(() => batch.map((job) => job.fn()))();
    } catch (error) {
      for (const p of this.participants) p.rollback();
      // Storage at fault (disk full, read-only): every job would fail the same way.
      if (storageFailure(error)) return this.failAll(batch, error);
    }
    if (values) {
      this.storageProblem = null;
      for (const p of this.participants) p.commit();
      batch.forEach((job, i) => job.resolve(values![i]));
      return;
    }
    const outcomes: Outcome[] = [];
    try {
      this.db.transaction(() => {
        for (const job of batch) {
          const marks = this.participants.map((p) => p.mark());
          try {
            outcomes.push({ ok: true, value: this.db.transaction(job.fn)() });
          } catch (error) {
            this.participants.forEach((p, i) => p.resetTo(marks[i]!));
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      // The commit itself failed: nothing of this batch is stored. SQLite rolls the whole transaction
      // back on some errors (SQLITE_FULL), and the commit then fails for want of a transaction: the
      // job's error is the cause.
      for (const p of this.participants) p.rollback();
      return this.failAll(batch, storageErrorOf(outcomes) ?? error);
    }
    if (outcomes.some((o) => o.ok)) this.storageProblem = null;
    else this.storageProblem = storageFailure(storageErrorOf(outcomes))?.message ?? this.storageProblem;
    for (const p of this.participants) p.commit();
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
  }

  private failAll(batch: Job[], error: unknown): void {
    this.storageProblem = storageFailure(error)?.message ?? this.storageProblem;
    for (const job of batch) job.reject(error);
  }
}
