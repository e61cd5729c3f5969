/**
 * Claims at rest: each stored claim document (the Claim, its adjudication, responses, the EOB) is
 * sealed with its own AES-256-GCM data key, wrapped by the organization's current KEK, like a record
 * version (src/crypto/envelope.ts). The row's id is the additional data, so a sealed document moved to
 * another row does not open.
 */
import type { OrgKeys } from '../crypto/org-keys.ts';
import { newDataKey, open, seal } from '../crypto/envelope.ts';
import { DomainError } from '../shared/errors.ts';

export interface SealedRow {
  kek_id: string;
  wrapped_key: Buffer;
  sealed: Buffer;
}

const aad = (id: string) => Buffer.from(`carechain:claim:${id}`);

export function sealJson(keys: OrgKeys, id: string, value: unknown): SealedRow {
  const dek = newDataKey();
  return { kek_id: keys.currentKek.id, wrapped_key: seal(keys.currentKek.key, dek, aad(id)), sealed: seal(dek, Buffer.from(JSON.stringify(value)), aad(id)) };
}

export function openJson<T>(keys: OrgKeys, id: string, row: SealedRow): T {
  const kek = keys.keks.get(row.kek_id);
  if (!kek) throw new DomainError('unavailable', `claim ${id} is sealed with key ${row.kek_id}, which this node no longer holds`);
  const dek = open(kek.key, Buffer.from(row.wrapped_key), aad(id), 'claim data key');
  return JSON.parse(open(dek, Buffer.from(row.sealed), aad(id), 'claim').toString('utf8')) as T;
}
