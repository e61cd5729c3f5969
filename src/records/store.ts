/**
 * The custodian's record store: every FHIR resource version encrypted under its own data key,
 * stored by ciphertext hash, its key wrapped for the organization and the patient, and a leaf for it
 * appended to the organization's record log (RFC 6962), whose roots are anchored on the ledger.
 *
 * All write methods are synchronous and must run inside a database transaction (the WriteQueue);
 * reads check integrity (ciphertext hash, log leaf, GCM tag) and fail loudly on tampering.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { open, seal, newDataKey, unwrapKeyFor, wrapperFor, generateX25519, DecryptionError, type RecipientWrapper } from '../crypto/envelope.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import { fhirError, gone, invalid, notFound } from '../fhir/outcome.ts';
import { ID_PATTERN, type Resource } from '../fhir/types.ts';
import { leafHash } from '../merkle/rfc6962.ts';
import type { PersistentLog } from '../merkle/persistent-log.ts';
import { canonicalJson } from '../shared/canonical-json.ts';
import { codesOf, dateOf, isSupportedType, patientIdOf, type SupportedType } from './search-params.ts';

export interface VersionRow {
  type: string;
  id: string;
  version: number;
  op: 'create' | 'update' | 'delete';
  patient_token: string | null;
  blob_hash: string | null;
  kek_id: string | null;
  custodian_key: Buffer | null;
  patient_epk: Buffer | null;
  patient_key: Buffer | null;
  author: string;
  last_updated: string;
  erased: number;
  leaf_index: number;
}

export interface WriteResult {
  resource: Resource | null;
  type: string;
  id: string;
  version: number;
  lastUpdated: string;
  created: boolean;
  leafIndex: number;
}

/** Raised when stored data fails an integrity check; the message says exactly what. */
export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

/** The record-log leaf of a version: no PHI, only tokens, hashes and metadata. */
export function versionLeaf(v: Pick<VersionRow, 'patient_token' | 'type' | 'id' | 'version' | 'blob_hash' | 'author' | 'last_updated' | 'op'>): Buffer {
  return Buffer.from(
    canonicalJson({ a: v.author, h: v.blob_hash, i: v.id, op: v.op, p: v.patient_token, t: v.type, ts: v.last_updated, v: v.version }),
  );
}

const aad = (type: string, id: string, version: number) => Buffer.from(`carechain:record:${type}/${id}/${version}`);

export class RecordStore {
  private readonly tokenKey: Buffer;
  private readonly wrappers = new Map<string, RecipientWrapper>();
  private readonly stmt;

  constructor(
    db: Db,
    private keys: OrgKeys,
    readonly log: PersistentLog,
  ) {
    this.tokenKey = Buffer.from(createHmac('sha256', keys.indexSecret).update('carechain/index-token/v1').digest());
    this.stmt = {
      current: db.prepare('SELECT version, deleted, erased FROM record_current WHERE type = ? AND id = ?'),
      version: db.prepare('SELECT * FROM record_versions WHERE type = ? AND id = ? AND version = ?'),
      blob: db.prepare('SELECT data FROM record_blobs WHERE hash = ?'),
      insertBlob: db.prepare('INSERT OR IGNORE INTO record_blobs (hash, data) VALUES (?, ?)'),
      insertVersion: db.prepare(
        `INSERT INTO record_versions (type, id, version, op, patient_token, blob_hash, kek_id, custodian_key, patient_epk, patient_key, author, last_updated, leaf_index)
         VALUES (@type, @id, @version, @op, @patient_token, @blob_hash, @kek_id, @custodian_key, @patient_epk, @patient_key, @author, @last_updated, @leaf_index)`,
      ),
      upsertCurrent: db.prepare(
        `INSERT INTO record_current (type, id, version, deleted, patient_token, last_updated_ms) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (type, id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted, patient_token = excluded.patient_token, last_updated_ms = excluded.last_updated_ms`,
      ),
      deleteSearch: db.prepare('DELETE FROM record_search WHERE type = ? AND id = ?'),
      insertSearch: db.prepare('INSERT INTO record_search (type, id, param, token, low, high) VALUES (?, ?, ?, ?, ?, ?)'),
      patientKey: db.prepare('SELECT public_key FROM patient_keys WHERE patient_id = ?'),
      insertPatientKey: db.prepare('INSERT INTO patient_keys (patient_id, public_key, kek_id, private_key_wrapped) VALUES (?, ?, ?, ?)'),
      history: db.prepare('SELECT * FROM record_versions WHERE type = ? AND id = ? ORDER BY version DESC'),
    };
  }

  /** Keyed token of a search value or patient id: equality search without plaintext. */
  token(kind: string, value: string): string {
    return createHmac('sha256', this.tokenKey).update(`${kind}\u0000${value}`).digest('base64url');
  }

  patientToken(patientId: string): string {
    return this.token('patient', patientId);
  }

  // --- writes (inside a transaction) --------------------------------------------------------------

  create(resource: Resource, author: string, id: string = randomUUID()): WriteResult {
    this.checkType(resource.resourceType);
    if (this.stmt.current.get(resource.resourceType, id)) throw fhirError(409, 'duplicate', `${resource.resourceType}/${id} already exists`);
    return this.writeVersion(resource, author, id, 1, 'create');
  }

