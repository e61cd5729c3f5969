/**
 * Patient identities: a local Patient linked to the patient's on-chain address at this custodian (the
 * pseudonymous id their consent is signed with). A key is linked only by the patient: with a one-time
 * activation code sent to the contact on file (never shown to staff) and a signature proving
 * possession of the key. The patient either keeps the key or lets the node hold it in custody, sealed
 * under their passphrase (scrypt, off the event loop, with per-patient back-off after failed guesses);
 * the node cannot sign for the patient without it. Erasure forgets the identity and the custody key,
 * and no key can be linked to an erased patient again.
 *
 * Owns `patient_identities`, `patient_activations`, `passphrase_attempts` and `erased_patients`.
 */
import { createHash, createHmac, randomBytes, scrypt } from 'node:crypto';
import { bytesToHex, getAddress, recoverMessageAddress, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { DecryptionError, open, seal } from '../crypto/envelope.ts';
import { breakGlassTagSecret } from '../crypto/patient-keys.ts';
import { conflict, DomainError, forbidden, gone, invalid, notFound } from '../shared/errors.ts';
import type { Migration, Sql, Storage, Tx } from '../storage/engine.ts';

export const patientIdentityMigrations: Migration[] = [
  (tx) =>
    tx.exec(`
      -- Which on-chain patient identity (address) a local Patient is. custody_key is the patient's
      -- secp256k1 key when the node holds it for them, sealed under a key derived from their passphrase.
      CREATE TABLE patient_identities (
        patient_id TEXT PRIMARY KEY,
        address TEXT NOT NULL,
        custody_key BLOB,
        kdf_salt BLOB,
        linked_at TEXT NOT NULL
      );
      CREATE INDEX patient_identities_address ON patient_identities (address);
    `),
  // Keys are linked by the patient (activation code + proof of possession); tag_secret (sealed under
  // the node's key) tags their break-glass events on the ledger; passphrase guesses back off; erasure
  // is remembered so no key can be linked again.
  (tx) =>
    tx.exec(`
      ALTER TABLE patient_identities ADD COLUMN tag_secret BLOB;
      ALTER TABLE patient_identities ADD COLUMN activation_issued_by TEXT;
      -- One-time activation codes (only their hash), sent to the patient's contact on file.
      CREATE TABLE patient_activations (
        patient_id TEXT NOT NULL,
        code_hash TEXT NOT NULL,
        issued_by TEXT NOT NULL,
        issued_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        used_ms INTEGER,
        PRIMARY KEY (patient_id, code_hash)
      );
      CREATE TABLE passphrase_attempts (patient_id TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until_ms INTEGER NOT NULL);
      CREATE TABLE erased_patients (patient_id TEXT PRIMARY KEY, erased_at TEXT NOT NULL);
    `),
];

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const ACTIVATION_MS = 24 * 3600_000;
/** Failed passphrase guesses allowed before back-off starts, and the longest back-off. */
const FREE_FAILURES = 3;
const MAX_LOCK_MS = 3600_000;

function passphraseKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  if (passphrase.length < 8) throw invalid('the passphrase must have at least 8 characters');
  return new Promise((resolve, reject) => scrypt(passphrase.normalize('NFKC'), salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));
}

/** What the patient signs with the key they link: this custodian, this Patient, this activation code. */
export const linkMessage = (orgId: Hex, patientId: string, code: string) => `carechain:link-patient:v2:${orgId}:${patientId}:${code}`;

export interface PatientIdentity {
  address: Address;
  custodial: boolean;
  linkedAt: string;
  activationIssuedBy: string | null;
}

export class PatientIdentities {
  private readonly sealKey: Buffer;

  constructor(
    private readonly storage: Storage,
    indexSecret: Buffer,
  ) {
    this.sealKey = createHmac('sha256', indexSecret).update('carechain/identity-seal/v1').digest();
  }

  async identityOf(patientId: string, sql: Sql = this.storage): Promise<PatientIdentity | undefined> {
    const row = await sql.get<{ address: Address; custody_key: Buffer | null; linked_at: string; activation_issued_by: string | null }>(
      'SELECT address, custody_key, linked_at, activation_issued_by FROM patient_identities WHERE patient_id = ?',
      [patientId],
    );
    return row && { address: getAddress(row.address), custodial: row.custody_key !== null, linkedAt: row.linked_at, activationIssuedBy: row.activation_issued_by };
  }

