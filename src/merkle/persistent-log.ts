/**
 * An append-only Merkle log kept in the node's database: leaves in a table, the tree of their hashes
 * in memory (rebuilt at start). Appends happen inside the caller's transaction; the tree only takes
 * them after that transaction commits, so a rolled-back write leaves no leaf behind.
 *
 * A log may keep its leaves in a table of its own shape (a `LeafSource`) when it can rebuild each
 * leaf's exact bytes from the row; the audit log does, to write a fifth of the bytes per entry.
 *
 * Start-up rebuilds the tree from leaf hashes. Complete chunks of 65,536 leaf hashes are cached in
 * `log_hash_chunks` as each completes (they never change: the log is append-only), so a start reads
 * those and hashes only the leaves after them. The cache is derived data: `carechain verify` /
 * `audit verify` recompute every leaf from the rows and never read it.
 */
import type { Migration, Sql, Storage, Tx } from '../storage/engine.ts';
import type { TxParticipant } from '../storage/write-queue.ts';
import { leafHash, type Hash } from './hasher.ts';
import { MerkleTree } from './tree.ts';

/** Where a log's leaves are read from: one by index, and pages in order. */
export interface LeafSource {
  leaf(idx: number, sql?: Sql): Promise<Buffer | undefined>;
  /** Up to `limit` leaves with index ≥ `from`, in order (read through `sql` when given). */
  page(from: number, limit: number, sql?: Sql): Promise<[number, Buffer][]>;
}

/** Every leaf from `from` on, in order, read page by page. */
export async function* allLeaves(source: LeafSource, from = 0, pageSize = 10_000): AsyncGenerator<[number, Buffer]> {
  for (let next = from; ; ) {
    const page = await source.page(next, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    next = page.at(-1)![0] + 1;
  }
}

/** Leaf hashes per cached chunk. */
export const HASH_CHUNK = 65_536;

export const logMigrations: Migration[] = [
  (tx) => tx.exec('CREATE TABLE IF NOT EXISTS log_hash_chunks (log TEXT NOT NULL, chunk INTEGER NOT NULL, hashes BLOB NOT NULL, PRIMARY KEY (log, chunk))'),
];

/** The default leaf storage: a `log_<name> (idx, leaf)` table, created by `leafTableMigration`. */
export function leafTable(storage: Storage, name: string): LeafSource & { insert(tx: Tx, idx: number, leaf: Buffer): Promise<void> } {
  const table = tableName(name);
  return {
    insert: async (tx, idx, leaf) => void (await tx.run(`INSERT INTO ${table} (idx, leaf) VALUES (?, ?)`, [idx, leaf])),
    leaf: async (idx, sql = storage) => (await sql.get<{ leaf: Buffer }>(`SELECT leaf FROM ${table} WHERE idx = ?`, [idx]))?.leaf,
    page: async (from, limit, sql = storage) =>
      (await sql.all<{ idx: number; leaf: Buffer }>(`SELECT idx, leaf FROM ${table} WHERE idx >= ? ORDER BY idx LIMIT ?`, [from, limit])).map(
        (r) => [Number(r.idx), r.leaf] as [number, Buffer],
      ),
  };
}

function tableName(name: string): string {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`bad log name ${name}`);
  return `log_${name}`;
}

/** The migration that creates a default leaf table for the log `name`. */
export const leafTableMigration = (name: string): Migration => (tx) =>
  tx.exec(`CREATE TABLE IF NOT EXISTS ${tableName(name)} (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL)`);

/** First key of the advisory locks that serialize a log's writers (PostgreSQL): 'LOG'. */
const LOG_LOCK_CLASS = 0x4c4f47;

export class PersistentLog implements TxParticipant {
  private pending: Hash[] = [];
  /** The index of the first pending leaf. */
  private pendingFrom = 0;
  /** Called after leaves appended by another process were taken into the tree (inside `begin`'s transaction, or not). */
  onCatchUp: ((sql: Sql) => Promise<void>) | undefined;

  private constructor(
    private readonly storage: Storage,
    readonly name: string,
    readonly tree: MerkleTree,
    private readonly source: LeafSource,
    private readonly store: ((tx: Tx, idx: number, leaf: Buffer) => Promise<void>) | undefined,
  ) {}

  /**
   * Opens a log and rebuilds its tree. Without a `source`, leaves live in `log_<name>` (create it with
   * `leafTableMigration`); with one, the caller stores each leaf itself (see `append`).
   */
  static async open(storage: Storage, name: string, source?: LeafSource): Promise<PersistentLog> {
    let store: ((tx: Tx, idx: number, leaf: Buffer) => Promise<void>) | undefined;
    if (!source) {
      const table = leafTable(storage, name);
      source = table;
      store = table.insert;
    }
    const hashes = await cachedHashes(storage, name, source);
    for await (const [idx, leaf] of allLeaves(source, hashes.length)) {
      if (idx !== hashes.length) throw new Error(`log ${name} has a gap at entry ${hashes.length}`);
      hashes.push(leafHash(leaf));
    }
    const log = new PersistentLog(storage, name, new MerkleTree(hashes), source, store);
    await log.saveHashChunks();
    return log;
  }

