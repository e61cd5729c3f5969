/**
 * The server engine: PostgreSQL through node-postgres (`pg`), behind the same seam as SQLite, for a
 * node that outgrows one process (replicas behind a load balancer share one database).
 *
 * - A pool of connections. Reads outside a transaction take any pooled connection (autocommit), so
 *   they see only committed data. A transaction holds one pooled connection from BEGIN to COMMIT.
 *   Unlike the SQLite engine, transactions are not serialized: PostgreSQL's row locks do that where
 *   rows are shared, and the Merkle logs serialize their own writers with an advisory lock (see
 *   `merkle/persistent-log.ts`).
 * - The owners' portable SQL is translated once per text: positional `?` become `$n`, and in DDL
 *   INTEGER / BLOB become BIGINT / BYTEA (`sql-text.ts`). BIGINT and NUMERIC results are parsed to
 *   numbers (every integer the node stores fits in 2^53: indexes, block numbers, epoch milliseconds).
 * - Failures of the storage itself (disk full, read-only, lost connection) become the same
 *   `DomainError`s the SQLite engine raises (`errors.ts`).
 * - Commits are durable: `synchronous_commit` is the server's default (on); a COMMIT that PostgreSQL
 *   turns into a ROLLBACK (the transaction had failed) is an error here, never a silent success.
 */
import pg from 'pg';
import type { Headroom, Lease, Migration, RunResult, SqlValue, Storage, Tx } from './engine.ts';
import { storageUnavailable, translatePostgresError } from './errors.ts';
import { applyMigrations } from './migrate.ts';
import { isDdl, toNumberedParameters, toPostgresTypes } from './sql-text.ts';

const INT8 = 20;
const NUMERIC = 1700;

/** Results as the SQLite engine gives them: 64-bit integers and NUMERIC as JavaScript numbers. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

/** First key of leases (leader election) in the two-key advisory-lock space: 'LEA'. */
const LEASE_CLASS = 0x4c4541;

/** Lock id (in the advisory-lock key space) that serializes schema migrations across processes. */
const MIGRATION_LOCK = 0x6361_7265; // 'care'

/** Translated statement texts, by portable text (the set of statements a node runs is small). */
const translated = new Map<string, string>();
function pgText(sql: string): string {
  let t = translated.get(sql);
  if (t === undefined) {
    t = toNumberedParameters(isDdl(sql) ? toPostgresTypes(sql) : sql).text;
    if (translated.size < 10_000) translated.set(sql, t);
  }
  return t;
}

const params = (values: readonly SqlValue[]) => values.map((v) => (typeof v === 'bigint' ? v.toString() : v));

type Queryable = Pick<pg.PoolClient, 'query'>;

async function query<T>(on: Queryable, sql: string, values: readonly SqlValue[]): Promise<pg.QueryResult<T & pg.QueryResultRow>> {
  try {
    return await on.query<T & pg.QueryResultRow>(pgText(sql), params(values));
  } catch (err) {
    throw translatePostgresError(err);
  }
}

class PgTx implements Tx {
  readonly dialect = 'postgres' as const;
  private depth = 0;
  constructor(readonly client: pg.PoolClient) {}

