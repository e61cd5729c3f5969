/**
 * The custodian's record store: every FHIR resource version, of every R4 resource type, encrypted
 * under its own data key, stored by ciphertext hash, its key wrapped for the organization and the
 * patient, and a leaf for it appended to the organization's record log (RFC 6962), whose roots are
 * anchored on the ledger. The patient of a resource is the first patient whose compartment it is in
 * (R4 Patient CompartmentDefinition, `patientsOf`); every compartment it is in is indexed. Before a
 * version is stored it gets the HL7 security labels its codes call for (`withSecurityLabels`).
 *
 * Writes take the open transaction (`tx`, from the write queue); reads check integrity (ciphertext
 * hash, log leaf, GCM tag) and fail loudly on tampering. This module owns the record tables: nothing
 * else reads or writes them.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { BlindIndex } from '../crypto/blind-index.ts';
import { DecryptionError, generateX25519, newDataKey, open, seal, unwrapKeyFor, wrapperFor, type RecipientWrapper } from '../crypto/envelope.ts';
import type { OrgKeys } from '../crypto/org-keys.ts';
import { isResourceType, patientsOf } from '../fhir/search/index.ts';
import { withSecurityLabels } from '../fhir/sensitivity/index.ts';
import { ID_PATTERN, type Resource } from '../fhir/types.ts';
import { leafHash } from '../merkle/hasher.ts';
import { PersistentLog } from '../merkle/persistent-log.ts';
import { canonicalJson } from '../shared/canonical-json.ts';
import { conflict, DomainError, gone, invalid, notFound } from '../shared/errors.ts';
import type { Sql, Storage, Tx } from '../storage/engine.ts';
import { SearchIndexWriter } from './index/writer.ts';

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
  /** An update whose content equalled the current version: nothing was written. */
  unchanged?: boolean;
}

/** Stored data failed an integrity check; the message says exactly what. */
export const integrityError = (message: string) => new DomainError('integrity', message, { code: 'exception' });

/** The record-log leaf of a version: no PHI, only tokens, hashes and metadata. */
export function versionLeaf(v: Pick<VersionRow, 'patient_token' | 'type' | 'id' | 'version' | 'blob_hash' | 'author' | 'last_updated' | 'op'>): Buffer {
  return Buffer.from(canonicalJson({ a: v.author, h: v.blob_hash, i: v.id, op: v.op, p: v.patient_token, t: v.type, ts: v.last_updated, v: Number(v.version) }));
}

/** The additional data binding a version's ciphertext to its identity. */
export const recordAad = (type: string, id: string, version: number) => Buffer.from(`carechain:record:${type}/${id}/${version}`);
/** The additional data binding a wrapped data key to its ciphertext. */
export const dekAad = (blobHash: string) => Buffer.from(`carechain:dek:${blobHash}`);

export const toVersionRow = (r: VersionRow): VersionRow => ({ ...r, version: Number(r.version), erased: Number(r.erased), leaf_index: Number(r.leaf_index) });

export interface CurrentVersion {
  version: number;
  deleted: boolean;
  erased: boolean;
  /** The resource's row key in the search index. */
  rid: number;
}

/** The id of the patient a resource belongs to: the first whose compartment it is in. */
export function patientIdOf(resource: Resource): string | undefined {
  return patientsOf(resource)[0];
}

export class RecordStore {
  private readonly wrappers = new Map<string, RecipientWrapper>();
  readonly index: SearchIndexWriter;
  /** The next resource row key; never reused (a rolled-back transaction leaves a gap). */
  private nextRid: number;

  private constructor(
    private readonly storage: Storage,
    private keys: OrgKeys,
    readonly blind: BlindIndex,
    readonly log: PersistentLog,
    maxRid: number,
  ) {
    this.index = new SearchIndexWriter(blind);
    this.nextRid = maxRid + 1;
  }

  static async open(storage: Storage, keys: OrgKeys, blind: BlindIndex): Promise<RecordStore> {
    const max = await storage.get<{ m: number | null }>('SELECT MAX(rid) AS m FROM record_current');
    const store = new RecordStore(storage, keys, blind, await PersistentLog.open(storage, 'records'), Number(max?.m ?? 0));
    await store.reindexMissing();
    return store;
  }

