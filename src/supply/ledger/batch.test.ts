import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, type Hex } from 'viem';
import { batchLeaf, batchLeafHash, batchProof, batchSizes, batchTree, checkBatchProof, MAX_BATCH_LEAVES } from './batch.ts';
import { commitmentOf, unitKeyOf } from './keys.ts';

const lotId = `0x${'11'.repeat(32)}` as Hex;
const salt = Buffer.alloc(32, 3);

test('a batch leaf is the 96-byte ABI encoding of (lotId, commitment, parentKey)', () => {
  const c = commitmentOf(salt, 'x');
  const leaf = batchLeaf(lotId, c, null);
  assert.equal(leaf.length, 96);
  assert.deepEqual(leaf.subarray(64), Buffer.alloc(32));
  assert.throws(() => batchLeaf('0x11', c, null), /32-byte/);
});

test('every unit of a batch proves against the root; a changed commitment, parent or index does not', () => {
  for (const n of [1, 2, 3, 7, 64, 65]) {
    const units = Array.from({ length: n }, (_, i) => ({ c: commitmentOf(salt, `u${i}`), parent: i % 3 === 1 ? unitKeyOf(lotId, commitmentOf(salt, 'case')) : null }));
    const tree = batchTree(units.map((u) => batchLeafHash(lotId, u.c, u.parent)));
    const root = bytesToHex(tree.root());
    for (let i = 0; i < n; i++) {
      const p = { lotId, commitment: units[i]!.c, parentKey: units[i]!.parent, index: i, count: n, proof: batchProof(tree, i), root };
      assert.deepEqual(checkBatchProof(p), { ok: true }, `n=${n} i=${i}`);
      assert.equal(checkBatchProof({ ...p, commitment: commitmentOf(salt, 'fake') }).ok, false);
      assert.equal(checkBatchProof({ ...p, parentKey: Buffer.alloc(32, 9) }).ok, false);
      if (n > 1) assert.equal(checkBatchProof({ ...p, index: (i + 1) % n }).ok, false);
    }
  }
});

test('batch sizes: at most 2^18 leaves, spread evenly', () => {
  assert.deepEqual(batchSizes(0), []);
  assert.deepEqual(batchSizes(10), [10]);
  const million = batchSizes(1_010_100);
  assert.equal(million.length, 4);
  assert.equal(million.reduce((a, b) => a + b, 0), 1_010_100);
  assert.ok(million.every((s) => s <= MAX_BATCH_LEAVES && s >= 252_525));
  assert.throws(() => batchTree([]), /at least one/);
});
