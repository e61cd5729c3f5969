/**
 * An append-only Merkle log kept in SQLite: leaf bytes in a table, the tree of their hashes in
 * memory (rebuilt at start). Appends happen inside the caller's database transaction; the tree only
 * takes them after that transaction commits, so a rolled-back write leaves no leaf behind.
 */
import type { Db } from '../db/database.ts';
import { leafHash, MerkleTree, type Hash } from './rfc6962.ts';

export interface TxParticipant {
  mark(): number;
  resetTo(mark: number): void;
  commit(): void;
  rollback(): void;
}

export class PersistentLog implements TxParticipant {
  readonly tree: MerkleTree;
  private pending: Hash[] = [];
  private readonly insert;
  private readonly table: string;

  constructor(
    private readonly db: Db,
    readonly name: string,
  ) {
    if (!/^[a-z_]+$/.test(name)) throw new Error(`bad log name ${name}`);
    this.table = `log_${name}`;
    db.exec(`CREATE TABLE IF NOT EXISTS ${this.table} (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL)`);
    const rows = db.prepare(`SELECT idx, leaf FROM ${this.table} ORDER BY idx`).raw().iterate() as Iterable<[number, Buffer]>;
    const hashes: Hash[] = [];
    for (const [idx, leaf] of rows) {
      if (idx !== hashes.length) throw new Error(`log ${name} has a gap at entry ${hashes.length}`);
      hashes.push(leafHash(leaf));
    }
    this.tree = new MerkleTree(hashes);
    this.insert = db.prepare(`INSERT INTO ${this.table} (idx, leaf) VALUES (?, ?)`);
  }

  /** Committed size (what proofs and anchors are about). */
  get size(): number {
    return this.tree.size;
  }

  /** Appends inside the current transaction; returns the leaf's index. */
  append(leaf: Buffer): number {
    const idx = this.tree.size + this.pending.length;
    this.insert.run(idx, leaf);
    this.pending.push(leafHash(leaf));
    return idx;
  }

  leaf(idx: number): Buffer | undefined {
    return (this.db.prepare(`SELECT leaf FROM ${this.table} WHERE idx = ?`).get(idx) as { leaf: Buffer } | undefined)?.leaf;
  }

  /** Every stored leaf, in order (for full verification). */
  *leaves(): Iterable<[number, Buffer]> {
    yield* this.db.prepare(`SELECT idx, leaf FROM ${this.table} ORDER BY idx`).raw().iterate() as Iterable<[number, Buffer]>;
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