  /**
   * Gives resources stored before the search index existed their row key and index rows (once,
   * after the migration that created the index), in batches of one transaction each.
   */
  async reindexMissing(batch = 500): Promise<number> {
    let done = 0;
    for (;;) {
      const rows = await this.storage.all<{ type: string; id: string; version: number; deleted: number; erased: number }>(
        'SELECT type, id, version, deleted, erased FROM record_current WHERE rid IS NULL LIMIT ?',
        [batch],
      );
      if (rows.length === 0) return done;
      await this.storage.transaction(async (tx) => {
        for (const r of rows) {
          const rid = await this.allocateRid(tx);
          await tx.run('UPDATE record_current SET rid = ? WHERE type = ? AND id = ?', [rid, r.type, r.id]);
          if (Number(r.deleted) || Number(r.erased)) continue;
          const row = (await this.versionRow(r.type, r.id, Number(r.version), tx))!;
          const resource = await this.decrypt(row, tx);
          await this.index.write(tx, rid, resource, patientsOf(resource).map((p) => this.patientToken(p)));
        }
      });
      done += rows.length;
    }
  }

  /** Keyed token of a search value: equality search without plaintext. */
  token(kind: string, value: string): string {
    return this.blind.token(kind, value);
  }

  patientToken(patientId: string): string {
    return this.blind.patientToken(patientId);
  }

  // --- writes (inside a transaction) --------------------------------------------------------------

  async create(tx: Tx, resource: Resource, author: string, id: string = randomUUID()): Promise<WriteResult> {
    checkType(resource.resourceType);
    if (await this.currentVersion(resource.resourceType, id, tx)) throw conflict(`${resource.resourceType}/${id} already exists`, 'duplicate');
    return this.writeVersion(tx, resource, author, id, 1, 'create', undefined);
  }

  /** Update (or create with a client-chosen id). `ifMatch` is the expected current version. */
  async update(tx: Tx, type: string, id: string, resource: Resource, author: string, ifMatch?: number): Promise<WriteResult> {
    checkType(type);
    if (resource.resourceType !== type) throw invalid(`resourceType ${resource.resourceType} does not match the URL (${type})`, ['resourceType']);
    if (resource.id !== id) throw invalid(`resource id ${resource.id ?? '(none)'} does not match the URL (${id})`, [`${type}.id`]);
    const cur = await this.currentVersion(type, id, tx);
    if (cur?.erased) throw gone(`${type}/${id} (erased)`);
    if (ifMatch !== undefined && ifMatch !== (cur?.version ?? 0)) {
      throw new DomainError('precondition-failed', `version conflict: If-Match ${ifMatch} but ${type}/${id} is at version ${cur?.version ?? 'none'}`, { code: 'conflict' });
    }
    // An update that changes nothing (a re-run import) keeps the current version: no new version, log
    // entry or index write (FHIR servers commonly treat it so; the response is the current version).
    if (cur && !cur.deleted) {
      const row = (await this.versionRow(type, id, cur.version, tx))!;
      const current = await this.decrypt(row, tx);
      if (sameContent(current, withSecurityLabels(resource))) {
        const meta = current.meta as { lastUpdated: string };
        return { resource: current, type, id, version: cur.version, lastUpdated: meta.lastUpdated, created: false, leafIndex: row.leaf_index, unchanged: true };
      }
    }
    return this.writeVersion(tx, resource, author, id, (cur?.version ?? 0) + 1, cur ? 'update' : 'create', cur);
  }

  /** Deletes (idempotently: null when there is nothing live to delete). */
  async delete(tx: Tx, type: string, id: string, author: string): Promise<WriteResult | null> {
    checkType(type);
    const cur = await this.currentVersion(type, id, tx);
    if (!cur || cur.deleted || cur.erased) return null;
    const prev = (await this.versionRow(type, id, cur.version, tx))!;
    const version = cur.version + 1;
    const lastUpdated = new Date().toISOString();
    const row = { type, id, version, op: 'delete' as const, patient_token: prev.patient_token, blob_hash: null, author, last_updated: lastUpdated };
    const leafIndex = await this.log.append(tx, versionLeaf(row));
    await this.insertVersion(tx, { ...row, kek_id: null, custodian_key: null, patient_epk: null, patient_key: null, leaf_index: leafIndex });
    await this.upsertCurrent(tx, type, id, version, true, prev.patient_token, Date.parse(lastUpdated), cur.rid);
    await this.index.remove(tx, cur.rid);
    return { resource: null, type, id, version, lastUpdated, created: false, leafIndex };
  }

