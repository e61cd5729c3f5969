import { leafTableMigration } from '../merkle/persistent-log.ts';
import type { Migration } from '../storage/engine.ts';

/** The tables the record store owns. */
export const recordMigrations: Migration[] = [
  (tx) =>
    tx.exec(`
      -- Ciphertext (iv ‖ AES-256-GCM ciphertext ‖ tag) by its SHA-256.
      CREATE TABLE record_blobs (hash TEXT PRIMARY KEY, data BLOB NOT NULL);
      -- One row per resource version. No plaintext: the patient link is an HMAC token, the data key
      -- is wrapped for the custodian (kek_id) and for the patient (patient_epk).
      CREATE TABLE record_versions (
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
        patient_token TEXT,
        blob_hash TEXT,
        kek_id TEXT,
        custodian_key BLOB,
        patient_epk BLOB,
        patient_key BLOB,
        author TEXT NOT NULL,
        last_updated TEXT NOT NULL,
        erased INTEGER NOT NULL DEFAULT 0,
        leaf_index INTEGER NOT NULL UNIQUE,
        PRIMARY KEY (type, id, version)
      );
      CREATE INDEX record_versions_patient ON record_versions (patient_token);
      CREATE INDEX record_versions_kek ON record_versions (kek_id);
      CREATE TABLE record_current (
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        erased INTEGER NOT NULL DEFAULT 0,
        patient_token TEXT,
        last_updated_ms INTEGER NOT NULL,
        PRIMARY KEY (type, id)
      );
      CREATE INDEX record_current_patient ON record_current (patient_token);
      CREATE INDEX record_current_updated ON record_current (type, last_updated_ms);
      -- Search index: keyed tokens for codes, epoch-ms ranges for dates (see fhir/search-params.ts).
      CREATE TABLE record_search (
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        param TEXT NOT NULL,
        token TEXT,
        low INTEGER,
        high INTEGER
      );
      CREATE INDEX record_search_token ON record_search (type, param, token);
      CREATE INDEX record_search_date ON record_search (type, param, low);
      CREATE INDEX record_search_resource ON record_search (type, id);
      -- Patients' X25519 keys; the private key is held in custody, wrapped under the organization's KEK.
      CREATE TABLE patient_keys (
        patient_id TEXT PRIMARY KEY,
        public_key BLOB NOT NULL,
        kek_id TEXT NOT NULL,
        private_key_wrapped BLOB NOT NULL
      );
      CREATE TABLE erasures (
        patient_token TEXT NOT NULL,
        erased_at TEXT NOT NULL,
        versions INTEGER NOT NULL,
        requested_by TEXT NOT NULL,
        leaf_index INTEGER NOT NULL
      );
    `),
  leafTableMigration('records'),
  // Every R4 type, the spec's search parameters (docs/search-privacy.md says what each table holds).
  // Rows are keyed by `rid`, an integer the store gives each resource once; existing resources get
  // theirs, and their index, when the store opens (RecordStore.reindexMissing).
  (tx) =>
    tx.exec(`
      DROP TABLE record_search;
      ALTER TABLE record_current ADD COLUMN rid INTEGER;
      CREATE UNIQUE INDEX record_current_rid ON record_current (rid);
      -- Every Patient compartment a resource is in (R4 CompartmentDefinition), by patient token.
      CREATE TABLE record_compartment (patient_token TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (patient_token, rid));
      CREATE INDEX record_compartment_rid ON record_compartment (rid);
      -- Equality: 128-bit HMAC tokens of (Type.param, form, value); see records/index/forms.ts.
      CREATE TABLE search_token (token BLOB NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (token, rid))${tx.dialect === 'sqlite' ? ' WITHOUT ROWID' : ''};
      CREATE INDEX search_token_rid ON search_token (rid);
      -- Dates, numbers, quantities: [lo, hi) (lo = hi: a point); tag = blinded unit or composite key.
      CREATE TABLE search_range (rid INTEGER NOT NULL, param TEXT NOT NULL, lo REAL NOT NULL, hi REAL NOT NULL, tag BLOB);
      CREATE INDEX search_range_rid ON search_range (rid, param);
      CREATE INDEX search_range_lo ON search_range (param, lo);
      CREATE INDEX search_range_hi ON search_range (param, hi);
      -- Sort keys of name-like strings, AES-256-GCM under a key derived from the index secret.
      -- Type-level _history, newest first.
      CREATE INDEX record_versions_type_leaf ON record_versions (type, leaf_index);
      CREATE TABLE search_sort (rid INTEGER NOT NULL, param TEXT NOT NULL, sort_key BLOB NOT NULL, PRIMARY KEY (rid, param));
    `),
  // PostgreSQL databases made before REAL was translated to DOUBLE PRECISION (sql-text.ts) had 4-byte
  // range bounds: an instant lost its minutes and a large decimal overflowed. SQLite's REAL was always 8 bytes.
  async (tx) => {
    if (tx.dialect === 'postgres') await tx.exec('ALTER TABLE search_range ALTER COLUMN lo TYPE DOUBLE PRECISION, ALTER COLUMN hi TYPE DOUBLE PRECISION');
  },
];
