/**
 * GDPR art. 17 erasure by crypto-shredding: every wrapped data key of the patient's record versions
 * is destroyed, their ciphertext removed, their search entries dropped, and the patient's custody
 * key deleted. The record log keeps its leaves (hashes and tokens only), so the anchored roots still
 * verify; the erasure itself is appended to the log as a leaf of its own.
 */
import type { Db } from '../db/database.ts';
import { canonicalJson } from '../shared/canonical-json.ts';
import type { RecordStore } from './store.ts';

export interface ErasureResult {
  patientId: string;
  versions: number;
  resources: number;
  erasedAt: string;
  leafIndex: number;
}

export function erasePatient(db: Db, store: RecordStore, patientId: string, requestedBy: string): ErasureResult {
  const token = store.patientToken(patientId);
  const rows = db.prepare('SELECT type, id, version, blob_hash FROM record_versions WHERE patient_token = ? AND erased = 0').all(token) as {
    type: string;
    id: string;
    version: number;
    blob_hash: string | null;
  }[];
  const erasedAt = new Date().toISOString();
  for (const r of rows) if (r.blob_hash) db.prepare('DELETE FROM record_blobs WHERE hash = ?').run(r.blob_hash);
  db.prepare(
    `UPDATE record_versions SET erased = 1, custodian_key = NULL, patient_key = NULL, patient_epk = NULL, kek_id = NULL WHERE patient_token = ?`,
  ).run(token);
  const resources = db.prepare('SELECT type, id FROM record_current WHERE patient_token = ?').all(token) as { type: string; id: string }[];
  for (const r of resources) db.prepare('DELETE FROM record_search WHERE type = ? AND id = ?').run(r.type, r.id);
  db.prepare('UPDATE record_current SET erased = 1 WHERE patient_token = ?').run(token);
  db.prepare('DELETE FROM patient_keys WHERE patient_id = ?').run(patientId);
  const leafIndex = store.log.append(Buffer.from(canonicalJson({ a: requestedBy, op: 'erase', p: token, ts: erasedAt, versions: rows.length })));
  db.prepare('INSERT INTO erasures (patient_token, erased_at, versions, requested_by, leaf_index) VALUES (?, ?, ?, ?, ?)').run(
    token, erasedAt, rows.length, requestedBy, leafIndex);
  return { patientId, versions: rows.length, resources: resources.length, erasedAt, leafIndex };
}
