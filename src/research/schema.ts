import type { Migration } from '../storage/engine.ts';

/** The tables the research feature owns (what the ledger keeps as hashes, kept here in full). */
export const researchMigrations: Migration[] = [
  (tx) =>
    tx.exec(`
      -- Studies registered by (or imported into) this node; the on-chain id is derived from the sponsor and the ResearchStudy id.
      CREATE TABLE research_studies (study_id TEXT PRIMARY KEY, research_study_id TEXT NOT NULL, sponsor TEXT NOT NULL, registered_at TEXT NOT NULL);
      -- Each protocol version's canonical document (its keccak256 is on chain), when it took effect, why.
      CREATE TABLE research_versions (
        study_id TEXT NOT NULL, version INTEGER NOT NULL, document TEXT NOT NULL, protocol_hash TEXT NOT NULL,
        effective_at TEXT NOT NULL, reason TEXT, reconsent INTEGER NOT NULL, PRIMARY KEY (study_id, version)
      );
      -- Site side: which local patient a subject tag is, and the consent relied on.
      CREATE TABLE research_subjects (
        study_id TEXT NOT NULL, patient_id TEXT NOT NULL, subject_tag TEXT NOT NULL, grant_id TEXT NOT NULL,
        version INTEGER NOT NULL, enrolled_at TEXT NOT NULL, consented_at TEXT NOT NULL, PRIMARY KEY (study_id, patient_id)
      );
      CREATE INDEX research_subjects_patient ON research_subjects (patient_id);
      -- Captured data entries (Merkle leaves); batch NULL until sealed and anchored.
      CREATE TABLE research_entries (
        study_id TEXT NOT NULL, seq INTEGER NOT NULL, subject_tag TEXT NOT NULL, type TEXT NOT NULL, id TEXT NOT NULL,
        version_id TEXT NOT NULL, content_hash TEXT NOT NULL, captured_at TEXT NOT NULL, clinical_time TEXT, batch INTEGER,
        PRIMARY KEY (study_id, seq)
      );
      CREATE TABLE research_batches (study_id TEXT NOT NULL, batch INTEGER NOT NULL, sealed_at TEXT NOT NULL, root TEXT NOT NULL, block INTEGER NOT NULL, PRIMARY KEY (study_id, batch));
    `),
];