  private async writeVersion(tx: Tx, input: Resource, author: string, id: string, version: number, op: 'create' | 'update', cur: CurrentVersion | undefined): Promise<WriteResult> {
    if (!ID_PATTERN.test(id)) throw invalid(`invalid id "${id}"`, [`${input.resourceType}.id`]);
    const type = input.resourceType;
    const lastUpdated = new Date().toISOString();
    // Server-owned metadata replaces whatever the client sent (no mass assignment of id/meta); the
    // security labels the resource's codes call for are added (never removed).
    const resource: Resource = withSecurityLabels({ ...input, id, meta: { ...(input.meta ?? {}), versionId: String(version), lastUpdated } });
    const patients = patientsOf(resource);
    const patientTokens = patients.map((p) => this.patientToken(p));
    const patientId = patients[0];
    const patientToken = patientTokens[0] ?? null;

    const dek = newDataKey();
    const blob = seal(dek, Buffer.from(canonicalJson(resource)), recordAad(type, id, version));
    const blobHash = createHash('sha256').update(blob).digest('hex');
    const custodianKey = seal(this.keys.currentKek.key, dek, dekAad(blobHash));
    if (type === 'Patient') await this.ensurePatientKey(tx, id);
    const wrapper = patientId ? await this.patientWrapper(patientId, tx) : undefined;
    const patientKey = wrapper ? seal(wrapper.key, dek, dekAad(blobHash)) : null;

    const row = { type, id, version, op, patient_token: patientToken, blob_hash: blobHash, author, last_updated: lastUpdated };
    await tx.run('INSERT INTO record_blobs (hash, data) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING', [blobHash, blob]);
    const leafIndex = await this.log.append(tx, versionLeaf(row));
    await this.insertVersion(tx, { ...row, kek_id: this.keys.currentKek.id, custodian_key: custodianKey, patient_epk: wrapper?.epk ?? null, patient_key: patientKey, leaf_index: leafIndex });
    const rid = cur?.rid ?? (await this.allocateRid(tx));
    await this.upsertCurrent(tx, type, id, version, false, patientToken, Date.parse(lastUpdated), rid);
    if (cur) await this.index.remove(tx, rid);
    await this.index.write(tx, rid, resource, patientTokens);
    return { resource, type, id, version, lastUpdated, created: version === 1 || op === 'create', leafIndex };
  }

  /**
   * A new resource's row key. One process per SQLite database: a counter. PostgreSQL replicas share the
   * table, so each continues from what any of them committed; the records log's advisory lock, taken at
   * the start of every write transaction (`PersistentLog.begin`), keeps two replicas from taking one key.
   */
  private async allocateRid(tx: Tx): Promise<number> {
    if (tx.dialect === 'postgres') {
      const m = await tx.get<{ m: number | string | null }>('SELECT MAX(rid) AS m FROM record_current');
      this.nextRid = Math.max(this.nextRid, Number(m?.m ?? 0) + 1);
    }
    return this.nextRid++;
  }

