/**
 * What the exchange keeps: the break-glass accesses this custodian allowed (for its privacy officer's
 * review and the patient's view) and the ones this organization's clinicians opened elsewhere (for
 * the requester's privacy officer). A reason may name a diagnosis, so it is sealed at rest (AES-256-GCM
 * under a key derived from the node's secret); the ledger holds only a salted hash of it. Owns
 * `break_glass_accesses` and `break_glass_outgoing`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { bytesToHex, concatHex, keccak256, stringToHex, type Address, type Hex } from 'viem';
import { open, seal } from '../crypto/envelope.ts';
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
  // Signed requests now use identity/org-requests.ts (org_request_nonces); reasons are sealed; the
  // credential that licensed the access is kept; and outgoing accesses are kept for the requester's review.
  (tx) =>
    tx.exec(`
      DROP TABLE exchange_nonces;
      DELETE FROM break_glass_accesses;
      ALTER TABLE break_glass_accesses DROP COLUMN reason;
      ALTER TABLE break_glass_accesses ADD COLUMN reason_sealed BLOB NOT NULL DEFAULT '';
      ALTER TABLE break_glass_accesses ADD COLUMN reason_salt TEXT NOT NULL DEFAULT '';
      ALTER TABLE break_glass_accesses ADD COLUMN credential_id TEXT NOT NULL DEFAULT '';
      CREATE TABLE break_glass_outgoing (
        access_id TEXT PRIMARY KEY,
        custodian TEXT NOT NULL,
        practitioner TEXT NOT NULL,
        reason_sealed BLOB NOT NULL,
        until INTEGER NOT NULL,
        tx_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        review TEXT,
        reviewed_by TEXT,
        reviewed_at TEXT
      );
    `),
];

/** A break-glass access as the privacy officers and the patient see it (the reason unsealed). */
export interface BreakGlassAccess {
  access_id: Hex;
  /** At the custodian: the patient's address here; at the requester: the custodian asked. */
  patient?: string;
  custodian?: Hex;
  requester?: Hex;
  practitioner: string;
  credential_id?: Hex;
  reason: string;
  until: number;
  tx_hash: Hex;
  created_at: string;
  review: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
}

interface IncomingRow extends Omit<BreakGlassAccess, 'reason'> {
  reason_sealed: Buffer;
  reason_salt: Hex;
}

export class ExchangeStore {
  private readonly sealKey: Buffer;

  constructor(
    private readonly storage: Storage,
    secret: Buffer,
  ) {
    this.sealKey = createHmac('sha256', secret).update('carechain/break-glass-reason/v1').digest();
  }

  private sealReason(accessId: Hex, reason: string): Buffer {
    return seal(this.sealKey, Buffer.from(reason, 'utf8'), Buffer.from(`carechain:break-glass-reason:${accessId}`));
  }

  private openReason(accessId: Hex, sealed: Buffer): string {
    return open(this.sealKey, sealed, Buffer.from(`carechain:break-glass-reason:${accessId}`), 'break-glass reason').toString('utf8');
  }

  /** A fresh salt and the salted hash of a reason, as the ledger carries it (not enumerable). */
  static reasonCommitment(reason: string, salt: Hex = bytesToHex(randomBytes(32))): { salt: Hex; hash: Hex } {
    return { salt, hash: keccak256(concatHex([salt, stringToHex(reason)])) };
  }

  /** An open break-glass access of this credential's holder to this patient, if one lasts still. */
  async openAccess(requester: Hex, credentialId: Hex, patient: Address, nowSeconds: number): Promise<BreakGlassAccess | undefined> {
    const row = await this.storage.get<IncomingRow>(
      'SELECT * FROM break_glass_accesses WHERE requester = ? AND credential_id = ? AND patient = ? AND until > ? ORDER BY until DESC LIMIT 1',
      [requester, credentialId.toLowerCase(), patient.toLowerCase(), nowSeconds],
    );
    return row && this.incoming(row);
  }

  async saveAccess(a: { access_id: Hex; patient: Address; requester: Hex; practitioner: string; credential_id: Hex; reason: string; reason_salt: Hex; until: number; tx_hash: Hex }): Promise<void> {
    await this.storage.run(
      'INSERT INTO break_glass_accesses (access_id, patient, requester, practitioner, credential_id, reason_sealed, reason_salt, until, tx_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [a.access_id, a.patient.toLowerCase(), a.requester, a.practitioner, a.credential_id.toLowerCase(), this.sealReason(a.access_id, a.reason), a.reason_salt, a.until, a.tx_hash, new Date().toISOString()],
    );
  }

  private incoming(r: IncomingRow): BreakGlassAccess {
    const { reason_sealed, reason_salt: _salt, ...rest } = r;
    return { ...rest, until: Number(r.until), reason: this.openReason(r.access_id, Buffer.from(reason_sealed)) };
  }

  /** Accesses this custodian allowed, newest first (optionally for one patient's addresses). */
  async accesses(filter: { patients?: string[]; limit?: number } = {}): Promise<BreakGlassAccess[]> {
    const patients = filter.patients?.map((p) => p.toLowerCase());
    if (patients && patients.length === 0) return [];
    const rows = await this.storage.all<IncomingRow>(
      `SELECT * FROM break_glass_accesses ${patients ? `WHERE patient IN (${patients.map(() => '?').join(',')})` : ''} ORDER BY created_at DESC LIMIT ?`,
      [...(patients ?? []), filter.limit ?? 1000],
    );
    return rows.map((r) => this.incoming(r));
  }

  /** Records that one of this organization's clinicians broke the glass at another custodian. */
  async saveOutgoing(a: { access_id: Hex; custodian: Hex; practitioner: string; reason: string; until: number; tx_hash: Hex }): Promise<void> {
    await this.storage.run(
      'INSERT INTO break_glass_outgoing (access_id, custodian, practitioner, reason_sealed, until, tx_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (access_id) DO NOTHING',
      [a.access_id, a.custodian, a.practitioner, this.sealReason(a.access_id, a.reason), a.until, a.tx_hash, new Date().toISOString()],
    );
  }

  async outgoing(limit = 1000): Promise<BreakGlassAccess[]> {
    const rows = await this.storage.all<Omit<BreakGlassAccess, 'reason'> & { reason_sealed: Buffer }>('SELECT * FROM break_glass_outgoing ORDER BY created_at DESC LIMIT ?', [limit]);
    return rows.map(({ reason_sealed, ...r }) => ({ ...r, until: Number(r.until), reason: this.openReason(r.access_id, Buffer.from(reason_sealed)) }));
  }

  /** Records a review of an access not reviewed yet (either side); false if there is no such open review. */
  async review(tx: Tx, accessId: Hex, review: string, reviewer: string): Promise<boolean> {
    const at = new Date().toISOString();
    for (const table of ['break_glass_accesses', 'break_glass_outgoing']) {
      const r = await tx.run(`UPDATE ${table} SET review = ?, reviewed_by = ?, reviewed_at = ? WHERE access_id = ? AND review IS NULL`, [review, reviewer, at, accessId]);
      if (r.changes > 0) return true;
    }
    return false;
  }
}
