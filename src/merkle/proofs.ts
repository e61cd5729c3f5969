/**
 * Proof generation, exactly as RFC 6962 §2.1.1 (PATH) and §2.1.2 (PROOF) define them, so proofs
 * interoperate with Certificate Transparency tooling. Verification is in `verify.ts`.
 */
import { split, type Hash } from './hasher.ts';
import type { MerkleTree } from './tree.ts';

/** PATH(index, D[size]): the audit path of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(tree: MerkleTree, index: number, size = tree.size): Hash[] {
  tree.checkSize(size);
  if (!(Number.isInteger(index) && index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of size ${size}`);
  const proof: Hash[] = [];
  const path = (m: number, start: number, end: number) => {
    const n = end - start;
    if (n === 1) return;
    const k = split(n);
    if (m < k) {
      path(m, start, start + k);
      proof.push(tree.subtreeHash(start + k, end));
    } else {
      path(m - k, start + k, end);
      proof.push(tree.subtreeHash(start, start + k));
    }
  };
  path(index, 0, size);
  return proof;
}

/** PROOF(size1, D[size2]): proves the tree of `size1` leaves is a prefix of the tree of `size2`. */
export function consistencyProof(tree: MerkleTree, size1: number, size2 = tree.size): Hash[] {
  tree.checkSize(size2);
  if (!(Number.isInteger(size1) && size1 >= 0 && size1 <= size2)) throw new RangeError(`cannot prove size ${size1} against size ${size2}`);
  if (size1 === 0 || size1 === size2) return [];
  const proof: Hash[] = [];
  const sub = (m: number, start: number, end: number, complete: boolean) => {
    const n = end - start;
    if (m === n) {
      if (!complete) proof.push(tree.subtreeHash(start, end));
      return;
    }
    const k = split(n);
    if (m <= k) {
      sub(m, start, start + k, complete);
      proof.push(tree.subtreeHash(start + k, end));
    } else {
      sub(m - k, start + k, end, false);
      proof.push(tree.subtreeHash(start, start + k));
    }
  };
  sub(size1, 0, size2, true);
  return proof;
}