  /** The local Patients linked to `address` (addresses are stored lowercase). */
  async patientsWithAddress(address: Address, sql: Sql = this.storage): Promise<string[]> {
    return (await sql.all<{ patient_id: string }>('SELECT patient_id FROM patient_identities WHERE address = ?', [address.toLowerCase()])).map((r) => r.patient_id);
  }

  async isErased(patientId: string, sql: Sql = this.storage): Promise<boolean> {
    return (await sql.get('SELECT 1 AS x FROM erased_patients WHERE patient_id = ?', [patientId])) !== undefined;
  }

  /** A one-time activation code for the patient (to send to their contact on file; only its hash is kept). */
  async issueActivation(tx: Tx, patientId: string, issuedBy: string): Promise<{ code: string; expiresAt: string }> {
    if (await this.isErased(patientId, tx)) throw gone(`Patient/${patientId} (erased at the patient's request)`);
    const code = randomBytes(10).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12).toUpperCase();
    const now = Date.now();
    await tx.run('INSERT INTO patient_activations (patient_id, code_hash, issued_by, issued_ms, expires_ms) VALUES (?, ?, ?, ?, ?)', [patientId, codeHash(patientId, code), issuedBy, now, now + ACTIVATION_MS]);
    return { code, expiresAt: new Date(now + ACTIVATION_MS).toISOString() };
  }

  /** Uses an activation code (once); returns who issued it. */
  private async redeem(tx: Tx, patientId: string, code: string): Promise<string> {
    if (await this.isErased(patientId, tx)) throw gone(`Patient/${patientId} (erased at the patient's request)`);
    const row = await tx.get<{ issued_by: string; expires_ms: number; used_ms: number | null }>(
      'SELECT issued_by, expires_ms, used_ms FROM patient_activations WHERE patient_id = ? AND code_hash = ?',
      [patientId, codeHash(patientId, code)],
    );
    if (!row || row.used_ms !== null || Number(row.expires_ms) < Date.now()) throw forbidden('the activation code is unknown, used or expired: ask the front desk for a new one (it is sent to your contact on file)');
    await tx.run('UPDATE patient_activations SET used_ms = ? WHERE patient_id = ? AND code_hash = ?', [Date.now(), patientId, codeHash(patientId, code)]);
    return row.issued_by;
  }

  /**
   * Links a key the patient holds: they prove possession by signing linkMessage (which names the
   * activation code) and give the secret that tags their break-glass events. A Patient that already
   * has an identity is refused: an identity is never replaced silently.
   */
  async link(tx: Tx, orgId: Hex, q: { patientId: string; code: string; address: Address; signature: Hex; tagSecret: Hex }): Promise<{ issuedBy: string }> {
    const signer = await recoverMessageAddress({ message: linkMessage(orgId, q.patientId, q.code), signature: q.signature }).catch(() => undefined);
    if (!signer || getAddress(signer) !== getAddress(q.address)) throw forbidden('the signature does not prove possession of this address (sign carechain:link-patient:v2:<orgId>:<patientId>:<code>)');
    if (await this.identityOf(q.patientId, tx)) throw conflict(`Patient/${q.patientId} already has an identity`, 'duplicate');
    const issuedBy = await this.redeem(tx, q.patientId, q.code);
    await tx.run('INSERT INTO patient_identities (patient_id, address, tag_secret, linked_at, activation_issued_by) VALUES (?, ?, ?, ?, ?)', [
      q.patientId,
      q.address.toLowerCase(),
      this.sealTag(q.patientId, q.tagSecret),
      new Date().toISOString(),
      issuedBy,
    ]);
    return { issuedBy };
  }

  /** Creates a key for the patient and keeps it sealed under the passphrase they chose. */
  async createCustody(tx: Tx, q: { patientId: string; code: string; passphrase: string }): Promise<{ address: Address; issuedBy: string }> {
    if (await this.identityOf(q.patientId, tx)) throw conflict(`Patient/${q.patientId} already has an identity`, 'duplicate');
    const salt = randomBytes(16);
    const sealKey = await passphraseKey(q.passphrase, salt);
    const issuedBy = await this.redeem(tx, q.patientId, q.code);
    const key = generatePrivateKey();
    const sealed = seal(sealKey, Buffer.from(key.slice(2), 'hex'), Buffer.from(`carechain:custody:${q.patientId}`));
    const address = privateKeyToAccount(key).address;
    await tx.run('INSERT INTO patient_identities (patient_id, address, custody_key, kdf_salt, tag_secret, linked_at, activation_issued_by) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      q.patientId,
      address.toLowerCase(),
      sealed,
      salt,
      this.sealTag(q.patientId, breakGlassTagSecret(key)),
      new Date().toISOString(),
      issuedBy,
    ]);
    return { address, issuedBy };
  }

  /**
   * The patient's custodial key, unsealed with their passphrase. After a few failures each further
   * guess must wait longer (doubling up to an hour): a `too-many` error says how long; a wrong
   * passphrase is `forbidden`. scrypt runs in libuv's thread pool, never on the event loop.
   */
  async custodyAccount(patientId: string, passphrase: string): Promise<PrivateKeyAccount> {
    const row = await this.storage.get<{ custody_key: Buffer | null; kdf_salt: Buffer | null }>('SELECT custody_key, kdf_salt FROM patient_identities WHERE patient_id = ?', [patientId]);
    if (!row?.custody_key || !row.kdf_salt) throw notFound(`a key held by this node for Patient/${patientId}`);
    const lock = await this.storage.get<{ failures: number; locked_until_ms: number }>('SELECT failures, locked_until_ms FROM passphrase_attempts WHERE patient_id = ?', [patientId]);
    const wait = Number(lock?.locked_until_ms ?? 0) - Date.now();
    if (wait > 0) throw new DomainError('too-many', `too many wrong passphrases for Patient/${patientId}: try again in ${Math.ceil(wait / 1000)} s`, { retryAfterSeconds: Math.ceil(wait / 1000) });
    try {
      const key = open(await passphraseKey(passphrase, row.kdf_salt), row.custody_key, Buffer.from(`carechain:custody:${patientId}`));
      if (lock) await this.storage.run('DELETE FROM passphrase_attempts WHERE patient_id = ?', [patientId]);
      return privateKeyToAccount(`0x${key.toString('hex')}`);
    } catch (err) {
      if (!(err instanceof DecryptionError)) throw err;
      const failures = Number(lock?.failures ?? 0) + 1;
      const lockMs = failures <= FREE_FAILURES ? 0 : Math.min(MAX_LOCK_MS, 1000 * 2 ** (failures - FREE_FAILURES));
      await this.storage.run(
        'INSERT INTO passphrase_attempts (patient_id, failures, locked_until_ms) VALUES (?, ?, ?) ON CONFLICT (patient_id) DO UPDATE SET failures = excluded.failures, locked_until_ms = excluded.locked_until_ms',
        [patientId, failures, Date.now() + lockMs],
      );
      throw forbidden(`wrong passphrase${lockMs ? ` (next attempt in ${Math.ceil(lockMs / 1000)} s)` : ''}`);
    }
  }

  /** The secret that tags this patient's break-glass events, if the node has it. */
  async tagSecretOf(patientId: string): Promise<Hex | undefined> {
    const row = await this.storage.get<{ tag_secret: Buffer | null }>('SELECT tag_secret FROM patient_identities WHERE patient_id = ?', [patientId]);
    if (!row?.tag_secret) return undefined;
    return bytesToHex(open(this.sealKey, row.tag_secret, Buffer.from(`carechain:tag-secret:${patientId}`), 'break-glass tag secret'));
  }

  /** Erasure: the identity, the custody key and open activations are forgotten; the Patient cannot be linked again. */
  async forget(tx: Tx, patientId: string): Promise<void> {
    await tx.run('DELETE FROM patient_identities WHERE patient_id = ?', [patientId]);
    await tx.run('DELETE FROM patient_activations WHERE patient_id = ?', [patientId]);
    await tx.run('DELETE FROM passphrase_attempts WHERE patient_id = ?', [patientId]);
    await tx.run('INSERT INTO erased_patients (patient_id, erased_at) VALUES (?, ?) ON CONFLICT (patient_id) DO NOTHING', [patientId, new Date().toISOString()]);
  }

  private sealTag(patientId: string, tagSecret: Hex): Buffer {
    if (!/^0x[0-9a-fA-F]{64}$/.test(tagSecret)) throw invalid('tagSecret must be 32 bytes hex');
    return seal(this.sealKey, Buffer.from(tagSecret.slice(2), 'hex'), Buffer.from(`carechain:tag-secret:${patientId}`));
  }
}

function codeHash(patientId: string, code: string): string {
  return createHash('sha256').update(`carechain:activation:${patientId}:${code.toUpperCase()}`).digest('hex');
}

