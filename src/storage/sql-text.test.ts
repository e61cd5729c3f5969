import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDdl, segments, toNumberedParameters, toPostgresTypes } from './sql-text.ts';

test('? becomes $n in code only, left to right', () => {
  const cases: [string, string, number][] = [
    ['SELECT 1', 'SELECT 1', 0],
    ['SELECT * FROM t WHERE a = ? AND b = ?', 'SELECT * FROM t WHERE a = $1 AND b = $2', 2],
    ["SELECT '?' AS q, ? AS p", "SELECT '?' AS q, $1 AS p", 1],
    ["SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1],
    ['SELECT "a?b" FROM t WHERE x = ?', 'SELECT "a?b" FROM t WHERE x = $1', 1],
    ['SELECT ? -- why?\n, ?', 'SELECT $1 -- why?\n, $2', 2],
    ['SELECT /* ? */ ?', 'SELECT /* ? */ $1', 1],
    ["INSERT INTO t VALUES (?, 'pending', ?) RETURNING id", "INSERT INTO t VALUES ($1, 'pending', $2) RETURNING id", 2],
    ["SELECT 'unterminated ?", "SELECT 'unterminated ?", 0],
  ];
  for (const [input, text, count] of cases) assert.deepEqual(toNumberedParameters(input), { text, count }, input);
});

test('INTEGER and BLOB become BIGINT and BYTEA as whole words, never in literals or comments', () => {
  assert.equal(toPostgresTypes('CREATE TABLE t (a INTEGER PRIMARY KEY, b BLOB NOT NULL, c INTEGER)'), 'CREATE TABLE t (a BIGINT PRIMARY KEY, b BYTEA NOT NULL, c BIGINT)');
  assert.equal(toPostgresTypes('CREATE TABLE e (blob BLOB NOT NULL, real REAL)'), 'CREATE TABLE e (blob BYTEA NOT NULL, real DOUBLE PRECISION)', 'names are lower case, types upper case');
  assert.equal(toPostgresTypes("CREATE TABLE t (integers TEXT DEFAULT 'INTEGER') -- BLOB\n"), "CREATE TABLE t (integers TEXT DEFAULT 'INTEGER') -- BLOB\n");
  assert.equal(toPostgresTypes('CREATE TABLE "INTEGER" (x BLOB)'), 'CREATE TABLE "INTEGER" (x BYTEA)');
  assert.equal(toPostgresTypes('CREATE TABLE r (lo REAL NOT NULL, unreal TEXT)'), 'CREATE TABLE r (lo DOUBLE PRECISION NOT NULL, unreal TEXT)');
});

test('DDL is recognised after comments and whitespace', () => {
  assert.equal(isDdl('  -- the table\n  CREATE TABLE t (x INTEGER)'), true);
  assert.equal(isDdl('alter table t add column y BLOB'), true);
  assert.equal(isDdl("SELECT 'CREATE'"), false);
  assert.equal(isDdl('INSERT INTO t VALUES (1)'), false);
});

test('segments cover the whole text', () => {
  const sql = "SELECT 'a''b', \"c\" /* d */ -- e\nFROM t";
  assert.equal(segments(sql).map((s) => s.text).join(''), sql);
  assert.deepEqual(segments(sql).filter((s) => !s.code).map((s) => s.text), ["'a''b'", '"c"', '/* d */', '-- e']);
});
