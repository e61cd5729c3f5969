/**
 * RFC 6962 / RFC 9162 proof verification in the browser (§2.1.3.2 inclusion, §2.1.4.2 consistency):
 * the algorithm of src/merkle/verify.ts over @noble/hashes SHA-256 instead of node:crypto, so a
 * patient's page checks each audit entry itself rather than trusting the node that sent it.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, concatBytes } from 'viem';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export const leafHash = (data: Uint8Array): Uint8Array => sha256(concatBytes([new Uint8Array([0]), data]));
const nodeHash = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(concatBytes([new Uint8Array([1]), l, r]));
const equal = (a: Uint8Array, b: Uint8Array) => bytesToHex(a) === bytesToHex(b);

export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): VerifyResult {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return { ok: false, reason: `index ${index} is not in a tree of size ${size}` };
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return { ok: false, reason: 'the proof has too many hashes' };
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else r = nodeHash(r, p);
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return { ok: false, reason: 'the proof has too few hashes' };
  return equal(r, root) ? { ok: true } : { ok: false, reason: `the proof leads to ${bytesToHex(r)}, not the signed root` };
}

export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): VerifyResult {
  if (size1 < 0 || size1 > size2) return { ok: false, reason: `size ${size1} cannot be a prefix of size ${size2}` };
  if (size1 === size2) return proof.length === 0 && equal(root1, root2) ? { ok: true } : { ok: false, reason: 'the roots of two trees of the same size differ' };
  if (size1 === 0) return proof.length === 0 ? { ok: true } : { ok: false, reason: 'the empty tree needs an empty proof' };
  if (proof.length === 0) return { ok: false, reason: 'the proof is empty' };
  const path = (size1 & (size1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  let fn = BigInt(size1 - 1);
  let sn = BigInt(size2 - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0n) return { ok: false, reason: 'the proof has too many hashes' };
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else sr = nodeHash(sr, c);
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return { ok: false, reason: 'the proof has too few hashes' };
  if (!equal(fr, root1)) return { ok: false, reason: `the anchored tree (size ${size1}) is not a prefix of the signed one` };
  if (!equal(sr, root2)) return { ok: false, reason: `the proof does not lead to the signed root (size ${size2}): the log was rewritten` };
  return { ok: true };
}