  /** Update (or create with a client-chosen id). `ifMatch` is the expected current version. */
  update(type: string, id: string, resource: Resource, author: string, ifMatch?: number): WriteResult {
    this.checkType(type);
    if (resource.resourceType !== type) throw invalid(`resourceType ${resource.resourceType} does not match the URL (${type})`, ['resourceType']);
    if (resource.id !== id) throw invalid(`resource id ${resource.id ?? '(none)'} does not match the URL (${id})`, [`${type}.id`]);
    const cur = this.stmt.current.get(type, id) as { version: number; deleted: number; erased: number } | undefined;
    if (cur?.erased) throw gone(`${type}/${id} (erased)`);
    if (ifMatch !== undefined && ifMatch !== (cur?.version ?? 0)) {
      throw fhirError(412, 'conflict', `version conflict: If-Match ${ifMatch} but ${type}/${id} is at version ${cur?.version ?? 'none'}`);
    }
    return this.writeVersion(resource, author, id, (cur?.version ?? 0) + 1, cur ? 'update' : 'create');
  }

  delete(type: string, id: string, author: string): WriteResult | null {
    this.checkType(type);
    const cur = this.stmt.current.get(type, id) as { version: number; deleted: number; erased: number } | undefined;
    if (!cur || cur.deleted || cur.erased) return null; // idempotent
    const prev = this.stmt.version.get(type, id, cur.version) as VersionRow;
    const version = cur.version + 1;
    const lastUpdated = new Date().toISOString();
    const row = { type, id, version, op: 'delete' as const, patient_token: prev.patient_token, blob_hash: null, author, last_updated: lastUpdated };
    const leaf_index = this.log.append(versionLeaf(row));
    this.stmt.insertVersion.run({ ...row, kek_id: null, custodian_key: null, patient_epk: null, patient_key: null, leaf_index });
    this.stmt.upsertCurrent.run(type, id, version, 1, prev.patient_token, Date.parse(lastUpdated));
    this.stmt.deleteSearch.run(type, id);
    return { resource: null, type, id, version, lastUpdated, created: false, leafIndex: leaf_index };
  }

  private writeVersion(input: Resource, author: string, id: string, version: number, op: 'create' | 'update'): WriteResult {
    if (!ID_PATTERN.test(id)) throw invalid(`invalid id "${id}"`, [`${input.resourceType}.id`]);
    const type = input.resourceType as SupportedType;
    const lastUpdated = new Date().toISOString();
    // Server-owned metadata replaces whatever the client sent (no mass assignment of id/meta).
    const resource: Resource = { ...input, id, meta: { ...(input.meta ?? {}), versionId: String(version), lastUpdated } };
    const patientId = patientIdOf(resource);
    const patientToken = patientId ? this.patientToken(patientId) : null;

    const dek = newDataKey();
    const blob = seal(dek, Buffer.from(canonicalJson(resource)), aad(type, id, version));
    const blobHash = createHash('sha256').update(blob).digest('hex');
    const custodianKey = seal(this.keys.currentKek.key, dek, Buffer.from(`carechain:dek:${blobHash}`));
    if (type === 'Patient') this.ensurePatientKey(id);
    const wrapper = patientId ? this.patientWrapper(patientId) : undefined;
    const patientKey = wrapper ? seal(wrapper.key, dek, Buffer.from(`carechain:dek:${blobHash}`)) : null;

    const row = { type, id, version, op, patient_token: patientToken, blob_hash: blobHash, author, last_updated: lastUpdated };
    const leaf_index = this.log.append(versionLeaf(row));
    this.stmt.insertBlob.run(blobHash, blob);
    this.stmt.insertVersion.run({
      ...row,
      kek_id: this.keys.currentKek.id,
      custodian_key: custodianKey,
      patient_epk: wrapper?.epk ?? null,
      patient_key: patientKey,
      leaf_index,
    });
    this.stmt.upsertCurrent.run(type, id, version, 0, patientToken, Date.parse(lastUpdated));
    this.stmt.deleteSearch.run(type, id);
    for (const code of codesOf(resource)) this.stmt.insertSearch.run(type, id, 'code', this.token('code', code), null, null);
    const date = dateOf(resource);
    if (date) this.stmt.insertSearch.run(type, id, 'date', null, date[0], date[1]);
    return { resource, type, id, version, lastUpdated, created: version === 1 || op === 'create', leafIndex: leaf_index };
  }

  private ensurePatientKey(patientId: string): void {
    if (this.stmt.patientKey.get(patientId)) return;
    const pair = generateX25519();
    const wrapped = seal(this.keys.currentKek.key, pair.privateKey, Buffer.from(`carechain:patient-key:${patientId}`));
    this.stmt.insertPatientKey.run(patientId, pair.publicKey, this.keys.currentKek.id, wrapped);
  }

