/**
 * An append-only Merkle log kept in SQLite: leaf bytes in a table, the tree of their hashes in
 * memory (rebuilt at start). Appends happen inside the caller's database transaction; the tree only
 * takes them after that transaction commits, so a rolled-back write leaves no leaf behind.
 *
 * A log may keep its leaves in a table of its own shape (a `LeafSource`) when it can rebuild each
 * leaf's exact bytes from the row; the audit log does, to write a fifth of the bytes per entry.
 */
import type { Db } from '../db/database.ts';
import { leafHash, MerkleTree, type Hash } from './rfc6962.ts';

export interface TxParticipant {
  mark(): number;
  resetTo(mark: number): void;
  commit(): void;
  rollback(): void;
}

/** Where a log's leaves are read from: by index, and all in order. */
export interface LeafSource {
  leaf(idx: number): Buffer | undefined;
  leaves(): Iterable<[number, Buffer]>;
}

/** The default leaf storage: a `log_<name> (idx, leaf)` table. */
export function leafTable(db: Db, name: string): LeafSource & { insert(idx: number, leaf: Buffer): void } {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`bad log name ${name}`);
  const table = `log_${name}`;
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL)`);
  const insert = db.prepare(`INSERT INTO ${table} (idx, leaf) VALUES (?, ?)`);
  const get = db.prepare(`SELECT leaf FROM ${table} WHERE idx = ?`).pluck();
  const all = db.prepare(`SELECT idx, leaf FROM ${table} ORDER BY idx`).raw();
  return {
    insert: (idx, leaf) => void insert.run(idx, leaf),
    leaf: (idx) => get.get(idx) as Buffer | undefined,
    leaves: () => all.iterate() as Iterable<[number, Buffer]>,
  };
}

export class PersistentLog implements TxParticipant {
  readonly tree: MerkleTree;
  private pending: Hash[] = [];
  private readonly source: LeafSource;
  private readonly store: ((idx: number, leaf: Buffer) => void) | undefined;

  /** With a `source`, the caller stores each leaf itself (see `append`). */
  constructor(db: Db, readonly name: string, source?: LeafSource) {
    if (source) this.source = source;
    else {
      const table = leafTable(db, name);
      this.source = table;
      this.store = table.insert;
    }
    const hashes: Hash[] = [];
    for (const [idx, leaf] of this.source.leaves()) {
      if (idx !== hashes.length) throw new Error(`log ${name} has a gap at entry ${hashes.length}`);
      hashes.push(leafHash(leaf));
    }
    this.tree = new MerkleTree(hashes);
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
    return this.source.leaves();
  }

  mark(): number {
    return this.pending.length;
  }
  resetTo(mark: number): void {
    this.pending.length = mark;
  }
  commit(): void {
    for (const h of this.pending) this.tree.appendLeafHash(h);
    this.pending = [];
  }
  rollback(): void {
    this.pending = [];
  }
}
