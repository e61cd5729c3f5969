/**
 * Proof verification per RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency). Like
 * transparency-dev/merkle, verifiers say why a proof fails, and both take their arguments in one
 * order: sizes and indexes, then the proof, then the root(s).
 */
import { nodeHash } from './hasher.ts';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

const OK: VerifyResult = { ok: true };
const fail = (reason: string): VerifyResult => ({ ok: false, reason });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const equal = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** The root that `proof` leads to from `leafHash` at `index` in a tree of `size`, or why there is none. */
export function rootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Uint8Array | string {
  if (!(Number.isInteger(index) && Number.isInteger(size)) || index < 0 || index >= size) return `index ${index} is not in a tree of size ${size}`;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r: Uint8Array = leafHash;
  for (const [i, p] of proof.entries()) {
    if (sn === 0n) return `the proof has ${proof.length} hashes, more than the ${i} a tree of size ${size} needs at index ${index}`;
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
  if (sn !== 0n) return `the proof has ${proof.length} hashes, fewer than a tree of size ${size} needs at index ${index}`;
  return r;
}

/** Does `proof` show the leaf with hash `leafHash` at `index` in the tree of `size` leaves with `root`? */
export function verifyInclusion(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): VerifyResult {
  const computed = rootFromInclusionProof(index, size, leafHash, proof);
  if (typeof computed === 'string') return fail(computed);
  return equal(computed, root) ? OK : fail(`the proof leads to root ${hex(computed)}, not ${hex(root)}: the leaf or the proof is wrong`);
}

/** Does `proof` show that the tree (`size1`, `root1`) is a prefix of the tree (`size2`, `root2`)? */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): VerifyResult {
  if (!(Number.isInteger(size1) && Number.isInteger(size2)) || size1 < 0 || size1 > size2) return fail(`size ${size1} cannot be a prefix of size ${size2}`);
  if (size1 === size2) {
    if (proof.length) return fail('two trees of the same size need an empty proof');
    return equal(root1, root2) ? OK : fail(`the roots of two trees of size ${size1} differ`);
  }
  if (size1 === 0) return proof.length ? fail('the empty tree needs an empty proof') : OK; // the empty tree is a prefix of every tree
  if (proof.length === 0) return fail(`a proof from size ${size1} to ${size2} cannot be empty`);
  const path = (size1 & (size1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  let fn = BigInt(size1 - 1);
  let sn = BigInt(size2 - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0n) return fail(`the proof has more hashes than a proof from size ${size1} to ${size2} needs`);
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
  if (sn !== 0n) return fail(`the proof has fewer hashes than a proof from size ${size1} to ${size2} needs`);
  if (!equal(fr, root1)) return fail(`the proof does not lead to the first root (size ${size1}): the older tree is not a prefix`);
  if (!equal(sr, root2)) return fail(`the proof does not lead to the second root (size ${size2}): the log was rewritten`);
  return OK;
}
