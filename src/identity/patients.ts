/**
 * Patient identities: a local Patient linked to the patient's on-chain address (the pseudonymous id
 * their consent is signed with). The patient either keeps the key (and proves possession by a
 * signature) or lets the node hold it in custody, sealed under a key derived from a passphrase
 * (scrypt, off the event loop); the node cannot sign for the patient without that passphrase.
 * This module owns `patient_identities`.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { getAddress, recoverMessageAddress, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { DecryptionError, open, seal } from '../crypto/envelope.ts';
import { conflict, forbidden, invalid, notFound } from '../shared/errors.ts';
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
];

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function passphraseKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  if (passphrase.length < 8) throw invalid('the passphrase must have at least 8 characters');
  return new Promise((resolve, reject) => scrypt(passphrase.normalize('NFKC'), salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));
}

export const linkMessage = (orgId: Hex, patientId: string) => `carechain:link-patient:v1:${orgId}:${patientId}`;

export interface PatientIdentity {
  address: Address;
  custodial: boolean;
}

export class PatientIdentities {
  constructor(private readonly storage: Storage) {}

  async identityOf(patientId: string, sql: Sql = this.storage): Promise<PatientIdentity | undefined> {
    const row = await sql.get<{ address: Address; custody_key: Buffer | null }>('SELECT address, custody_key FROM patient_identities WHERE patient_id = ?', [patientId]);
    return row && { address: getAddress(row.address), custodial: row.custody_key !== null };
  }

  /** The local Patients linked to `address` (addresses are stored lowercase). */
  async patientsWithAddress(address: Address, sql: Sql = this.storage): Promise<string[]> {
    return (await sql.all<{ patient_id: string }>('SELECT patient_id FROM patient_identities WHERE address = ?', [address.toLowerCase()])).map((r) => r.patient_id);
  }

  /** Creates a key for the patient and keeps it sealed under their passphrase. */
  async createCustody(tx: Tx, patientId: string, passphrase: string): Promise<Address> {
    if (await this.identityOf(patientId, tx)) throw conflict(`Patient/${patientId} already has an identity`, 'duplicate');
    const key = generatePrivateKey();
    const salt = randomBytes(16);
    const sealed = seal(await passphraseKey(passphrase, salt), Buffer.from(key.slice(2), 'hex'), Buffer.from(`carechain:custody:${patientId}`));
    const address = privateKeyToAccount(key).address;
    await tx.run('INSERT INTO patient_identities (patient_id, address, custody_key, kdf_salt, linked_at) VALUES (?, ?, ?, ?, ?)', [patientId, address.toLowerCase(), sealed, salt, new Date().toISOString()]);
    return address;
  }

  /** Links an identity the patient holds: they sign linkMessage with it. */
  async link(tx: Tx, orgId: Hex, patientId: string, address: Address, signature: Hex): Promise<void> {
    const signer = await recoverMessageAddress({ message: linkMessage(orgId, patientId), signature }).catch(() => undefined);
    if (!signer || getAddress(signer) !== getAddress(address)) throw forbidden('the signature does not prove possession of this address');
    if (await this.identityOf(patientId, tx)) throw conflict(`Patient/${patientId} already has an identity`, 'duplicate');
    await tx.run('INSERT INTO patient_identities (patient_id, address, linked_at) VALUES (?, ?, ?)', [patientId, address.toLowerCase(), new Date().toISOString()]);
  }

  /** The patient's custodial key, unsealed with their passphrase (a `forbidden` error on a wrong one). */
  async custodyAccount(patientId: string, passphrase: string): Promise<PrivateKeyAccount> {
    const row = await this.storage.get<{ custody_key: Buffer | null; kdf_salt: Buffer | null }>('SELECT custody_key, kdf_salt FROM patient_identities WHERE patient_id = ?', [patientId]);
    if (!row?.custody_key || !row.kdf_salt) throw notFound(`a key held by this node for Patient/${patientId}`);
    try {
      const key = open(await passphraseKey(passphrase, row.kdf_salt), row.custody_key, Buffer.from(`carechain:custody:${patientId}`));
      return privateKeyToAccount(`0x${key.toString('hex')}`);
    } catch (err) {
      if (err instanceof DecryptionError) throw forbidden('wrong passphrase');
      throw err;
    }
  }
}
