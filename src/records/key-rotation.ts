/**
 * Key-encryption-key rotation: every data key (and every patient custody key) wrapped under an old
 * KEK is unwrapped and wrapped again under the current one. The ciphertext of the records is not
 * touched: rotation costs two AES-GCM operations on 32 bytes per version.
 */
import { open, seal } from '../crypto/envelope.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import type { WriteQueue } from '../storage/write-queue.ts';

export interface RotationResult {
  kekId: string;
  dataKeys: number;
  patientKeys: number;
}

const CHUNK = 2000;

export async function rewrapAll(queue: WriteQueue, keys: OrgKeys, onProgress?: (n: number) => void): Promise<RotationResult> {
  const current = keys.currentKek;
  const kekOf = (id: string) => {
    const k = keys.keks.get(id);
    if (!k) throw new Error(`key-encryption key ${id} is not in the key file: cannot re-wrap`);
    return k.key;
  };
  let dataKeys = 0;
  for (;;) {
    const n = await queue.run(async (tx) => {
      const rows = await tx.all<{ type: string; id: string; version: number; blob_hash: string; kek_id: string; custodian_key: Buffer }>(
        'SELECT type, id, version, blob_hash, kek_id, custodian_key FROM record_versions WHERE kek_id IS NOT NULL AND kek_id != ? LIMIT ?',
        [current.id, CHUNK],
      );
      for (const r of rows) {
        const ad = Buffer.from(`carechain:dek:${r.blob_hash}`);
        await tx.run('UPDATE record_versions SET kek_id = ?, custodian_key = ? WHERE type = ? AND id = ? AND version = ?', [
          current.id,
          seal(current.key, open(kekOf(r.kek_id), r.custodian_key, ad, 'wrapped data key'), ad),
          r.type,
          r.id,
          r.version,
        ]);
      }
      return rows.length;
    });
    dataKeys += n;
    onProgress?.(dataKeys);
    if (n < CHUNK) break;
  }
  const patientKeys = await queue.run(async (tx) => {
    const rows = await tx.all<{ patient_id: string; kek_id: string; private_key_wrapped: Buffer }>('SELECT patient_id, kek_id, private_key_wrapped FROM patient_keys WHERE kek_id != ?', [current.id]);
    for (const r of rows) {
      const ad = Buffer.from(`carechain:patient-key:${r.patient_id}`);
      await tx.run('UPDATE patient_keys SET kek_id = ?, private_key_wrapped = ? WHERE patient_id = ?', [current.id, seal(current.key, open(kekOf(r.kek_id), r.private_key_wrapped, ad, 'patient custody key'), ad), r.patient_id]);
    }
    return rows.length;
  });
  return { kekId: current.id, dataKeys, patientKeys };
}