  /** Caches the leaf hashes of every complete chunk not cached yet (they never change). */
  async saveHashChunks(): Promise<void> {
    const saved = Number((await this.storage.get<{ n: number }>('SELECT COUNT(*) AS n FROM log_hash_chunks WHERE log = ?', [this.name]))?.n ?? 0);
    for (let chunk = saved; (chunk + 1) * HASH_CHUNK <= this.tree.size; chunk++) {
      const blob = Buffer.concat(Array.from({ length: HASH_CHUNK }, (_, i) => this.tree.leafHashAt(chunk * HASH_CHUNK + i)));
      await this.storage.run('INSERT INTO log_hash_chunks (log, chunk, hashes) VALUES (?, ?, ?) ON CONFLICT (log, chunk) DO UPDATE SET hashes = excluded.hashes', [this.name, chunk, blob]);
    }
  }

  /** Committed size (what proofs and anchors are about). */
  /**
   * The hash of leaf `idx`, committed or appended by the open transaction (whose rows only that
   * transaction sees); undefined beyond both.
   */
  leafHashAt(idx: number): Hash | undefined {
    if (idx < this.tree.size) return this.tree.leafHashAt(idx);
    return this.pending[idx - this.tree.size];
  }

  get size(): number {
    return this.tree.size;
  }

  /** Index the next appended leaf will get. */
  get next(): number {
    return this.tree.size + this.pending.length;
  }

  /**
   * Appends inside the transaction `tx`; returns the leaf's index. A log with its own `LeafSource`
   * passes `store`, which must persist the leaf (in the same transaction) at that index.
   */
  async append(tx: Tx, leaf: Buffer, store = this.store): Promise<number> {
    if (!store) throw new Error(`log ${this.name} keeps its own leaves: pass how to store this one`);
    const idx = this.next;
    if (!this.pending.length) this.pendingFrom = idx;
    this.pending.push(leafHash(leaf));
    await store(tx, idx, leaf);
    return idx;
  }

  leaf(idx: number, sql?: Sql): Promise<Buffer | undefined> {
    return this.source.leaf(idx, sql);
  }

  /** Every stored leaf, in order (for full verification). */
  leaves(): AsyncGenerator<[number, Buffer]> {
    return allLeaves(this.source);
  }

  /**
   * Replicas (several processes on one PostgreSQL database) append to the same log. Each write batch
   * first takes the log's advisory lock for its transaction — so one process appends at a time, and
   * the lock is released when its batch commits or rolls back — then takes into its tree the leaves
   * the others committed since it last looked, so the indexes it hands out follow theirs. SQLite has
   * one process per database: nothing to do.
   */
  async begin(tx: Tx): Promise<void> {
    if (tx.dialect !== 'postgres') return;
    await tx.run('SELECT pg_advisory_xact_lock(?, hashtext(?))', [LOG_LOCK_CLASS, this.name]);
    await this.catchUp(tx);
  }

  /**
   * Takes into the tree the leaves other processes committed (PostgreSQL replicas); a reader calls it
   * before answering from the tree. Committed leaves are always a gap-free prefix (writers hold the
   * lock until they commit), so no lock is needed to read them.
   */
  async refresh(): Promise<void> {
    if (this.storage.dialect === 'postgres') await this.catchUp(this.storage);
  }

  private async catchUp(sql: Sql): Promise<void> {
    let added = 0;
    for (;;) {
      const page = await this.source.page(this.tree.size, 10_000, sql);
      for (const [idx, leaf] of page) {
        if (idx < this.tree.size) continue; // taken meanwhile (our own commit, or a concurrent refresh)
        if (idx !== this.tree.size) throw new Error(`log ${this.name} has a gap at entry ${this.tree.size}`);
        this.tree.appendLeafHash(leafHash(leaf));
        added++;
      }
      if (page.length < 10_000) break;
    }
    if (added && this.onCatchUp) await this.onCatchUp(sql);
  }

  mark(): number {
    return this.pending.length;
  }
  resetTo(mark: number): void {
    this.pending.length = mark;
  }
  commit(): void {
    const before = this.tree.size;
    this.pending.forEach((h, i) => {
      // A refresh may have read these leaves back between the commit and this call.
      if (this.pendingFrom + i >= this.tree.size) this.tree.appendLeafHash(h);
    });
    this.pending = [];
    // A chunk just completed: cache it now, so even a start after a crash skips re-hashing it. The
    // cache is optional, so a failure here (disk full) must not fail the commit that already happened.
    if (Math.floor(before / HASH_CHUNK) !== Math.floor(this.tree.size / HASH_CHUNK)) {
      this.saveHashChunks().catch(() => {
        // retried at the next completed chunk, start or stop
      });
    }
  }
  rollback(): void {
    this.pending = [];
  }
}

/** Cached leaf hashes of complete chunks, in order; none if the cache does not match the rows. */
async function cachedHashes(storage: Storage, name: string, source: LeafSource): Promise<Hash[]> {
  const hashes: Hash[] = [];
  const rows = await storage.all<{ chunk: number; hashes: Buffer }>('SELECT chunk, hashes FROM log_hash_chunks WHERE log = ? ORDER BY chunk', [name]);
  for (const { chunk, hashes: blob } of rows) {
    if (Number(chunk) * HASH_CHUNK !== hashes.length || blob.length !== HASH_CHUNK * 32) break;
    for (let i = 0; i < HASH_CHUNK; i++) hashes.push(blob.subarray(i * 32, i * 32 + 32));
  }
  // A cache from another history (a restored backup, a damaged table) is dropped, not trusted.
  const last = hashes.length ? await source.leaf(hashes.length - 1) : undefined;
  if (hashes.length && !(last && leafHash(last).equals(hashes.at(-1)!))) {
    await storage.run('DELETE FROM log_hash_chunks WHERE log = ?', [name]);
    return [];
  }
  return hashes;
}