  /**
   * Wrapping key for a patient's data keys; undefined if this node holds no key for that patient.
   * Cached by the patient's public key, not their id: a key created in a transaction that rolled
   * back must never be wrapped to.
   */
  private patientWrapper(patientId: string): RecipientWrapper | undefined {
    const row = this.stmt.patientKey.get(patientId) as { public_key: Buffer } | undefined;
    if (!row) return undefined;
    const cacheKey = row.public_key.toString('hex');
    let w = this.wrappers.get(cacheKey);
    if (!w) {
      w = wrapperFor(row.public_key);
      this.wrappers.set(cacheKey, w);
    }
    return w;
  }

  // --- reads --------------------------------------------------------------------------------------

  currentVersion(type: string, id: string): { version: number; deleted: boolean; erased: boolean } | undefined {
    const cur = this.stmt.current.get(type, id) as { version: number; deleted: number; erased: number } | undefined;
    return cur && { version: cur.version, deleted: cur.deleted === 1, erased: cur.erased === 1 };
  }

  read(type: string, id: string): Resource {
    this.checkType(type);
    const cur = this.currentVersion(type, id);
    if (!cur) throw notFound(`${type}/${id}`);
    if (cur.erased) throw gone(`${type}/${id} (erased at the patient's request)`);
    if (cur.deleted) throw gone(`${type}/${id}`);
    return this.vread(type, id, cur.version);
  }

  vread(type: string, id: string, version: number): Resource {
    this.checkType(type);
    const row = this.stmt.version.get(type, id, version) as VersionRow | undefined;
    if (!row) throw notFound(`${type}/${id}/_history/${version}`);
    if (row.erased) throw gone(`${type}/${id}/_history/${version} (erased at the patient's request)`);
    if (row.op === 'delete') throw gone(`${type}/${id}/_history/${version}`);
    return this.decrypt(row);
  }

  /** Decrypts a version after checking its ciphertext hash and its record-log leaf. */
  decrypt(row: VersionRow): Resource {
    const where = `${row.type}/${row.id}/_history/${row.version}`;
    this.checkLeaf(row);
    const blob = (this.stmt.blob.get(row.blob_hash) as { data: Buffer } | undefined)?.data;
    if (!blob) throw new IntegrityError(`${where}: ciphertext ${row.blob_hash} is missing`);
    if (createHash('sha256').update(blob).digest('hex') !== row.blob_hash) throw new IntegrityError(`${where}: ciphertext does not match its hash ${row.blob_hash}`);
    const kek = this.keys.keks.get(row.kek_id ?? '');
    if (!kek) throw new IntegrityError(`${where}: key-encryption key ${row.kek_id} is not available`);
    try {
      const dek = open(kek.key, row.custodian_key!, Buffer.from(`carechain:dek:${row.blob_hash}`), `${where}: wrapped data key`);
      return JSON.parse(open(dek, blob, aad(row.type, row.id, row.version), `${where}: ciphertext`).toString('utf8')) as Resource;
    } catch (err) {
      if (err instanceof DecryptionError) throw new IntegrityError(err.message);
      throw err;
    }
  }

  /** The patient's side: recover a version with the patient's own key pair (proves the patient wrap). */
  decryptAsPatient(row: VersionRow, patient: { publicKey: Buffer; privateKey: Buffer }): Resource {
    const wrapKey = unwrapKeyFor(patient, row.patient_epk!);
    const dek = open(wrapKey, row.patient_key!, Buffer.from(`carechain:dek:${row.blob_hash}`), 'patient-wrapped data key');
    const blob = (this.stmt.blob.get(row.blob_hash) as { data: Buffer }).data;
    return JSON.parse(open(dek, blob, aad(row.type, row.id, row.version)).toString('utf8')) as Resource;
  }

  /** The version's leaf, recomputed from its row, must be the leaf at its index in the log. */
  checkLeaf(row: VersionRow): void {
    const where = `${row.type}/${row.id}/_history/${row.version}`;
    const expected = leafHash(versionLeaf(row));
    if (row.leaf_index >= this.log.tree.size || !this.log.tree.leafHashAt(row.leaf_index).equals(expected)) {
      throw new IntegrityError(`${where}: version metadata does not match record-log entry ${row.leaf_index}`);
    }
    // The stored entry too: a rewritten log row is caught on read, not only at the next restart.
    const stored = this.log.leaf(row.leaf_index);
    if (!stored || !leafHash(stored).equals(expected)) {
      throw new IntegrityError(`${where}: record-log entry ${row.leaf_index} was changed in the database`);
    }
  }

  versionRow(type: string, id: string, version: number): VersionRow | undefined {
    return this.stmt.version.get(type, id, version) as VersionRow | undefined;
  }

  history(type: string, id: string): VersionRow[] {
    this.checkType(type);
    const rows = this.stmt.history.all(type, id) as VersionRow[];
    if (rows.length === 0) throw notFound(`${type}/${id}`);
    return rows;
  }

  private checkType(type: string): asserts type is SupportedType {
    if (!isSupportedType(type)) throw fhirError(404, 'not-supported', `resource type ${type} is not supported by this server`);
  }

  /** Replaces the keys (after KEK rotation) for later writes and reads. */
  setKeys(keys: OrgKeys): void {
    this.keys = keys;
  }
}
