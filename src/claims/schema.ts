/**
 * The tables the claims feature owns. `claims` holds each claim this node sent (as provider) or
 * received (as insurer): the parties, the patient's address (pseudonymous), the adjudication's
 * decision and score for the queue, and the documents sealed (`sealed.ts`). The state is the
 * ledger's (`ledger_claims`, indexed); it is not copied here. `claims_nonces` are the signed
 * requests' single-use nonces.
 */
import type { Migration } from '../storage/engine.ts';

export const claimsMigrations: Migration[] = [
  (tx) =>
    tx.exec(`
      CREATE TABLE claims (
        claim_id TEXT NOT NULL,
        role TEXT NOT NULL,
        provider TEXT NOT NULL,
        insurer TEXT NOT NULL,
        patient_address TEXT NOT NULL,
        decision TEXT,
        score REAL,
        review TEXT,
        kek_id TEXT NOT NULL,
        wrapped_key BLOB NOT NULL,
        sealed BLOB NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        PRIMARY KEY (claim_id, role)
      );
      CREATE INDEX claims_patient ON claims (patient_address);
      CREATE INDEX claims_review ON claims (role, review);
      CREATE TABLE claims_nonces (org_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_ms INTEGER NOT NULL, PRIMARY KEY (org_id, nonce));
    `),
  async (tx) => {
    if (tx.dialect === 'postgres') await tx.exec('ALTER TABLE claims ALTER COLUMN score TYPE DOUBLE PRECISION'); // see records/schema.ts
  },
];
