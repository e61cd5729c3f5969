/**
 * Online copies of a node's database, each engine its own way, while the node runs:
 * - SQLite: the online backup API (better-sqlite3 `backup`), a consistent page-by-page copy that
 *   readers and the writer keep using meanwhile (https://www.sqlite.org/backup.html).
 * - PostgreSQL: `pg_dump --format=custom`, one consistent snapshot (a REPEATABLE READ transaction)
 *   of the database; restored with `pg_restore` into an empty database.
 * Both copies include the transaction journal (a table like the others).
 */
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import type { Storage } from './engine.ts';
import { ensureDatabase, PostgresStorage } from './postgres.ts';
import { SqliteStorage } from './sqlite.ts';
import { postgresTool } from './throwaway-postgres.ts';

/** The file a copy of `storage` is written to in a backup directory, by engine. */
export const DATABASE_FILE = { sqlite: 'node.db', postgres: 'node.pgdump' } as const;

/** Writes an online, consistent copy of the database to `file`. */
export async function backupDatabase(storage: Storage, file: string): Promise<void> {
  if (storage instanceof SqliteStorage) {
    await storage.writer.backup(file);
    return;
  }
  if (storage instanceof PostgresStorage) {
    await run(postgresTool('pg_dump'), ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, `--dbname=${storage.url}`]);
    return;
  }
  throw new Error(`cannot back up a ${storage.dialect} database of this kind`);
}

/** Restores a copy made by `backupDatabase` into a SQLite file or an empty PostgreSQL database. */
export async function restoreDatabase(from: { engine: 'sqlite' | 'postgres'; file: string }, to: { sqliteFile?: string; postgresUrl?: string }): Promise<void> {
  if (from.engine === 'sqlite') {
    if (!to.sqliteFile) throw new Error('a SQLite backup restores into a SQLite node (no --database URL)');
    copyFileSync(from.file, to.sqliteFile);
    return;
  }
  if (!to.postgresUrl) throw new Error('a PostgreSQL backup restores into a PostgreSQL database: give --database');
  await ensureDatabase(to.postgresUrl);
  await run(postgresTool('pg_restore'), ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${to.postgresUrl}`, from.file]);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', (err) => reject(new Error(`${cmd} could not run: ${err.message} (install the PostgreSQL client tools)`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd.split('/').pop()} failed (${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`))));
  });
}
