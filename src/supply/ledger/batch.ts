/**
 * A commissioning batch: the RFC 6962 Merkle tree (src/merkle) over one leaf per unit, whose root the
 * manufacturer commits on chain in one transaction. A leaf is the ABI encoding of
 * (lotId, commitment, parentKey) — parentKey the key of the container the unit was packed into on the
 * line, or zero — and its hash is RFC 6962's SHA-256(0x00 ‖ leaf), which the contract recomputes when
 * a unit is materialized with its inclusion proof.
 *
 * Batches hold at most `MAX_BATCH_LEAVES` leaves (2^18): a million serials with their cases and pallets
 * are four batches, so four transactions instead of a million.
 */
import { hexToBytes, type Hex } from 'viem';
import { leafHash, type Hash } from '../../merkle/hasher.ts';
import { inclusionProof } from '../../merkle/proofs.ts';
import { MerkleTree } from '../../merkle/tree.ts';
import { verifyInclusion } from '../../merkle/verify.ts';
import { invalid } from '../../shared/errors.ts';

/** Leaves per commissioning batch (one root, one transaction each). */
export const MAX_BATCH_LEAVES = 2 ** 18;

const ZERO = Buffer.alloc(32);

/** The leaf bytes: abi.encode(bytes32 lotId, bytes32 commitment, bytes32 parentKey). */
export function batchLeaf(lotId: Hex | Uint8Array, commitment: Uint8Array, parentKey: Uint8Array | null): Buffer {
  const lot = typeof lotId === 'string' ? hexToBytes(lotId) : lotId;
  if (lot.length !== 32 || commitment.length !== 32 || (parentKey && parentKey.length !== 32)) throw invalid('batch leaves are three 32-byte values');
  return Buffer.concat([lot, commitment, parentKey ?? ZERO]);
}

/** The RFC 6962 leaf hash of a unit's batch leaf. */
export const batchLeafHash = (lotId: Hex | Uint8Array, commitment: Uint8Array, parentKey: Uint8Array | null): Hash => leafHash(batchLeaf(lotId, commitment, parentKey));

/** Builds the tree of a batch from its leaf hashes, in leaf order. */
export function batchTree(leafHashes: Iterable<Hash>): MerkleTree {
  const tree = new MerkleTree(leafHashes);
  if (tree.size === 0) throw invalid('a batch needs at least one unit');
  if (tree.size > MAX_BATCH_LEAVES) throw invalid(`a batch holds at most ${MAX_BATCH_LEAVES} units, not ${tree.size}`);
  return tree;
}

/** The inclusion proof of leaf `index` in a batch tree. */
export const batchProof = (tree: MerkleTree, index: number): Hash[] => inclusionProof(tree, index, tree.size);

/** Checks a unit's leaf and proof against a batch root (as the contract will). */
export function checkBatchProof(p: { lotId: Hex; commitment: Uint8Array; parentKey: Uint8Array | null; index: number; count: number; proof: readonly Uint8Array[]; root: Hex }): { ok: true } | { ok: false; reason: string } {
  return verifyInclusion(p.index, p.count, batchLeafHash(p.lotId, p.commitment, p.parentKey), p.proof, hexToBytes(p.root));
}

/** Splits `n` leaves into batch sizes of at most MAX_BATCH_LEAVES, as even as possible. */
export function batchSizes(n: number, max = MAX_BATCH_LEAVES): number[] {
  if (n <= 0) return [];
  const batches = Math.ceil(n / max);
  const base = Math.floor(n / batches);
  return Array.from({ length: batches }, (_, i) => base + (i < n % batches ? 1 : 0));
}
