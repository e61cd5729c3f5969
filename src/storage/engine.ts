/**
 * The storage seam. Every module that owns tables reaches its database through this small interface,
 * so a second engine (PostgreSQL) can sit behind it: positional `?` parameters, plain SQL that both
 * engines understand, explicit transactions. Reads outside a transaction see only committed data;
 * writes happen in transactions (the write queue groups many into one commit).
 */

export type SqlValue = string | number | bigint | Buffer | null;

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** Statements against one connection (the database itself, or an open transaction). */
export interface Sql {
  readonly dialect: 'sqlite' | 'postgres';
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
}

/** An open transaction. */
export interface Tx extends Sql {
  /** Runs `fn` in a savepoint: if it throws, its writes are undone and the transaction goes on. */
  savepoint<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Several DDL statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** One schema step of a component; applied once, in order, in its own transaction. */
export type Migration = (tx: Tx) => Promise<void>;

/** How much room the storage has left (for readiness). */
export interface Headroom {
  /** Why the storage cannot take writes, if it cannot. */
  problem?: string;
}

/** Exclusive, across every process using the database, until released or lost. */
export interface Lease {
  /** Resolves if the lease is lost (the connection holding it broke): stop the exclusive work. */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

export interface Storage extends Sql {
  /** Where the data lives, for messages (a file path or a redacted connection URL). */
  readonly location: string;
  /** Runs `fn` in one transaction and commits it durably; rolls back if it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Brings `component`'s schema to the latest of `steps` (a version per component). */
  migrate(component: string, steps: readonly Migration[]): Promise<void>;
  /** Is there room for more writes? */
  headroom(): Promise<Headroom>;
  /**
   * The lease `name` if no other process holds it (leader election of replicas: PostgreSQL advisory
   * locks). SQLite has one process per database: always granted.
   */
  tryLease(name: string): Promise<Lease | undefined>;
  /** Answers a trivial query (for readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
