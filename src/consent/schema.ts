import type { Migration } from '../db/database.ts';

export const consentMigrations: Migration[] = [
  (db) =>
    db.exec(`
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
      -- Scope documents of grants this node has seen (their hash is on chain).
      CREATE TABLE consent_scopes (scope_hash TEXT PRIMARY KEY, document TEXT NOT NULL);
      -- Nonces of signed requests from other organizations, to refuse replays.
      CREATE TABLE exchange_nonces (org_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_ms INTEGER NOT NULL, PRIMARY KEY (org_id, nonce));
    `),
  (db) =>
    db.exec(`
      -- Break-glass accesses this custodian allowed, for the privacy officer's review.
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
