/**
 * The embedded engine: SQLite through better-sqlite3, in WAL mode with synchronous=FULL, so every
 * committed transaction survives a crash of the process or the machine.
 *
 * Two connections: the writer, used only inside transactions (which may span `await`s, so no one else
 * may use it meanwhile: transactions are serialized), and the reader, for everything outside a
 * transaction. A reader therefore never sees a write that is not committed yet.
 */
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Headroom, Lease, Migration, RunResult, SqlValue, Storage, Tx } from './engine.ts';
import { translateSqliteError } from './errors.ts';
import { applyMigrations } from './migrate.ts';

/** Below this much free space (on disk, or under the database's page limit) writes are refused. */
const MIN_FREE_BYTES = 64 * 1024 * 1024;

type Statement = Database.Statement<unknown[], unknown>;

/** Prepared statements of one connection, by SQL text. */
class Statements {
  private readonly cache = new Map<string, Statement>();
  constructor(readonly db: Database.Database) {}

  prepare(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  all<T>(sql: string, params: readonly SqlValue[]): T[] {
    try {
      return this.prepare(sql).all(...params) as T[];
    } catch (err) {
      throw translateSqliteError(err);
    }
  }

  get<T>(sql: string, params: readonly SqlValue[]): T | undefined {
    try {
      return this.prepare(sql).get(...params) as T | undefined;
    } catch (err) {
      throw translateSqliteError(err);
    }
  }

  run(sql: string, params: readonly SqlValue[]): RunResult {
    try {
      return { changes: this.prepare(sql).run(...params).changes };
    } catch (err) {
      throw translateSqliteError(err);
    }
  }

  exec(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (err) {
      throw translateSqliteError(err);
    }
  }
}

function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 64 MiB page cache (the default is 2 MiB): logs and their indexes outgrow the default quickly.
  db.pragma('cache_size = -65536');
  // Checkpoint the WAL every ~40 MiB rather than every 4 MiB: fewer, larger checkpoints under load.
  db.pragma('wal_autocheckpoint = 10000');
  // Reads through a memory map: the reader connection's page cache is dropped whenever the writer
  // commits (every audited read does), and re-reading mapped pages costs no system calls.
  db.pragma('mmap_size = 268435456');
}

class SqliteTx implements Tx {
  readonly dialect = 'sqlite' as const;
  private depth = 0;
  constructor(private readonly s: Statements) {}

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return Promise.resolve(this.s.all<T>(sql, params));
  }
  get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return Promise.resolve(this.s.get<T>(sql, params));
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return Promise.resolve(this.s.run(sql, params));
  }
  async exec(sql: string): Promise<void> {
    this.s.exec(sql);
  }
  async savepoint<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const name = `sp${++this.depth}`;
    this.s.exec(`SAVEPOINT ${name}`);
    try {
      const value = await fn(this);
      this.s.exec(`RELEASE ${name}`);
      return value;
    } catch (err) {
      // The savepoint may already be gone if SQLite rolled the whole transaction back (SQLITE_FULL).
      if (this.s.db.inTransaction) {
        this.s.exec(`ROLLBACK TO ${name}`);
        this.s.exec(`RELEASE ${name}`);
      }
      throw err;
    } finally {
      this.depth--;
    }
  }
}

export class SqliteStorage implements Storage {
  readonly dialect = 'sqlite' as const;
  /** The writer connection (tests and SQLite-only drills use it to simulate storage faults). */
  readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly w: Statements;
  private readonly r: Statements;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(readonly location: string) {
    if (location !== ':memory:') {
      mkdirSync(dirname(location), { recursive: true, mode: 0o700 });
      // Created private before SQLite opens it; SQLite gives its WAL and shared-memory files the
      // database file's permissions.
      closeSync(openSync(location, 'a', 0o600));
    }
    this.writer = new Database(location);
    configure(this.writer);
    // An in-memory database is one connection (a second would be another database); it is used only
    // for scratch journals in tools and tests, never by a node.
    this.reader = location === ':memory:' ? this.writer : new Database(location);
    if (this.reader !== this.writer) configure(this.reader);
    this.w = new Statements(this.writer);
    this.r = new Statements(this.reader);
  }

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return Promise.resolve(this.r.all<T>(sql, params));
  }
  get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return Promise.resolve(this.r.get<T>(sql, params));
  }
  /** A write outside a transaction is a transaction of its own. */
  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return this.transaction((tx) => tx.run(sql, params));
  }

  /** Transactions are serialized: the writer connection belongs to one at a time. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const run = this.lock.then(() => this.runTransaction(fn));
    this.lock = run.catch(() => {});
    return run;
  }

  private async runTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    this.w.exec('BEGIN IMMEDIATE');
    let value: T;
    try {
      value = await fn(new SqliteTx(this.w));
    } catch (err) {
      if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
      throw err;
    }
    try {
      this.w.exec('COMMIT');
    } catch (err) {
      if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
      throw err;
    }
    return value;
  }

  migrate(component: string, steps: readonly Migration[]): Promise<void> {
    return applyMigrations((fn) => this.transaction(fn), component, steps);
  }

  async ping(): Promise<void> {
    this.r.get('SELECT 1', []);
  }

  /** One process per SQLite database: the lease is this process's for as long as it runs. */
  async tryLease(): Promise<Lease> {
    return { lost: new Promise<void>(() => {}), release: async () => {} };
  }

  async headroom(): Promise<Headroom> {
    if (this.location === ':memory:') return {};
    const fs = statfsSync(dirname(this.location));
    const free = fs.bavail * fs.bsize;
    if (free < MIN_FREE_BYTES) return { problem: `disk nearly full: ${Math.floor(free / 1048576)} MiB free in ${dirname(this.location)}` };
    const pragma = (name: string) => this.writer.pragma(name, { simple: true }) as number;
    const pageSize = pragma('page_size');
    const maxPages = pragma('max_page_count');
    const room = (maxPages - pragma('page_count') + pragma('freelist_count')) * pageSize;
    if (room < MIN_FREE_BYTES && maxPages * pageSize < free) return { problem: `database at its size limit (max_page_count): ${Math.floor(room / 1048576)} MiB left` };
    return {};
  }

  async close(): Promise<void> {
    await this.lock;
    if (this.reader !== this.writer) this.reader.close();
    this.writer.close();
  }
}

/** Opens (creating if needed) a SQLite database and applies each component's migrations. */
export async function openSqlite(file: string, migrations: Record<string, readonly Migration[]> = {}): Promise<SqliteStorage> {
  const storage = new SqliteStorage(file);
  for (const [component, steps] of Object.entries(migrations)) await storage.migrate(component, steps);
  return storage;
}
