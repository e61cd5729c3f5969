/**
 * Backup and restore of one organization's node, online (the node keeps serving while it runs):
 * the database (with the transaction journal in it), the key file, the admin token and the node's
 * TLS files, and a manifest saying what was copied, from which engine, and how large the logs were.
 *
 * What a restore brings back is the node as of the backup: entries written after it are gone. If
 * roots covering them were anchored meanwhile, `carechain verify` / `audit verify` on the restored
 * node say exactly that (an anchor covers entries that are not stored) — the ledger makes the loss
 * visible. Back up often, or keep PostgreSQL's WAL archive for point-in-time recovery
 * (docs/production.md).
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { databaseUrlOf, type NodeConfig } from '../config/node-config.ts';
import { CarechainError } from '../shared/errors.ts';
import { backupDatabase, DATABASE_FILE, restoreDatabase } from '../storage/backup.ts';
import type { Storage } from '../storage/engine.ts';

export interface BackupManifest {
  version: 1;
  org: string;
  engine: 'sqlite' | 'postgres';
  takenAt: string;
  /** Log sizes when the copy began (the copy holds at least these). */
  logs: { records: number; audit: number };
  /** SHA-256 of every file in the backup but this one. */
  files: Record<string, string>;
}

const KEY_FILE = 'keys.json';
const TOKEN_FILE = 'admin-token';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Writes a backup of the node into `outDir` (created, mode 0700; it holds the keys). */
export async function backupNode(config: NodeConfig, storage: Storage, outDir: string): Promise<BackupManifest> {
  if (existsSync(outDir) && readdirSync(outDir).length) throw new CarechainError(`backup directory ${outDir} is not empty`, 2);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const count = async (sql: string) => Number((await storage.get<{ n: number }>(sql))?.n ?? 0);
  const logs = { records: await count('SELECT COUNT(*) AS n FROM log_records'), audit: await count('SELECT COUNT(*) AS n FROM audit_entries') };
  const dbFile = join(outDir, DATABASE_FILE[storage.dialect]);
  await backupDatabase(storage, dbFile);
  copyFileSync(config.keyFile, join(outDir, KEY_FILE));
  const token = join(config.dataDir, TOKEN_FILE);
  if (existsSync(token)) copyFileSync(token, join(outDir, TOKEN_FILE));
  if (existsSync(join(config.dataDir, 'tls'))) cpSync(join(config.dataDir, 'tls'), join(outDir, 'tls'), { recursive: true });
  const files: Record<string, string> = {};
  for (const f of [basename(dbFile), KEY_FILE, TOKEN_FILE]) if (existsSync(join(outDir, f))) files[f] = sha256(join(outDir, f));
  for (const f of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) chmodSync(join(f.parentPath, f.name), 0o600);
  }
  const manifest: BackupManifest = { version: 1, org: config.org, engine: storage.dialect, takenAt: new Date().toISOString(), logs, files };
  writeFileSync(join(outDir, 'backup.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  return manifest;
}

/**
 * Restores a backup onto a fresh data directory (and, for PostgreSQL, an empty database), checking
 * every file against the manifest first. Refuses to overwrite an existing node.
 */
export async function restoreNode(config: NodeConfig, fromDir: string): Promise<BackupManifest> {
  const manifestFile = join(fromDir, 'backup.json');
  if (!existsSync(manifestFile)) throw new CarechainError(`${fromDir} is not a Carechain backup (no backup.json)`, 2);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BackupManifest;
  if (manifest.org !== config.org) throw new CarechainError(`the backup is of ${manifest.org}, not ${config.org}`, 2);
  for (const [f, hash] of Object.entries(manifest.files)) {
    if (!existsSync(join(fromDir, f)) || sha256(join(fromDir, f)) !== hash) throw new CarechainError(`backup file ${f} is missing or altered (its SHA-256 does not match backup.json)`, 2);
  }
  if (existsSync(config.keyFile)) throw new CarechainError(`${config.keyFile} exists: restore onto a fresh data directory`, 2);
  const sqliteFile = join(config.dataDir, 'node.db');
  const postgresUrl = databaseUrlOf(config);
  if (!postgresUrl && existsSync(sqliteFile)) throw new CarechainError(`${sqliteFile} exists: restore onto a fresh data directory`, 2);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  await restoreDatabase({ engine: manifest.engine, file: join(fromDir, DATABASE_FILE[manifest.engine]) }, { sqliteFile: postgresUrl ? undefined : sqliteFile, postgresUrl });
  copyFileSync(join(fromDir, KEY_FILE), config.keyFile);
  chmodSync(config.keyFile, 0o600);
  if (existsSync(join(fromDir, TOKEN_FILE))) copyFileSync(join(fromDir, TOKEN_FILE), join(config.dataDir, TOKEN_FILE));
  if (existsSync(join(fromDir, 'tls'))) cpSync(join(fromDir, 'tls'), join(config.dataDir, 'tls'), { recursive: true });
  return manifest;
}
