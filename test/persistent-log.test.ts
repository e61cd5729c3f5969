/**
 * The Merkle log's start-up cache (real SQLite): complete chunks of leaf hashes are read back instead
 * of re-hashing every leaf, only the leaves after them are read, and a cache that does not match the
 * stored leaves is dropped and rebuilt, never trusted.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { HASH_CHUNK, leafTable, PersistentLog, type LeafSource } from '../src/merkle/persistent-log.ts';
import { MerkleTree } from '../src/merkle/rfc6962.ts';
import { tempDir } from './helpers/env.ts';

const tmp = tempDir();
process.on('exit', () => tmp.remove());

test('start-up reads cached chunks of leaf hashes and hashes only the leaves after them', () => {
  const db = openDatabase(join(tmp.dir, 'log.db'), {});
  const N = HASH_CHUNK + 1234;
  const leaf = (i: number) => Buffer.from(`leaf ${i}`);
  const log = new PersistentLog(db, 'test');
  db.transaction(() => {
    for (let i = 0; i < N; i++) log.append(leaf(i));
  })();
  log.commit();
  const root = log.tree.root();
  const expected = new MerkleTree();
  for (let i = 0; i < N; i++) expected.append(leaf(i));
  assert.deepEqual(root, expected.root());
  log.saveHashChunks();
  assert.equal(db.prepare("SELECT COUNT(*) FROM log_hash_chunks WHERE log = 'test'").pluck().get(), 1);

  // Reopened: the leaves read are only those after the cached chunk.
  let read = 0;
  const table = leafTable(db, 'test');
  const counting: LeafSource = {
    leaf: (i) => table.leaf(i),
    *leaves(from = 0) {
      for (const entry of table.leaves(from)) {
        read++;
        yield entry;
      }
    },
  };
  const reopened = new PersistentLog(db, 'test', counting);
  assert.deepEqual(reopened.tree.root(), root);
  assert.equal(read, N - HASH_CHUNK);

  // A damaged cache (its last hash no longer matches the stored leaf) is dropped and rebuilt.
  const blob = db.prepare("SELECT hashes FROM log_hash_chunks WHERE log = 'test'").pluck().get() as Buffer;
  blob[blob.length - 1]! ^= 1;
  db.prepare("UPDATE log_hash_chunks SET hashes = ? WHERE log = 'test'").run(blob);
  read = 0;
  const rebuilt = new PersistentLog(db, 'test', counting);
  assert.deepEqual(rebuilt.tree.root(), root);
  assert.equal(read, N, 'every leaf re-hashed');
  const fixed = db.prepare("SELECT hashes FROM log_hash_chunks WHERE log = 'test'").pluck().get() as Buffer;
  assert.notDeepEqual(fixed, blob, 'the cache is rewritten from the leaves');
  db.close();
});
