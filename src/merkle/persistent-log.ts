/**
 * An append-only Merkle log kept in SQLite: leaf bytes in a table, the tree of their hashes in
 * memory (rebuilt at start). Appends happen inside the caller's database transaction; the tree only
 * takes them after that transaction commits, so a rolled-back write leaves no leaf behind.
 *
 * A log may keep its leaves in a table of its own shape (a `LeafSource`) when it can rebuild each
 * leaf's exact bytes from the row; the audit log does, to write a fifth of the bytes per entry.
 *
 * Start-up rebuilds the tree from leaf hashes. Complete chunks of 65,536 leaf hashes are cached in
 * `log_hash_chunks` as each completes (they never change: the log is append-only), so a start reads
 * those and hashes only the leaves after them. The cache is derived data: `carechain verify` / `audit verify`
 * recompute every leaf from the rows and never read it.
 */
import type { Db } from '../db/database.ts';
import { leafHash, MerkleTree, type Hash } from './rfc6962.ts';

export interface TxParticipant {
  mark(): number;
  resetTo(mark: number): void;
  commit(): void;
  rollback(): void;
}

/** Where a log's leaves are read from: by index, and all in order (from an index on). */
export interface LeafSource {
  leaf(idx: number): Buffer | undefined;
  leaves(from?: number): Iterable<[number, Buffer]>;
}

/** Leaf hashes per cached chunk. */
export const HASH_CHUNK = 65_536;

/** The default leaf storage: a `log_<name> (idx, leaf)` table. */
export function leafTable(db: Db, name: string): LeafSource & { insert(idx: number, leaf: Buffer): void } {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`bad log name ${name}`);
  const table = `log_${name}`;
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL)`);
  const insert = db.prepare(`INSERT INTO ${table} (idx, leaf) VALUES (?, ?)`);
  const get = db.prepare(`SELECT leaf FROM ${table} WHERE idx = ?`).pluck();
  const all = db.prepare(`SELECT idx, leaf FROM ${table} WHERE idx >= ? ORDER BY idx`).raw();
  return {
    insert: (idx, leaf) => void insert.run(idx, leaf),
    leaf: (idx) => get.get(idx) as Buffer | undefined,
    leaves: (from = 0) => all.iterate(from) as Iterable<[number, Buffer]>,
  };
}

export class PersistentLog implements TxParticipant {
  readonly tree: MerkleTree;
  private pending: Hash[] = [];
  private readonly source: LeafSource;
  private readonly store: ((idx: number, leaf: Buffer) => void) | undefined;

  /** With a `source`, the caller stores each leaf itself (see `append`). */
  constructor(
    private readonly db: Db,
    readonly name: string,
    source?: LeafSource,
  ) {
    if (source) this.source = source;
    else {
      const table = leafTable(db, name);
      this.source = table;
      this.store = table.insert;
    }
    db.exec('CREATE TABLE IF NOT EXISTS log_hash_chunks (log TEXT NOT NULL, chunk INTEGER NOT NULL, hashes BLOB NOT NULL, PRIMARY KEY (log, chunk))');
    const hashes = this.cachedHashes();
    for (const [idx, leaf] of this.source.leaves(hashes.length)) {
      if (idx !== hashes.length) throw new Error(`log ${name} has a gap at entry ${hashes.length}`);
      hashes.push(leafHash(leaf));
    }
    this.tree = new MerkleTree(hashes);
    this.saveHashChunks();
  }

  /** Cached leaf hashes of complete chunks, in order; none if the cache does not match the rows. */
  private cachedHashes(): Hash[] {
    const hashes: Hash[] = [];
    const rows = this.db.prepare('SELECT chunk, hashes FROM log_hash_chunks WHERE log = ? ORDER BY chunk').all(this.name) as { chunk: number; hashes: Buffer }[];
    for (const { chunk, hashes: blob } of rows) {
      if (chunk * HASH_CHUNK !== hashes.length || blob.length !== HASH_CHUNK * 32) break;
      for (let i = 0; i < HASH_CHUNK; i++) hashes.push(blob.subarray(i * 32, i * 32 + 32));
    }
    // A cache from another history (a restored backup, a damaged table) is dropped, not trusted.
    const last = hashes.length ? this.source.leaf(hashes.length - 1) : undefined;
    if (hashes.length && !(last && leafHash(last).equals(hashes.at(-1)!))) {
      this.db.prepare('DELETE FROM log_hash_chunks WHERE log = ?').run(this.name);
      return [];
    }
    return hashes;
  }

  /** Caches the leaf hashes of every complete chunk not cached yet (they never change). */
  saveHashChunks(): void {
    const saved = this.db.prepare('SELECT COUNT(*) FROM log_hash_chunks WHERE log = ?').pluck().get(this.name) as number;
    const insert = this.db.prepare('INSERT OR REPLACE INTO log_hash_chunks (log, chunk, hashes) VALUES (?, ?, ?)');
    for (let chunk = saved; (chunk + 1) * HASH_CHUNK <= this.tree.size; chunk++) {
      const blob = Buffer.concat(Array.from({ length: HASH_CHUNK }, (_, i) => this.tree.leafHashAt(chunk * HASH_CHUNK + i)));
      insert.run(this.name, chunk, blob);
    }
  }

  /** Committed size (what proofs and anchors are about). */
  get size(): number {
    return this.tree.size;
  }

  /** Index the next appended leaf will get. */
  get next(): number {
    return this.tree.size + this.pending.length;
  }

  /**
   * Appends inside the current transaction; returns the leaf's index. A log with its own
   * `LeafSource` passes `store`, which must persist the leaf (in the same transaction) at that index.
   */
  append(leaf: Buffer, store = this.store): number {
    if (!store) throw new Error(`log ${this.name} keeps its own leaves: pass how to store this one`);
    const idx = this.next;
    store(idx, leaf);
    this.pending.push(leafHash(leaf));
    return idx;
  }

  leaf(idx: number): Buffer | undefined {
    return this.source.leaf(idx);
  }

  /** Every stored leaf, in order (for full verification). */
  leaves(): Iterable<[number, Buffer]> {
    return this.source.leaves(0);
  }

  mark(): number {
    return this.pending.length;
  }
  resetTo(mark: number): void {
    this.pending.length = mark;
  }
  commit(): void {
    const before = this.tree.size;
    for (const h of this.pending) this.tree.appendLeafHash(h);
    this.pending = [];
    // A chunk just completed: cache it now, so even a start after a crash skips re-hashing it. The
    // cache is optional, so a failure here (disk full) must not fail the commit that already happened.
    if (Math.floor(before / HASH_CHUNK) !== Math.floor(this.tree.size / HASH_CHUNK)) {
      try {
        this.saveHashChunks();
      } catch {
        // retried at the next completed chunk, start or stop
      }
    }
  }
  rollback(): void {
    this.pending = [];
  }
}
