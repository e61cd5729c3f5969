/**
 * The tables the supply feature owns (nothing else reads or writes them), in portable SQL for the
 * storage seam: positional parameters, `ON CONFLICT`, no engine-specific functions or types (BLOB is
 * bytea, INTEGER is bigint on PostgreSQL).
 */
import type { Migration } from '../storage/engine.ts';

export const supplyMigrations: Migration[] = [
  (tx) =>
    tx.exec(`
      -- Lots this node knows: its own (commissioned here) and those disclosed by trading partners.
      CREATE TABLE supply_lots (
        lot_no INTEGER PRIMARY KEY,
        lot_id TEXT NOT NULL UNIQUE,
        gtin TEXT NOT NULL,
        lot TEXT NOT NULL,
        expiry TEXT NOT NULL,
        manufacturer TEXT NOT NULL,
        product TEXT,
        own INTEGER NOT NULL,
        created_ms INTEGER NOT NULL
      );
      CREATE INDEX supply_lots_gtin ON supply_lots (gtin, lot);
      -- The leaf hashes of this node's own commissioning batches, to prove any unit from.
      CREATE TABLE supply_batches (
        lot_no INTEGER NOT NULL,
        batch INTEGER NOT NULL,
        count INTEGER NOT NULL,
        root TEXT NOT NULL,
        leaf_hashes BLOB NOT NULL,
        tx_hash TEXT,
        PRIMARY KEY (lot_no, batch)
      );
      -- Units this node knows, by their GS1 key (01<GTIN>21<serial> or 00<SSCC>). The commissioning
      -- leaf (batch, index, parent) and, for units received, the commitment and inclusion proof.
      CREATE TABLE supply_units (
        id TEXT PRIMARY KEY,
        unit_key BLOB NOT NULL,
        lot_no INTEGER,
        creator TEXT,
        batch INTEGER,
        leaf_index INTEGER,
        parent_key BLOB,
        commitment BLOB,
        proof BLOB,
        source TEXT NOT NULL
      );
      CREATE UNIQUE INDEX supply_units_key ON supply_units (unit_key);
      CREATE INDEX supply_units_parent ON supply_units (parent_key);

      -- EPCIS events, each sealed under its own data key (AES-256-GCM, wrapped by the organization's
      -- key-encryption key) and a leaf of the supply log; the query columns hold no identifiers in the
      -- clear (identifiers are keyed tokens in supply_event_ids).
      CREATE TABLE supply_events (
        idx INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        hash_id TEXT NOT NULL,
        type TEXT NOT NULL,
        action TEXT,
        biz_step TEXT,
        disposition TEXT,
        event_time_ms INTEGER NOT NULL,
        record_time_ms INTEGER NOT NULL,
        error_declared INTEGER NOT NULL,
        error_reason TEXT,
        corrected_by TEXT,
        source TEXT NOT NULL,
        capture_id TEXT NOT NULL,
        blob BLOB NOT NULL,
        blob_hash TEXT NOT NULL,
        kek_id TEXT NOT NULL,
        dek BLOB NOT NULL
      );
      CREATE INDEX supply_events_event_id ON supply_events (event_id);
      CREATE INDEX supply_events_hash ON supply_events (hash_id);
      CREATE INDEX supply_events_time ON supply_events (event_time_ms);
      CREATE INDEX supply_events_record_time ON supply_events (record_time_ms);
      CREATE TABLE supply_event_ids (
        token TEXT NOT NULL,
        role TEXT NOT NULL,
        event_idx INTEGER NOT NULL,
        PRIMARY KEY (token, role, event_idx)
      );
      -- EPCIS capture jobs (GET /epcis/capture/{captureID}).
      CREATE TABLE supply_captures (
        capture_id TEXT PRIMARY KEY,
        created_ms INTEGER NOT NULL,
        finished_ms INTEGER,
        success INTEGER,
        events INTEGER NOT NULL,
        errors TEXT,
        source TEXT NOT NULL
      );

      -- Shipments as this node saw them, out (it sent) and in (it receives).
      CREATE TABLE supply_shipments (
        shipment_id TEXT PRIMARY KEY,
        direction TEXT NOT NULL,
        partner TEXT NOT NULL,
        purpose TEXT NOT NULL,
        state TEXT NOT NULL,
        manifest TEXT NOT NULL,
        data_ms INTEGER,
        shipped_ms INTEGER,
        received_ms INTEGER,
        tx_hash TEXT,
        receipt_tx TEXT,
        updated_ms INTEGER NOT NULL
      );
      CREATE INDEX supply_shipments_state ON supply_shipments (direction, state);

      -- Exceptions and suspect-product investigations: first-class workflow objects.
      CREATE TABLE supply_exceptions (
        exception_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        subject TEXT NOT NULL,
        shipment_id TEXT,
        detail TEXT NOT NULL,
        raised_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        determined_ms INTEGER,
        resolution TEXT,
        history TEXT NOT NULL
      );
      CREATE INDEX supply_exceptions_state ON supply_exceptions (state, kind);
      CREATE INDEX supply_exceptions_subject ON supply_exceptions (subject);
      -- Notifications an illegitimate product obliges this node to send (FDA, trading partners).
      CREATE TABLE supply_notifications (
        exception_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        role TEXT NOT NULL,
        status TEXT NOT NULL,
        sent_ms INTEGER,
        error TEXT,
        PRIMARY KEY (exception_id, recipient)
      );
      -- Notices received from trading partners and regulators.
      CREATE TABLE supply_notices (
        notice_id TEXT PRIMARY KEY,
        from_org TEXT NOT NULL,
        kind TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      -- Requests for records, answered (in) or asked (out), with the one-business-day clock.
      CREATE TABLE supply_records_requests (
        request_id TEXT PRIMARY KEY,
        direction TEXT NOT NULL,
        partner TEXT NOT NULL,
        product TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        due_ms INTEGER NOT NULL,
        answered_ms INTEGER,
        answer TEXT
      );
      -- Nonces of signed requests from other organizations (refuses replays).
      CREATE TABLE supply_nonces (org_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_ms INTEGER NOT NULL, PRIMARY KEY (org_id, nonce));
    `),
];
