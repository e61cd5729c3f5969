import type { Migration } from '../storage/engine.ts';

/** The tables the consent feature owns. */
export const consentMigrations: Migration[] = [
  (tx) =>
    tx.exec(`
      -- Scope documents of grants this node has seen (their commitment is on chain).
      CREATE TABLE consent_scopes (scope_hash TEXT PRIMARY KEY, document TEXT NOT NULL);
    `),
  // Scope commitments are salted per grant (unlinkable, not enumerable): what opens them is kept per grant.
  (tx) =>
    tx.exec(`
      DROP TABLE consent_scopes;
      -- Custodian side: what the patient disclosed about grants relayed here (opens the commitments).
      CREATE TABLE consent_grant_details (
        grant_id TEXT PRIMARY KEY,
        patient TEXT NOT NULL,
        salt TEXT NOT NULL,
        grantee_org TEXT NOT NULL,
        grantee_practitioner TEXT,
        scope TEXT NOT NULL
      );
      -- Grantee side: grants to this organization, as the custodian's signed notice told them.
      CREATE TABLE consent_notices (
        grant_id TEXT PRIMARY KEY,
        custodian TEXT NOT NULL,
        patient TEXT NOT NULL,
        salt TEXT NOT NULL,
        grantee_practitioner TEXT,
        scope TEXT NOT NULL,
        patient_here TEXT,
        received_at TEXT NOT NULL
      );
      CREATE INDEX consent_notices_patient_here ON consent_notices (patient_here);
      CREATE INDEX consent_notices_patient ON consent_notices (patient);
    `),
];
