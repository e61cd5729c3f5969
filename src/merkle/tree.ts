/**
 * An append-only Merkle tree (RFC 6962). It keeps the hash of every complete, aligned subtree, so
 * appending is amortized O(1) hashes and the root of any past size is O(log n) lookups plus at most
 * O(log n) hashes along the ragged right edge. Proofs are generated in `proofs.ts` and checked in
 * `verify.ts`, which need nothing from this class.
 */
import { EMPTY_ROOT, leafHash, nodeHash, split, type Hash } from './hasher.ts';

export class MerkleTree {
  /** levels[h][i] is the hash of leaves [i·2^h, (i+1)·2^h). */
  private readonly levels: Hash[][] = [[]];

  constructor(leafHashes: Iterable<Hash> = []) {
    for (const h of leafHashes) this.appendLeafHash(h);
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  append(data: Uint8Array): number {
    return this.appendLeafHash(leafHash(data));
  }

  /** Appends a leaf by its hash; returns its index. */
  appendLeafHash(h: Hash): number {
    const index = this.levels[0]!.length;
    this.levels[0]!.push(h);
    let i = index;
    let level = 0;
    while (i % 2 === 1) {
      const lower = this.levels[level]!;
      const hash = nodeHash(lower[i - 1]!, lower[i]!);
      level++;
      (this.levels[level] ??= []).push(hash);
      i = (i - 1) / 2;
    }
    return index;
  }

  leafHashAt(index: number): Hash {
    const h = this.levels[0]![index];
    if (!h) throw new RangeError(`no leaf ${index} in a tree of ${this.size}`);
    return h;
  }

  /** Root of the tree of the first `n` leaves (default: all). */
  root(n = this.size): Hash {
    this.checkSize(n);
    return n === 0 ? EMPTY_ROOT : this.subtreeHash(0, n);
  }

  /** MTH(D[start:end]) (RFC 6962 §2.1), from the stored complete subtrees. */
  subtreeHash(start: number, end: number): Hash {
    const size = end - start;
    if ((size & (size - 1)) === 0 && start % size === 0) {
      const level = Math.log2(size);
      const h = this.levels[level]?.[start / size];
      if (h) return h;
    }
    const k = split(size);
    return nodeHash(this.subtreeHash(start, start + k), this.subtreeHash(start + k, end));
  }

  checkSize(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.size) throw new RangeError(`tree size ${n} is not in 0..${this.size}`);
  }
}
