// storage-engine: sqlite-only (no node database on this path; the PostgreSQL pass of npm test skips this file)
/**
 * The Merkle log's start-up cache (real SQLite): complete chunks of leaf hashes are read back instead
 * of re-hashing every leaf, only the leaves after them are read, and a cache that does not match the
 * stored leaves is dropped and rebuilt, never trusted.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { HASH_CHUNK, leafTable, leafTableMigration, logMigrations, PersistentLog, type LeafSource } from '../src/merkle/persistent-log.ts';
import { MerkleTree } from '../src/merkle/tree.ts';
import { openSqlite } from '../src/storage/sqlite.ts';
import { tempDir } from './helpers/env.ts';

const tmp = tempDir();
process.on('exit', () => tmp.remove());

test('start-up reads cached chunks of leaf hashes and hashes only the leaves after them', async () => {
  const db = await openSqlite(join(tmp.dir, 'log.db'), { logs: logMigrations, test: [leafTableMigration('test')] });
  const N = HASH_CHUNK + 1234;
  const leaf = (i: number) => Buffer.from(`leaf ${i}`);
  const log = await PersistentLog.open(db, 'test');
  await db.transaction(async (tx) => {
    for (let i = 0; i < N; i++) await log.append(tx, leaf(i));
  });
  log.commit();
  const root = log.tree.root();
  const expected = new MerkleTree();
  for (let i = 0; i < N; i++) expected.append(leaf(i));
  assert.deepEqual(root, expected.root());
  await log.saveHashChunks();
  const chunks = async () => (await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM log_hash_chunks WHERE log = 'test'"))!.n;
  assert.equal(await chunks(), 1);

  // Reopened: the leaves read are only those after the cached chunk.
  let read = 0;
  const table = leafTable(db, 'test');
  const counting: LeafSource = {
    leaf: (i) => table.leaf(i),
    page: async (from, limit) => {
      const page = await table.page(from, limit);
      read += page.length;
      return page;
    },
  };
  const reopened = await PersistentLog.open(db, 'test', counting);
  assert.deepEqual(reopened.tree.root(), root);
  assert.equal(read, N - HASH_CHUNK);

  // A damaged cache (its last hash no longer matches the stored leaf) is dropped and rebuilt.
  const hashes = async () => (await db.get<{ hashes: Buffer }>("SELECT hashes FROM log_hash_chunks WHERE log = 'test'"))!.hashes;
  const blob = await hashes();
  blob[blob.length - 1]! ^= 1;
  await db.run("UPDATE log_hash_chunks SET hashes = ? WHERE log = 'test'", [blob]);
  read = 0;
  const rebuilt = await PersistentLog.open(db, 'test', counting);
  assert.deepEqual(rebuilt.tree.root(), root);
  assert.equal(read, N, 'every leaf re-hashed');
  assert.notDeepEqual(await hashes(), blob, 'the cache is rewritten from the leaves');
  await db.close();
});
