/**
 * The node's local user store: clinicians, staff, privacy officers and administrators of this
 * organization, with scrypt password hashes (computed off the event loop), roles and the practitioner
 * they act as.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Migration, Storage } from '../storage/engine.ts';
import { invalid, conflict } from '../shared/errors.ts';
import { ROLES, type Role } from './principal.ts';

export const userMigrations: Migration[] = [
  (tx) =>
    tx.exec(`
      CREATE TABLE users (
        username TEXT PRIMARY KEY,
        password_hash BLOB NOT NULL,
        salt BLOB NOT NULL,
        roles TEXT NOT NULL,
        practitioner TEXT,
        created_at TEXT NOT NULL
      );
    `),
];

export interface User {
  username: string;
  roles: Role[];
  practitioner: string | null;
}

const SCRYPT = { N: 1 << 14, r: 8, p: 1 };

/** scrypt in libuv's thread pool: guessing passwords never stalls the node's event loop. */
function hash(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));
}

export const newUserSchema = z.object({
  username: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'lowercase letters, digits, dot, dash, underscore'),
  password: z.string().min(12, 'at least 12 characters').max(1000),
  roles: z.array(z.enum(ROLES)).min(1),
  practitioner: z.string().regex(/^Practitioner\/[A-Za-z0-9\-.]{1,64}$/).optional(),
});

export class UserStore {
  constructor(private readonly storage: Storage) {}

  async add(input: z.input<typeof newUserSchema>): Promise<User> {
    const parsed = newUserSchema.safeParse(input);
    if (!parsed.success) throw invalid(`invalid user: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    const u = parsed.data;
    const salt = randomBytes(16);
    const passwordHash = await hash(u.password, salt);
    const existing = await this.storage.get('SELECT 1 AS x FROM users WHERE username = ?', [u.username]);
    if (existing) throw conflict(`user ${u.username} already exists`, 'duplicate');
    await this.storage.run('INSERT INTO users (username, password_hash, salt, roles, practitioner, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      u.username,
      passwordHash,
      salt,
      JSON.stringify(u.roles),
      u.practitioner ?? null,
      new Date().toISOString(),
    ]);
    return { username: u.username, roles: u.roles, practitioner: u.practitioner ?? null };
  }

  /** The user if the password matches (constant-time compare; the same work for unknown users). */
  async checkPassword(username: string, password: string): Promise<User | undefined> {
    const row = await this.storage.get<{ username: string; password_hash: Buffer; salt: Buffer; roles: string; practitioner: string | null }>(
      'SELECT * FROM users WHERE username = ?',
      [username],
    );
    const computed = await hash(password, row?.salt ?? Buffer.alloc(16));
    if (!row || !timingSafeEqual(computed, row.password_hash)) return undefined;
    return { username: row.username, roles: JSON.parse(row.roles) as Role[], practitioner: row.practitioner };
  }

  async get(username: string): Promise<User | undefined> {
    const row = await this.storage.get<{ username: string; roles: string; practitioner: string | null }>('SELECT username, roles, practitioner FROM users WHERE username = ?', [username]);
    return row && { username: row.username, roles: JSON.parse(row.roles) as Role[], practitioner: row.practitioner };
  }

  async count(): Promise<number> {
    return Number((await this.storage.get<{ n: number }>('SELECT COUNT(*) AS n FROM users'))?.n ?? 0);
  }
}
