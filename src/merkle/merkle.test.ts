/**
 * RFC 6962 Merkle tree, proofs and verification (pure, beside the code): the reference vectors
 * (roots, subtree hashes, inclusion and consistency proofs, from transparency-dev/merkle), corrupted
 * proofs that must fail and say why, and properties over every (m, n) up to a bound.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { EMPTY_ROOT, leafHash } from './hasher.ts';
import { consistencyProof, inclusionProof } from './proofs.ts';
import { MerkleTree } from './tree.ts';
import { verifyConsistency, verifyInclusion, type VerifyResult } from './verify.ts';

const shared = JSON.parse(readFileSync(new URL('../../test/vectors/rfc6962.json', import.meta.url), 'utf8')) as {
  leafInputs: string[];
  rootsBySize: string[];
  nodeHashes: string[][];
};
const proofs = JSON.parse(readFileSync(new URL('../../test/vectors/merkle-proofs.json', import.meta.url), 'utf8')) as {
  inclusion: { leaf: number; size: number; proof: string[] }[];
  consistency: { size1: number; size2: number; proof: string[] }[];
};
const hex = (b: Buffer) => b.toString('hex');
const buf = (h: string) => Buffer.from(h, 'hex');
const reference = new MerkleTree(shared.leafInputs.map((l) => leafHash(buf(l))));
const flip = (b: Buffer, bit: number) => {
  const c = Buffer.from(b);
  c[0]! ^= 1 << bit;
  return c;
};

describe('RFC 6962 reference vectors', () => {
  test('roots of every prefix size 0..8', () => {
    shared.rootsBySize.forEach((root, n) => assert.equal(hex(reference.root(n)), root, `size ${n}`));
    assert.equal(hex(new MerkleTree().root()), shared.rootsBySize[0]);
    assert.equal(hex(EMPTY_ROOT), shared.rootsBySize[0]);
  });

  test('complete subtree hashes of the 8-leaf tree', () => {
    shared.nodeHashes.forEach((level, h) =>
      level.forEach((expected, i) => {
        const size = 2 ** h;
        const sub = new MerkleTree(shared.leafInputs.slice(i * size, (i + 1) * size).map((l) => leafHash(buf(l))));
        assert.equal(hex(sub.root()), expected, `level ${h} index ${i}`);
      }),
    );
  });

  test('inclusion proofs match and verify; corrupted ones fail', () => {
    for (const v of proofs.inclusion) {
      const index = v.leaf - 1;
      const proof = inclusionProof(reference, index, v.size);
      assert.deepEqual(proof.map(hex), v.proof, `PATH(${index}, ${v.size})`);
      const leaf = reference.leafHashAt(index);
      const root = reference.root(v.size);
      assert.ok(verifyInclusion(index, v.size, leaf, proof.map((p) => buf(hex(p))), root).ok);
      const bad: [string, VerifyResult][] = [
        ['index - 1', verifyInclusion(index - 1, v.size, leaf, proof, root)],
        ['index + 1', verifyInclusion(index + 1, v.size, leaf, proof, root)],
        ['index ^ 2', verifyInclusion(index ^ 2, v.size, leaf, proof, root)],
        ['size * 2', verifyInclusion(index, v.size * 2, leaf, proof, root)],
        ['size / 2', verifyInclusion(index, Math.floor(v.size / 2), leaf, proof, root)],
        ['wrong leaf', verifyInclusion(index, v.size, Buffer.from('WrongLeaf'), proof, root)],
        ['empty root', verifyInclusion(index, v.size, leaf, proof, EMPTY_ROOT)],
        ['trailing garbage', verifyInclusion(index, v.size, leaf, [...proof, Buffer.alloc(0)], root)],
        ['trailing root', verifyInclusion(index, v.size, leaf, [...proof, root], root)],
        ['preceding root', verifyInclusion(index, v.size, leaf, [root, ...proof], root)],
        ...proof.map((_, i): [string, VerifyResult] => [`flipped bit in proof[${i}]`, verifyInclusion(index, v.size, leaf, proof.map((p, j) => (j === i ? flip(p, 3) : p)), root)]),
        ...(proof.length ? [['removed component', verifyInclusion(index, v.size, leaf, proof.slice(0, -1), root)] as [string, VerifyResult]] : []),
      ];
      for (const [what, r] of bad) {
        assert.equal(r.ok, false, `${what} for leaf ${index} in ${v.size}`);
        assert.ok(!r.ok && r.reason.length > 10, `the verifier says why (${what})`);
      }
    }
  });

  test('consistency proofs match and verify; corrupted ones fail', () => {
    for (const v of proofs.consistency) {
      const proof = consistencyProof(reference, v.size1, v.size2);
      assert.deepEqual(proof.map(hex), v.proof, `PROOF(${v.size1}, ${v.size2})`);
      const r1 = reference.root(v.size1);
      const r2 = reference.root(v.size2);
      assert.ok(verifyConsistency(v.size1, v.size2, proof, r1, r2).ok);
      if (proof.length === 0) continue;
      const bad: [string, VerifyResult][] = [
        ['size1 - 1', verifyConsistency(v.size1 - 1, v.size2, proof, r1, r2)],
        ['size1 + 1', verifyConsistency(v.size1 + 1, v.size2, proof, r1, r2)],
        ['size2 * 2', verifyConsistency(v.size1, v.size2 * 2, proof, r1, r2)],
        ['swapped roots', verifyConsistency(v.size1, v.size2, proof, r2, r1)],
        ['empty proof', verifyConsistency(v.size1, v.size2, [], r1, r2)],
        ['trailing root2', verifyConsistency(v.size1, v.size2, [...proof, r2], r1, r2)],
        ['preceding root1', verifyConsistency(v.size1, v.size2, [r1, ...proof], r1, r2)],
        ['truncated', verifyConsistency(v.size1, v.size2, proof.slice(0, -1), r1, r2)],
        ...proof.map((_, i): [string, VerifyResult] => [`flipped bit in proof[${i}]`, verifyConsistency(v.size1, v.size2, proof.map((p, j) => (j === i ? flip(p, 4) : p)), r1, r2)]),
      ];
      for (const [what, r] of bad) {
        assert.equal(r.ok, false, `${what} for ${v.size1}→${v.size2}`);
        assert.ok(!r.ok && r.reason.length > 10, `the verifier says why (${what})`);
      }
    }
  });

  test('edge cases from the reference verifier', () => {
    const some = buf('abacaba000000000000000000000000000000000000000000060061e00123456');
    assert.equal(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT).ok, true);
    assert.equal(verifyConsistency(0, 1, [], some, EMPTY_ROOT).ok, true);
    assert.equal(verifyConsistency(1, 1, [], EMPTY_ROOT, some).ok, false);
    assert.equal(verifyConsistency(1, 0, [], some, some).ok, false);
    assert.equal(verifyConsistency(1, 1, [EMPTY_ROOT], EMPTY_ROOT, EMPTY_ROOT).ok, false);
    for (const [i, n] of [[0, 0], [1, 0], [2, 1]]) assert.equal(verifyInclusion(i!, n!, some, [], EMPTY_ROOT).ok, false);
  });
});

describe('properties', () => {
  const BOUND = 70;
  const big = new MerkleTree(Array.from({ length: BOUND }, (_, i) => leafHash(Buffer.from(`leaf-${i}`))));

  test('every inclusion proof verifies, for all leaves of all sizes up to the bound', () => {
    for (let n = 1; n <= BOUND; n++) {
      const root = big.root(n);
      for (let m = 0; m < n; m++) assert.ok(verifyInclusion(m, n, big.leafHashAt(m), inclusionProof(big, m, n), root).ok, `${m} in ${n}`);
    }
  });

  test('every consistency proof verifies, for all (m, n) up to the bound', () => {
    for (let n = 0; n <= BOUND; n++) {
      for (let m = 0; m <= n; m++) assert.ok(verifyConsistency(m, n, consistencyProof(big, m, n), big.root(m), big.root(n)).ok, `${m}→${n}`);
    }
  });

  test('roots from stored subtrees equal roots built from scratch (random sizes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: BOUND }), (n) => {
        const fresh = new MerkleTree(Array.from({ length: n }, (_, i) => big.leafHashAt(i)));
        return fresh.root().equals(big.root(n));
      }),
    );
  });

  test('a rewritten leaf is caught: proofs against the old root fail, consistency fails', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: n }))), ([n, changed, m]) => {
        const leaves = Array.from({ length: n }, (_, i) => big.leafHashAt(i));
        const forged = new MerkleTree(leaves.map((h, i) => (i === changed ? leafHash(Buffer.from('forged')) : h)));
        const honestRoot = big.root(n);
        assert.equal(verifyInclusion(changed, n, forged.leafHashAt(changed), inclusionProof(forged, changed, n), honestRoot).ok, false);
        if (changed < m) assert.equal(verifyConsistency(m, n, consistencyProof(forged, m, n), big.root(m), forged.root(n)).ok, false);
        return true;
      }),
    );
  });
});
