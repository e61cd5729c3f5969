/**
 * RFC 6962 / RFC 9162 §2.1.1 hashing over SHA-256 (node:crypto): a leaf is H(0x00 || data), an
 * interior node H(0x01 || left || right), the empty tree H(""). The domain separation keeps a leaf
 * from ever being taken for a node.
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

/** Largest power of two strictly smaller than n (n ≥ 2): where RFC 6962 splits a tree of n leaves. */
export function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
