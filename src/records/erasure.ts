/**
 * GDPR art. 17 erasure by crypto-shredding: every wrapped data key of the patient's record versions
 * is destroyed, their ciphertext removed, their search entries dropped, and the patient's custody
 * key deleted. "The patient's resources" are those whose patient (the first compartment they are in)
 * is this patient; a resource of another patient that merely mentions them (a Group, a second
 * subject) is kept, and only its compartment link to the erased patient is dropped. The record log keeps its leaves (hashes and tokens only), so the anchored roots still
 * verify; the erasure itself is appended to the log as a leaf of its own.
 */
import { canonicalJson } from '../shared/canonical-json.ts';
import type { Tx } from '../storage/engine.ts';
import type { RecordStore } from './store.ts';

export interface ErasureResult {
  patientId: string;
  versions: number;
  resources: number;
  erasedAt: string;
  leafIndex: number;
}

export async function erasePatient(tx: Tx, store: RecordStore, patientId: string, requestedBy: string): Promise<ErasureResult> {
  const token = store.patientToken(patientId);
  const rows = await tx.all<{ blob_hash: string | null }>('SELECT blob_hash FROM record_versions WHERE patient_token = ? AND erased = 0', [token]);
  const erasedAt = new Date().toISOString();
  for (const r of rows) if (r.blob_hash) await tx.run('DELETE FROM record_blobs WHERE hash = ?', [r.blob_hash]);
  await tx.run('UPDATE record_versions SET erased = 1, custodian_key = NULL, patient_key = NULL, patient_epk = NULL, kek_id = NULL WHERE patient_token = ?', [token]);
  const resources = await tx.all<{ type: string; id: string; rid: number }>('SELECT type, id, rid FROM record_current WHERE patient_token = ?', [token]);
  for (const r of resources) await store.index.remove(tx, Number(r.rid));
  await tx.run('DELETE FROM record_compartment WHERE patient_token = ?', [token]);
  await tx.run('UPDATE record_current SET erased = 1 WHERE patient_token = ?', [token]);
  await tx.run('DELETE FROM patient_keys WHERE patient_id = ?', [patientId]);
  const leafIndex = await store.log.append(tx, Buffer.from(canonicalJson({ a: requestedBy, op: 'erase', p: token, ts: erasedAt, versions: rows.length })));
  await tx.run('INSERT INTO erasures (patient_token, erased_at, versions, requested_by, leaf_index) VALUES (?, ?, ?, ?, ?)', [token, erasedAt, rows.length, requestedBy, leafIndex]);
  return { patientId, versions: rows.length, resources: resources.length, erasedAt, leafIndex };
}
