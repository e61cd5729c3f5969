/**
 * What the exchange keeps: nonces of signed requests (to refuse replays) and the break-glass
 * accesses this custodian allowed, for the privacy officer's review. Owns `exchange_nonces` and
 * `break_glass_accesses`.
 */
import type { Address, Hex } from 'viem';
import type { Migration, Storage, Tx } from '../storage/engine.ts';

export const exchangeMigrations: Migration[] = [
  (tx) =>
    tx.exec(`
      CREATE TABLE exchange_nonces (org_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_ms INTEGER NOT NULL, PRIMARY KEY (org_id, nonce));
      CREATE TABLE break_glass_accesses (
        access_id TEXT PRIMARY KEY,
        patient TEXT NOT NULL,
        requester TEXT NOT NULL,
        practitioner TEXT NOT NULL,
        reason TEXT NOT NULL,
        until INTEGER NOT NULL,
        tx_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        review TEXT,
        reviewed_by TEXT,
        reviewed_at TEXT
      );
      CREATE INDEX break_glass_accesses_open ON break_glass_accesses (requester, practitioner, patient, until);
    `),
];

export interface BreakGlassAccess {
  access_id: Hex;
  patient: string;
  requester: Hex;
  practitioner: string;
  reason: string;
  until: number;
  tx_hash: Hex;
  created_at: string;
  review: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
}

export class ExchangeStore {
  constructor(private readonly storage: Storage) {}

  /** Records a request's nonce; false if it was seen before (a replay). */
  async useNonce(orgId: Hex, nonce: string): Promise<boolean> {
    return (await this.storage.run('INSERT INTO exchange_nonces (org_id, nonce, seen_ms) VALUES (?, ?, ?) ON CONFLICT (org_id, nonce) DO NOTHING', [orgId, nonce, Date.now()])).changes === 1;
  }

  /** An open break-glass access of this practitioner to this patient, if one lasts still. */
  openAccess(requester: Hex, practitioner: string, patient: Address, nowSeconds: number): Promise<BreakGlassAccess | undefined> {
    return this.storage.get<BreakGlassAccess>(
      'SELECT * FROM break_glass_accesses WHERE requester = ? AND practitioner = ? AND patient = ? AND until > ? ORDER BY until DESC LIMIT 1',
      [requester, practitioner, patient.toLowerCase(), nowSeconds],
    );
  }

  async saveAccess(a: Omit<BreakGlassAccess, 'review' | 'reviewed_by' | 'reviewed_at'>): Promise<void> {
    await this.storage.run('INSERT INTO break_glass_accesses (access_id, patient, requester, practitioner, reason, until, tx_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      a.access_id, a.patient.toLowerCase(), a.requester, a.practitioner, a.reason, a.until, a.tx_hash, a.created_at,
    ]);
  }

  accesses(limit = 1000): Promise<BreakGlassAccess[]> {
    return this.storage.all<BreakGlassAccess>('SELECT * FROM break_glass_accesses ORDER BY created_at DESC LIMIT ?', [limit]);
  }

  /** Records a review of an access not reviewed yet; false if there is no such open review. */
  async review(tx: Tx, accessId: Hex, review: string, reviewer: string): Promise<boolean> {
    const r = await tx.run('UPDATE break_glass_accesses SET review = ?, reviewed_by = ?, reviewed_at = ? WHERE access_id = ? AND review IS NULL', [review, reviewer, new Date().toISOString(), accessId]);
    return r.changes > 0;
  }
}
