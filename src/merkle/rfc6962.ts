/**
 * RFC 6962 / RFC 9162 Merkle trees over SHA-256 (node:crypto): leaf hash H(0x00 || data), interior
 * node H(0x01 || left || right), the split at the largest power of two below n. Inclusion and
 * consistency proofs are generated as RFC 6962 §2.1.1/§2.1.2 define them and verified with the
 * RFC 9162 §2.1.3.2/§2.1.4.2 algorithms, so proofs interoperate with Certificate Transparency tooling.
 */
import { createHash } from 'node:crypto';

export type Hash = Buffer;

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export function leafHash(data: Uint8Array): Hash {
  return createHash('sha256').update(LEAF).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** Largest power of two strictly smaller than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * An append-only Merkle tree. It keeps the hash of every complete, aligned subtree, so appending is
 * amortized O(1) hashes and any root, inclusion proof or consistency proof for any past size is
 * O(log n) lookups plus at most O(log n) hashes along the ragged right edge.
 */
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
    return n === 0 ? EMPTY_ROOT : this.subtree(0, n);
  }

  /** RFC 6962 PATH(m, D[n]): the audit path of leaf m in the tree of size n. */
  inclusionProof(m: number, n = this.size): Hash[] {
    this.checkSize(n);
    if (!(m >= 0 && m < n)) throw new RangeError(`leaf ${m} is not in a tree of size ${n}`);
    const proof: Hash[] = [];
    const path = (m: number, start: number, end: number) => {
      const size = end - start;
      if (size === 1) return;
      const k = split(size);
      if (m < k) {
        path(m, start, start + k);
        proof.push(this.subtree(start + k, end));
      } else {
        path(m - k, start + k, end);
        proof.push(this.subtree(start, start + k));
      }
    };
    path(m, 0, n);
    return proof;
  }

  /** RFC 6962 PROOF(m, D[n]): proves the tree of size m is a prefix of the tree of size n. */
  consistencyProof(m: number, n = this.size): Hash[] {
    this.checkSize(n);
    if (!(m >= 0 && m <= n)) throw new RangeError(`cannot prove size ${m} against size ${n}`);
    if (m === 0 || m === n) return [];
    const proof: Hash[] = [];
    const sub = (m: number, start: number, end: number, complete: boolean) => {
      const size = end - start;
      if (m === size) {
        if (!complete) proof.push(this.subtree(start, end));
        return;
      }
      const k = split(size);
      if (m <= k) {
        sub(m, start, start + k, complete);
        proof.push(this.subtree(start + k, end));
      } else {
        sub(m - k, start + k, end, false);
        proof.push(this.subtree(start, start + k));
      }
    };
    sub(m, 0, n, true);
    return proof;
  }

  /** MTH(D[start:end]) from the stored complete subtrees. */
  private subtree(start: number, end: number): Hash {
    const size = end - start;
    if ((size & (size - 1)) === 0 && start % size === 0) {
      const level = Math.log2(size);
      const h = this.levels[level]?.[start / size];
      if (h) return h;
    }
    const k = split(size);
    return nodeHash(this.subtree(start, start + k), this.subtree(start + k, end));
  }

  private checkSize(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.size) throw new RangeError(`tree size ${n} is not in 0..${this.size}`);
  }
}

/** RFC 9162 §2.1.3.2: does `proof` show `leaf` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!(Number.isInteger(index) && Number.isInteger(size)) || index < 0 || index >= size) return false;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && Buffer.from(r).equals(Buffer.from(root));
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (m, root1) is a prefix of (n, root2)? */
export function verifyConsistency(m: number, n: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!(Number.isInteger(m) && Number.isInteger(n)) || m < 0 || m > n) return false;
  const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  if (m === n) return proof.length === 0 && eq(root1, root2);
  if (m === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  if (proof.length === 0) return false;
  const path = (m & (m - 1)) === 0 ? [root1, ...proof] : [...proof];
  let fn = BigInt(m - 1);
  let sn = BigInt(n - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return eq(fr, root1) && eq(sr, root2) && sn === 0n;
}