  async all<T>(sql: string, values: readonly SqlValue[] = []): Promise<T[]> {
    return (await query<T>(this.client, sql, values)).rows;
  }
  async get<T>(sql: string, values: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await query<T>(this.client, sql, values)).rows[0];
  }
  async run(sql: string, values: readonly SqlValue[] = []): Promise<RunResult> {
    return { changes: (await query(this.client, sql, values)).rowCount ?? 0 };
  }
  /** Several statements, no parameters (simple query protocol). */
  async exec(sql: string): Promise<void> {
    try {
      await this.client.query(toPostgresTypes(sql));
    } catch (err) {
      throw translatePostgresError(err);
    }
  }
  async savepoint<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const name = `sp${++this.depth}`;
    await this.exec(`SAVEPOINT ${name}`);
    try {
      const value = await fn(this);
      await this.exec(`RELEASE SAVEPOINT ${name}`);
      return value;
    } catch (err) {
      // A failed statement aborts the transaction up to the savepoint; roll back to it and go on. If
      // the connection is gone, the rollback fails too and the original error stands.
      await this.client.query(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`).catch(() => {});
      throw err;
    } finally {
      this.depth--;
    }
  }
}

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Create the database if it does not exist (needs CREATEDB); default true. */
  create?: boolean;
}

export class PostgresStorage implements Storage {
  readonly dialect = 'postgres' as const;
  readonly location: string;
  readonly pool: pg.Pool;
  readonly url: string;
  private closed = false;

  constructor(url: string, opts: PostgresOptions = {}) {
    this.url = url;
    this.location = redact(url);
    this.pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, types, connectionTimeoutMillis: 10_000 });
    // An idle connection that breaks (server restart) is dropped from the pool; the next query opens
    // a new one. Without a listener the error would crash the process.
    this.pool.on('error', () => {});
  }

  async all<T>(sql: string, values: readonly SqlValue[] = []): Promise<T[]> {
    return (await query<T>(this.pool, sql, values)).rows;
  }
  async get<T>(sql: string, values: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await query<T>(this.pool, sql, values)).rows[0];
  }
  /** A write outside a transaction commits on its own (autocommit). */
  async run(sql: string, values: readonly SqlValue[] = []): Promise<RunResult> {
    return { changes: (await query(this.pool, sql, values)).rowCount ?? 0 };
  }

  /** A pooled connection, with connection failures translated. */
  async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw storageUnavailable('is closed');
    try {
      return await this.pool.connect();
    } catch (err) {
      throw translatePostgresError(err);
    }
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      await query(client, 'BEGIN', []);
      let value: T;
      try {
        value = await fn(new PgTx(client));
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      }
      const commit = await query(client, 'COMMIT', []);
      // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK, not an error.
      if (commit.command === 'ROLLBACK') throw new Error('the transaction failed and was rolled back (a statement in it failed)');
      return value;
    } catch (err) {
      const translated = translatePostgresError(err);
      if (translated !== err) broken ??= err as Error;
      throw translated;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Migrations as on SQLite (`migrate.ts`), each step's transaction holding an advisory lock, so
   * replicas starting together apply each step once.
   */
  migrate(component: string, steps: readonly Migration[]): Promise<void> {
    return applyMigrations(
      (fn) =>
        this.transaction(async (tx) => {
          await tx.run('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
          return fn(tx);
        }),
      component,
      steps,
    );
  }

  async ping(): Promise<void> {
    await this.get('SELECT 1 AS x');
  }

  /**
   * A session-level advisory lock held on a connection of its own (outside the pool). The server
   * releases it when that session ends — the process died, or the connection broke — so another
   * process can take over; a keep-alive query every `checkMs` notices a broken connection here too.
   */
  async tryLease(name: string, checkMs = 1_000): Promise<Lease | undefined> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000, keepAlive: true });
    let lose!: () => void;
    const lost = new Promise<void>((resolve) => (lose = resolve));
    client.on('error', () => lose());
    client.on('end', () => lose());
    try {
      await client.connect();
      const row = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LEASE_CLASS, name])).rows[0];
      if (!row?.ok) {
        await client.end().catch(() => {});
        return undefined;
      }
    } catch {
      await client.end().catch(() => {});
      return undefined;
    }
    const timer = setInterval(() => {
      client.query('SELECT 1').catch(() => {
        lose();
        void client.end().catch(() => {});
      });
    }, checkMs);
    timer.unref();
    void lost.then(() => clearInterval(timer));
    return {
      lost,
      release: async () => {
        clearInterval(timer);
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LEASE_CLASS, name]).catch(() => {});
        await client.end().catch(() => {});
      },
    };
  }

  /**
   * Can the database take writes? A standby (in recovery) or a database set read-only cannot; a
   * server at its connection limit soon cannot. Disk space is the server's to watch (a full disk
   * surfaces as `storage-full` on the write that hits it).
   */
  async headroom(): Promise<Headroom> {
    const row = await this.get<{ standby: boolean; ro: string; conns: number; max: number }>(
      `SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') AS ro,
              (SELECT count(*) FROM pg_stat_activity) AS conns, current_setting('max_connections')::int AS max`,
    );
    if (!row) return { problem: 'database did not answer' };
    if (row.standby) return { problem: 'database is a standby (in recovery): it cannot take writes' };
    if (row.ro === 'on') return { problem: 'database is read-only (default_transaction_read_only)' };
    if (Number(row.max) - Number(row.conns) < 3) return { problem: `database is at its connection limit (${row.conns} of ${row.max})` };
    return {};
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/** Creates the database named in `url` if it does not exist, with byte-order (C) collation, as SQLite sorts. */
export async function ensureDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  if (!/^[A-Za-z0-9_]{1,63}$/.test(name)) throw new Error(`database name "${name}" must be 1-63 letters, digits or underscores`);
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw translatePostgresError(err); // invalid_catalog_name
  } finally {
    await probe.end().catch(() => {});
  }
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') throw translatePostgresError(err); // created meanwhile
  } finally {
    await admin.end().catch(() => {});
  }
}

/** Opens (creating the database if needed and allowed) and applies each component's migrations. */
export async function openPostgres(url: string, migrations: Record<string, readonly Migration[]> = {}, opts: PostgresOptions = {}): Promise<PostgresStorage> {
  if (opts.create ?? true) await ensureDatabase(url);
  const storage = new PostgresStorage(url, opts);
  try {
    for (const [component, steps] of Object.entries(migrations)) await storage.migrate(component, steps);
  } catch (err) {
    await storage.close();
    throw err;
  }
  return storage;
}
