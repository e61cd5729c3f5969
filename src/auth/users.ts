/**
 * The node's local user store: clinicians, staff, privacy officers and administrators of this
 * organization, with scrypt password hashes, roles and the practitioner they act as.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Db, Migration } from '../db/database.ts';
import { CarechainError } from '../errors.ts';

export const ROLES = ['admin', 'clinician', 'staff', 'privacy-officer'] as const;
export type Role = (typeof ROLES)[number];

export const userMigrations: Migration[] = [
  (db) =>
    db.exec(`
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
const hash = (password: string, salt: Buffer) => scryptSync(password.normalize('NFKC'), salt, 32, SCRYPT);

export const newUserSchema = z.object({
  username: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'lowercase letters, digits, dot, dash, underscore'),
  password: z.string().min(12, 'at least 12 characters').max(1000),
  roles: z.array(z.enum(ROLES)).min(1),
  practitioner: z.string().regex(/^Practitioner\/[A-Za-z0-9\-.]{1,64}$/).optional(),
});

export function addUser(db: Db, input: z.input<typeof newUserSchema>): User {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) throw new CarechainError(`invalid user: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`, 2);
  const u = parsed.data;
  const salt = randomBytes(16);
  try {
    db.prepare('INSERT INTO users (username, password_hash, salt, roles, practitioner, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      u.username, hash(u.password, salt), salt, JSON.stringify(u.roles), u.practitioner ?? null, new Date().toISOString());
  } catch (err) {
    if (/UNIQUE/.test((err as Error).message)) throw new CarechainError(`user ${u.username} already exists`, 2);
    throw err;
  }
  return { username: u.username, roles: u.roles, practitioner: u.practitioner ?? null };
}

/** The user if the password matches (constant-time compare; the same work for unknown users). */
export function checkPassword(db: Db, username: string, password: string): User | undefined {
  const row = db.prepare('SELECT * FROM users WHERE username = ?').get(username) as
    | { username: string; password_hash: Buffer; salt: Buffer; roles: string; practitioner: string | null }
    | undefined;
  const computed = hash(password, row?.salt ?? Buffer.alloc(16));
  if (!row || !timingSafeEqual(computed, row.password_hash)) return undefined;
  return { username: row.username, roles: JSON.parse(row.roles) as Role[], practitioner: row.practitioner };
}

export function getUser(db: Db, username: string): User | undefined {
  const row = db.prepare('SELECT username, roles, practitioner FROM users WHERE username = ?').get(username) as { username: string; roles: string; practitioner: string | null } | undefined;
  return row && { username: row.username, roles: JSON.parse(row.roles) as Role[], practitioner: row.practitioner };
}
