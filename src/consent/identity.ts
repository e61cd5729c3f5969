/**
 * Patient identities: a local Patient linked to the patient's on-chain address (the pseudonymous id
 * their consent is signed with). The patient either keeps the key (and proves possession by a
 * signature) or lets the node hold it in custody, sealed under a key derived from a passphrase
 * (scrypt); the node cannot sign for the patient without that passphrase.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { getAddress, recoverMessageAddress, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { DecryptionError, open, seal } from '../crypto/envelope.ts';
import type { Db } from '../db/database.ts';
import { fhirError } from '../fhir/outcome.ts';

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function passphraseKey(passphrase: string, salt: Buffer): Buffer {
  if (passphrase.length < 8) throw fhirError(400, 'invalid', 'the passphrase must have at least 8 characters');
  return scryptSync(passphrase.normalize('NFKC'), salt, 32, SCRYPT);
}

export const linkMessage = (orgId: Hex, patientId: string) => `carechain:link-patient:v1:${orgId}:${patientId}`;

export function identityOf(db: Db, patientId: string): { address: Address; custodial: boolean } | undefined {
  const row = db.prepare('SELECT address, custody_key FROM patient_identities WHERE patient_id = ?').get(patientId) as { address: Address; custody_key: Buffer | null } | undefined;
  return row && { address: row.address, custodial: row.custody_key !== null };
}

export function patientsWithAddress(db: Db, address: Address): string[] {
  return (db.prepare('SELECT patient_id FROM patient_identities WHERE lower(address) = lower(?)').all(address) as { patient_id: string }[]).map((r) => r.patient_id);
}

/** Creates a key for the patient and keeps it sealed under their passphrase. */
export function createCustodyIdentity(db: Db, patientId: string, passphrase: string): Address {
  if (identityOf(db, patientId)) throw fhirError(409, 'duplicate', `Patient/${patientId} already has an identity`);
  const key = generatePrivateKey();
  const salt = randomBytes(16);
  const sealed = seal(passphraseKey(passphrase, salt), Buffer.from(key.slice(2), 'hex'), Buffer.from(`carechain:custody:${patientId}`));
  const address = privateKeyToAccount(key).address;
  db.prepare('INSERT INTO patient_identities (patient_id, address, custody_key, kdf_salt, linked_at) VALUES (?, ?, ?, ?, ?)').run(patientId, address, sealed, salt, new Date().toISOString());
  return address;
}

/** Links an identity the patient holds: they sign linkMessage with it. */
export async function linkIdentity(db: Db, orgId: Hex, patientId: string, address: Address, signature: Hex): Promise<void> {
  const signer = await recoverMessageAddress({ message: linkMessage(orgId, patientId), signature }).catch(() => undefined);
  if (!signer || getAddress(signer) !== getAddress(address)) throw fhirError(403, 'forbidden', 'the signature does not prove possession of this address');
  if (identityOf(db, patientId)) throw fhirError(409, 'duplicate', `Patient/${patientId} already has an identity`);
  db.prepare('INSERT INTO patient_identities (patient_id, address, linked_at) VALUES (?, ?, ?)').run(patientId, getAddress(address), new Date().toISOString());
}

/** The patient's custodial key, unsealed with their passphrase (403 on a wrong passphrase). */
export function custodyAccount(db: Db, patientId: string, passphrase: string): PrivateKeyAccount {
  const row = db.prepare('SELECT custody_key, kdf_salt FROM patient_identities WHERE patient_id = ?').get(patientId) as { custody_key: Buffer | null; kdf_salt: Buffer | null } | undefined;
  if (!row?.custody_key || !row.kdf_salt) throw fhirError(404, 'not-found', `the node holds no key for Patient/${patientId}`);
  try {
    const key = open(passphraseKey(passphrase, row.kdf_salt), row.custody_key, Buffer.from(`carechain:custody:${patientId}`));
    return privateKeyToAccount(`0x${key.toString('hex')}`);
  } catch (err) {
    if (err instanceof DecryptionError) throw fhirError(403, 'forbidden', 'wrong passphrase');
    throw err;
  }
}
