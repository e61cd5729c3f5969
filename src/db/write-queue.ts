/**
 * Group commit. Concurrent write requests are queued and run together in one SQLite transaction
 * (one fsync); a failing request rolls back alone (savepoints), the others commit.
 * A request's promise settles only after the transaction is durable, so an acknowledged write is
 * never lost, and a failed one leaves nothing behind.
 */
import type { TxParticipant } from '../merkle/persistent-log.ts';
import type { Db } from './database.ts';

interface Job {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class WriteQueue {
  private jobs: Job[] = [];
  private scheduled = false;

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
    } catch {
      for (const p of this.participants) p.rollback();
    }
    if (values) {
      for (const p of this.participants) p.commit();
      batch.forEach((job, i) => job.resolve(values![i]));
      return;
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
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
      // The commit itself failed (disk full, read-only database): nothing of this batch is stored.
      for (const p of this.participants) p.rollback();
      for (const job of batch) job.reject(error);
      return;
    }
    for (const p of this.participants) p.commit();
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
  }
}
