/**
 * Key-encryption-key rotation: every data key (and every patient custody key) wrapped under an old
 * KEK is unwrapped and wrapped again under the current one. The ciphertext of the records is not
 * touched: rotation costs two AES-GCM operations on 32 bytes per version.
 */
import { open, seal } from '../crypto/envelope.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import type { Db } from '../db/database.ts';
import type { WriteQueue } from '../db/write-queue.ts';

export interface RotationResult {
  kekId: string;
  dataKeys: number;
  patientKeys: number;
}

const CHUNK = 2000;

export async function rewrapAll(db: Db, queue: WriteQueue, keys: OrgKeys, onProgress?: (n: number) => void): Promise<RotationResult> {
  const current = keys.currentKek;
  const kekOf = (id: string) => {
    const k = keys.keks.get(id);
    if (!k) throw new Error(`key-encryption key ${id} is not in the key file: cannot re-wrap`);
    return k.key;
  };
  let dataKeys = 0;
  for (;;) {
    const n = await queue.run(() => {
      const rows = db
        .prepare('SELECT rowid, blob_hash, kek_id, custodian_key FROM record_versions WHERE kek_id IS NOT NULL AND kek_id != ? LIMIT ?')
        .all(current.id, CHUNK) as { rowid: number; blob_hash: string; kek_id: string; custodian_key: Buffer }[];
      const update = db.prepare('UPDATE record_versions SET kek_id = ?, custodian_key = ? WHERE rowid = ?');
      for (const r of rows) {
        const ad = Buffer.from(`carechain:dek:${r.blob_hash}`);
        update.run(current.id, seal(current.key, open(kekOf(r.kek_id), r.custodian_key, ad, 'wrapped data key'), ad), r.rowid);
      }
      return rows.length;
    });
    dataKeys += n;
    onProgress?.(dataKeys);
    if (n < CHUNK) break;
  }
  const patientKeys = await queue.run(() => {
    const rows = db.prepare('SELECT patient_id, kek_id, private_key_wrapped FROM patient_keys WHERE kek_id != ?').all(current.id) as {
      patient_id: string;
      kek_id: string;
      private_key_wrapped: Buffer;
    }[];
    const update = db.prepare('UPDATE patient_keys SET kek_id = ?, private_key_wrapped = ? WHERE patient_id = ?');
    for (const r of rows) {
      const ad = Buffer.from(`carechain:patient-key:${r.patient_id}`);
      update.run(current.id, seal(current.key, open(kekOf(r.kek_id), r.private_key_wrapped, ad, 'patient custody key'), ad), r.patient_id);
    }
    return rows.length;
  });
  return { kekId: current.id, dataKeys, patientKeys };
}