  private insertVersion(tx: Tx, r: Omit<VersionRow, 'erased'>): Promise<unknown> {
    return tx.run(
      `INSERT INTO record_versions (type, id, version, op, patient_token, blob_hash, kek_id, custodian_key, patient_epk, patient_key, author, last_updated, leaf_index)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [r.type, r.id, r.version, r.op, r.patient_token, r.blob_hash, r.kek_id, r.custodian_key, r.patient_epk, r.patient_key, r.author, r.last_updated, r.leaf_index],
    );
  }

  private upsertCurrent(tx: Tx, type: string, id: string, version: number, deleted: boolean, patientToken: string | null, updatedMs: number, rid: number): Promise<unknown> {
    return tx.run(
      `INSERT INTO record_current (type, id, version, deleted, patient_token, last_updated_ms, rid) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (type, id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted, patient_token = excluded.patient_token, last_updated_ms = excluded.last_updated_ms`,
      [type, id, version, deleted ? 1 : 0, patientToken, updatedMs, rid],
    );
  }

  private async ensurePatientKey(tx: Tx, patientId: string): Promise<void> {
    if (await tx.get('SELECT 1 AS x FROM patient_keys WHERE patient_id = ?', [patientId])) return;
    const pair = generateX25519();
    const wrapped = seal(this.keys.currentKek.key, pair.privateKey, Buffer.from(`carechain:patient-key:${patientId}`));
    await tx.run('INSERT INTO patient_keys (patient_id, public_key, kek_id, private_key_wrapped) VALUES (?, ?, ?, ?)', [patientId, pair.publicKey, this.keys.currentKek.id, wrapped]);
  }

  /**
   * Wrapping key for a patient's data keys; undefined if this node holds no key for that patient.
   * Cached by the patient's public key, not their id: a key created in a transaction that rolled
   * back must never be wrapped to.
   */
  private async patientWrapper(patientId: string, sql: Sql): Promise<RecipientWrapper | undefined> {
    const row = await sql.get<{ public_key: Buffer }>('SELECT public_key FROM patient_keys WHERE patient_id = ?', [patientId]);
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

  async currentVersion(type: string, id: string, sql: Sql = this.storage): Promise<CurrentVersion | undefined> {
    const cur = await sql.get<{ version: number; deleted: number; erased: number; rid: number }>('SELECT version, deleted, erased, rid FROM record_current WHERE type = ? AND id = ?', [type, id]);
    return cur && { version: Number(cur.version), deleted: Number(cur.deleted) === 1, erased: Number(cur.erased) === 1, rid: Number(cur.rid) };
  }

  async read(type: string, id: string, sql: Sql = this.storage): Promise<Resource> {
    checkType(type);
    const cur = await this.currentVersion(type, id, sql);
    if (!cur) throw notFound(`${type}/${id}`);
    if (cur.erased) throw gone(`${type}/${id} (erased at the patient's request)`);
    if (cur.deleted) throw gone(`${type}/${id}`);
    return this.vread(type, id, cur.version, sql);
  }

  async vread(type: string, id: string, version: number, sql: Sql = this.storage): Promise<Resource> {
    checkType(type);
    const row = await this.versionRow(type, id, version, sql);
    if (!row) throw notFound(`${type}/${id}/_history/${version}`);
    if (row.erased) throw gone(`${type}/${id}/_history/${version} (erased at the patient's request)`);
    if (row.op === 'delete') throw gone(`${type}/${id}/_history/${version}`);
    return this.decrypt(row, sql);
  }

  /** The ciphertext of a version, checked against its hash. */
  async ciphertext(row: VersionRow, sql: Sql = this.storage): Promise<Buffer> {
    const where = `${row.type}/${row.id}/_history/${row.version}`;
    const blob = (await sql.get<{ data: Buffer }>('SELECT data FROM record_blobs WHERE hash = ?', [row.blob_hash]))?.data;
    if (!blob) throw integrityError(`${where}: ciphertext ${row.blob_hash} is missing`);
    if (createHash('sha256').update(blob).digest('hex') !== row.blob_hash) throw integrityError(`${where}: ciphertext does not match its hash ${row.blob_hash}`);
    return blob;
  }

  /** A version's data key, unwrapped with the organization's key-encryption key. */
  dataKey(row: VersionRow): Buffer {
    const where = `${row.type}/${row.id}/_history/${row.version}`;
    const kek = this.keys.keks.get(row.kek_id ?? '');
    if (!kek) throw integrityError(`${where}: key-encryption key ${row.kek_id} is not available`);
    try {
      return open(kek.key, row.custodian_key!, dekAad(row.blob_hash!), `${where}: wrapped data key`);
    } catch (err) {
      if (err instanceof DecryptionError) throw integrityError(err.message);
      throw err;
    }
  }

  /** Decrypts a version after checking its ciphertext hash and its record-log leaf. */
  async decrypt(row: VersionRow, sql: Sql = this.storage): Promise<Resource> {
    const where = `${row.type}/${row.id}/_history/${row.version}`;
    await this.checkLeaf(row, sql);
    const blob = await this.ciphertext(row, sql);
    const dek = this.dataKey(row);
    try {
      return JSON.parse(open(dek, blob, recordAad(row.type, row.id, row.version), `${where}: ciphertext`).toString('utf8')) as Resource;
    } catch (err) {
      if (err instanceof DecryptionError) throw integrityError(err.message);
      throw err;
    }
  }

  /** The patient's side: recover a version with the patient's own key pair (proves the patient wrap). */
  async decryptAsPatient(row: VersionRow, patient: { publicKey: Buffer; privateKey: Buffer }): Promise<Resource> {
    const wrapKey = unwrapKeyFor(patient, row.patient_epk!);
    const dek = open(wrapKey, row.patient_key!, dekAad(row.blob_hash!), 'patient-wrapped data key');
    const blob = await this.ciphertext(row);
    return JSON.parse(open(dek, blob, recordAad(row.type, row.id, row.version)).toString('utf8')) as Resource;
  }

  /** The version's leaf, recomputed from its row, must be the leaf at its index in the log. */
  async checkLeaf(row: VersionRow, sql: Sql = this.storage): Promise<void> {
    const where = `${row.type}/${row.id}/_history/${row.version}`;
    const expected = leafHash(versionLeaf(row));
    // A version written earlier in the open transaction (a Bundle, a batch of the write queue) has its
    // leaf pending in the log until the commit.
    const logged = this.log.leafHashAt(row.leaf_index);
    if (!logged || !logged.equals(expected)) {
      throw integrityError(`${where}: version metadata does not match record-log entry ${row.leaf_index}`);
    }
    // The stored entry too: a rewritten log row is caught on read, not only at the next restart.
    const stored = await this.log.leaf(row.leaf_index, sql);
    if (!stored || !leafHash(stored).equals(expected)) {
      throw integrityError(`${where}: record-log entry ${row.leaf_index} was changed in the database`);
    }
  }

  async versionRow(type: string, id: string, version: number, sql: Sql = this.storage): Promise<VersionRow | undefined> {
    const row = await sql.get<VersionRow>('SELECT * FROM record_versions WHERE type = ? AND id = ? AND version = ?', [type, id, version]);
    return row && toVersionRow(row);
  }

  async history(type: string, id: string): Promise<VersionRow[]> {
    checkType(type);
    const rows = (await this.storage.all<VersionRow>('SELECT * FROM record_versions WHERE type = ? AND id = ? ORDER BY version DESC', [type, id])).map(toVersionRow);
    if (rows.length === 0) throw notFound(`${type}/${id}`);
    return rows;
  }

  /** Every version row in log order (for whole-store verification). */
  async *allVersions(pageSize = 5000): AsyncGenerator<VersionRow> {
    for (let after = -1; ; ) {
      const rows = (await this.storage.all<VersionRow>('SELECT * FROM record_versions WHERE leaf_index > ? ORDER BY leaf_index LIMIT ?', [after, pageSize])).map(toVersionRow);
      yield* rows;
      if (rows.length < pageSize) return;
      after = rows.at(-1)!.leaf_index;
    }
  }

  async versionCount(): Promise<number> {
    return Number((await this.storage.get<{ n: number }>('SELECT COUNT(*) AS n FROM record_versions'))?.n ?? 0);
  }

  /** Log entries that erasures appended (they have no version row). */
  async erasureLeafIndexes(): Promise<number[]> {
    return (await this.storage.all<{ leaf_index: number }>('SELECT leaf_index FROM erasures')).map((r) => Number(r.leaf_index));
  }

  /** The patient a stored resource belongs to (decrypting its current or last live version). */
  async patientOf(type: string, id: string): Promise<string | undefined> {
    return (await this.patientsOfStored(type, id))[0];
  }

  /** Every patient whose compartment a stored resource is (or, deleted, was last) in. */
  async patientsOfStored(type: string, id: string, sql: Sql = this.storage): Promise<string[]> {
    const cur = await this.currentVersion(type, id, sql);
    if (!cur) return [];
    if (type === 'Patient' && cur.deleted) return [id];
    try {
      const row = await this.versionRow(type, id, cur.deleted ? cur.version - 1 : cur.version, sql);
      return row && row.op !== 'delete' && !row.erased ? patientsOf(await this.decrypt(row, sql)) : type === 'Patient' ? [id] : [];
    } catch {
      return type === 'Patient' ? [id] : [];
    }
  }

  /** Replaces the keys (after KEK rotation) for later writes and reads. */
  setKeys(keys: OrgKeys): void {
    this.keys = keys;
  }

  get currentKeys(): OrgKeys {
    return this.keys;
  }
}

/** Every FHIR R4 resource type is stored; anything else is 404 (`not-supported`). */
export function checkType(type: string): void {
  if (!isResourceType(type)) throw new DomainError('not-found', `${type} is not a FHIR R4 resource type`, { code: 'not-supported' });
}

/** Whether two versions have the same content, server metadata (versionId, lastUpdated) aside. */
export function sameContent(a: Resource, b: Resource): boolean {
  const strip = (r: Resource) => {
    const { versionId: _v, lastUpdated: _l, ...meta } = (r.meta ?? {}) as Record<string, unknown>;
    const { meta: _m, ...rest } = r;
    return canonicalJson(Object.keys(meta).length ? { ...rest, meta } : rest);
  };
  return strip(a) === strip(b);
}
