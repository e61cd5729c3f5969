import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/** A migration is applied once, in order, inside a transaction; its index is its version. */
export type Migration = (db: Db) => void;

/**
 * Opens the node's SQLite database. WAL lets the HTTP server read while the indexer writes;
 * synchronous=FULL makes every committed transaction (journalled chain transactions, audit entries)
 * survive a crash of the process or of the machine.
 */
export function openDatabase(file: string, migrations: Record<string, Migration[]>): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 64 MiB page cache (the default is 2 MiB): logs and their indexes outgrow the default quickly, and
  // every append then pays for re-reading B-tree pages.
  db.pragma('cache_size = -65536');
  // Checkpoint the WAL every ~40 MiB rather than every 4 MiB: fewer, larger checkpoints under load.
  db.pragma('wal_autocheckpoint = 10000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  for (const [component, steps] of Object.entries(migrations)) migrate(db, component, steps);
  return db;
}

function migrate(db: Db, component: string, steps: Migration[]): void {
  const row = db.prepare('SELECT version FROM schema_version WHERE component = ?').get(component) as
    | { version: number }
    | undefined;
  const current = row?.version ?? 0;
  if (current > steps.length) {
    throw new Error(`database schema of ${component} is version ${current}, newer than this software (${steps.length})`);
  }
  for (let v = current; v < steps.length; v++) {
    db.transaction(() => {
      steps[v]!(db);
      db.prepare(
        'INSERT INTO schema_version (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version',
      ).run(component, v + 1);
    })();
  }
}
