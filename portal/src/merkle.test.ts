import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inclusionProof, consistencyProof } from '../../src/merkle/proofs.ts';
import { MerkleTree } from '../../src/merkle/tree.ts';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.ts';

const tree = new MerkleTree();
for (let i = 0; i < 37; i++) tree.append(new TextEncoder().encode(`leaf ${i}`));

test('the browser verifier accepts every inclusion proof the node makes, and rejects a changed leaf', () => {
  for (const size of [1, 2, 3, 8, 13, 37]) {
    for (let i = 0; i < size; i++) {
      const leaf = leafHash(new TextEncoder().encode(`leaf ${i}`));
      assert.deepEqual(verifyInclusion(i, size, leaf, inclusionProof(tree, i, size), tree.root(size)), { ok: true }, `${i} in ${size}`);
      const wrong = verifyInclusion(i, size, leafHash(new TextEncoder().encode('forged')), inclusionProof(tree, i, size), tree.root(size));
      assert.equal(wrong.ok, false);
    }
  }
});

test('the browser verifier accepts every consistency proof the node makes, and rejects a rewritten log', () => {
  for (const [a, b] of [[1, 2], [3, 8], [7, 37], [8, 37], [13, 13], [0, 5]] as const) {
    assert.deepEqual(verifyConsistency(a, b, consistencyProof(tree, a, b), tree.root(a), tree.root(b)), { ok: true }, `${a}→${b}`);
  }
  const other = new MerkleTree();
  for (let i = 0; i < 37; i++) other.append(new TextEncoder().encode(i === 3 ? 'rewritten' : `leaf ${i}`));
  assert.equal(verifyConsistency(8, 37, consistencyProof(tree, 8, 37), tree.root(8), other.root(37)).ok, false);
});
