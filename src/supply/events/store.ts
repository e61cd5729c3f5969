/**
 * The EPCIS event repository of a node: every event captured here or received from a trading partner,
 * stored like a record version (src/records/store.ts): sealed with AES-256-GCM under its own data key,
 * bound by additional data to its event ID, the data key wrapped with the organization's
 * key-encryption key (src/crypto/envelope.ts). Identifiers are indexed as keyed tokens (HMAC,
 * src/crypto/blind-index.ts), never in the clear.
 *
 * Each event is a leaf of the organization's supply log (RFC 6962, src/merkle/persistent-log.ts), joined
 * to the write queue as a transaction participant, and anchored in batches (AnchorRegistry, kind
 * Supply): high-volume facts are batched. The leaf is rebuilt from the row — event ID, hash ID,
 * ciphertext hash, source, record time — so a changed row changes its leaf and is caught against the
 * anchored roots.
 */
import { createHash } from 'node:crypto';
import { bytesToHex, type Hex } from 'viem';
import type { BlindIndex } from '../../crypto/blind-index.ts';
import { DecryptionError, newDataKey, open, seal } from '../../crypto/envelope.ts';
import type { OrgKeys } from '../../crypto/org-keys.ts';
import { leafHash } from '../../merkle/hasher.ts';
import { PersistentLog, type LeafSource } from '../../merkle/persistent-log.ts';
import { inclusionProof } from '../../merkle/proofs.ts';
import { canonicalJson } from '../../shared/canonical-json.ts';
import { DomainError } from '../../shared/errors.ts';
import type { Sql, SqlValue, Storage, Tx } from '../../storage/engine.ts';
import type { EpcisEventView } from '../epcis/index.ts';
import { canonicalId, gtinLevelId, pageToken, type EventQuery, type IdRole } from './query-params.ts';

export interface EventRow {
  idx: number;
  event_id: string;
  hash_id: string;
  type: string;
  action: string | null;
  biz_step: string | null;
  disposition: string | null;
  event_time_ms: number;
  record_time_ms: number;
  error_declared: number;
  error_reason: string | null;
  corrected_by: string | null;
  source: string;
  capture_id: string;
  blob: Buffer;
  blob_hash: string;
  kek_id: string;
  dek: Buffer;
}

export interface StoredEvent {
  idx: number;
  eventID: string;
  hashId: string;
  source: string;
  recordTime: string;
  /** The event as captured, with `recordTime` set by this repository. */
  event: Record<string, unknown>;
}

const integrity = (message: string) => new DomainError('integrity', message, { code: 'exception' });
const eventAad = (eventId: string) => Buffer.from(`carechain:epcis-event:${eventId}`);
const dekAad = (blobHash: string) => Buffer.from(`carechain:epcis-dek:${blobHash}`);

/** The supply-log leaf of a stored event: no identifier, no content; hashes and metadata only. */
export function eventLeaf(r: Pick<EventRow, 'idx' | 'event_id' | 'hash_id' | 'blob_hash' | 'source' | 'record_time_ms'>): Buffer {
  return Buffer.from(canonicalJson({ c: r.blob_hash, e: r.event_id, h: r.hash_id, i: Number(r.idx), s: r.source, t: Number(r.record_time_ms) }));
}

const LEAF_COLUMNS = 'idx, event_id, hash_id, blob_hash, source, record_time_ms';

function leaves(storage: Storage): LeafSource {
  return {
    leaf: async (idx, sql = storage) => {
      const r = await sql.get<EventRow>(`SELECT ${LEAF_COLUMNS} FROM supply_events WHERE idx = ?`, [idx]);
      return r && eventLeaf(r);
    },
    page: async (from, limit) =>
      (await storage.all<EventRow>(`SELECT ${LEAF_COLUMNS} FROM supply_events WHERE idx >= ? ORDER BY idx LIMIT ?`, [from, limit])).map((r) => [Number(r.idx), eventLeaf(r)] as [number, Buffer]),
  };
}

/** Which identifiers of an event are indexed, under which role. */
export function indexedIds(e: EpcisEventView): [IdRole | `${IdRole}:gtin`, string][] {
  const out: [IdRole | `${IdRole}:gtin`, string][] = [];
  const seen = new Set<string>();
  const add = (role: IdRole, value: string | undefined) => {
    if (!value) return;
    const c = canonicalId(value);
    if (!seen.has(`${role}|${c}`)) {
      seen.add(`${role}|${c}`);
      out.push([role, c]);
    }
    if (role === 'readPoint' || role === 'bizLocation') return;
    const g = gtinLevelId(c);
    if (g && !seen.has(`${role}:gtin|${g}`)) {
      seen.add(`${role}:gtin|${g}`);
      out.push([`${role}:gtin`, g]);
    }
  };
  for (const v of e.epcList) add('epc', v);
  for (const v of e.childEPCs) add('child', v);
  add('parent', e.parentID);
  for (const v of e.inputEPCList) add('input', v);
  for (const v of e.outputEPCList) add('output', v);
  for (const q of [...e.quantityList, ...e.childQuantityList]) add('class', q.epcClass);
  for (const q of e.inputQuantityList) add('inputClass', q.epcClass);
  for (const q of e.outputQuantityList) add('outputClass', q.epcClass);
  add('readPoint', e.readPoint);
  add('bizLocation', e.bizLocation);
  return out;
}

export class SupplyEventStore {
  private constructor(
    private readonly storage: Storage,
    private keys: OrgKeys,
    private readonly blind: BlindIndex,
    readonly log: PersistentLog,
  ) {}

  static async open(storage: Storage, keys: OrgKeys, blind: BlindIndex): Promise<SupplyEventStore> {
    return new SupplyEventStore(storage, keys, blind, await PersistentLog.open(storage, 'supply', leaves(storage)));
  }

  setKeys(keys: OrgKeys): void {
    this.keys = keys;
  }

  token(value: string): string {
    return this.blind.token('epcis-id', value);
  }

  /** Seals and stores one event inside `tx`, appending its leaf to the supply log; returns its index. */
  async append(tx: Tx, e: EpcisEventView, meta: { source: string; captureId: string; recordTimeMs: number }): Promise<number> {
    const event: Record<string, unknown> = { ...e.raw, recordTime: new Date(meta.recordTimeMs).toISOString() };
    if (!('eventID' in e.raw)) event.eventID = e.eventID;
    const dek = newDataKey();
    const blob = seal(dek, Buffer.from(canonicalJson(event)), eventAad(e.eventID));
    const blobHash = createHash('sha256').update(blob).digest('hex');
    const kek = this.keys.currentKek;
    const wrapped = seal(kek.key, dek, dekAad(blobHash));
    const row = {
      event_id: e.eventID,
      hash_id: e.hashId,
      blob_hash: blobHash,
      source: meta.source,
      record_time_ms: meta.recordTimeMs,
    };
    const idx = this.log.next;
    return this.log.append(tx, eventLeaf({ ...row, idx }), async (t, i) => {
      await t.run(
        `INSERT INTO supply_events (idx, event_id, hash_id, type, action, biz_step, disposition, event_time_ms, record_time_ms, error_declared, error_reason, corrected_by, source, capture_id, blob, blob_hash, kek_id, dek)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)`,
        [i, e.eventID, e.hashId, e.type, e.action ?? null, e.bizStep?.uri ?? null, e.disposition?.uri ?? null, Date.parse(e.eventTime), meta.recordTimeMs, e.errorDeclaration ? 1 : 0, e.errorDeclaration?.reason?.uri ?? null, meta.source, meta.captureId, blob, blobHash, kek.id, wrapped],
      );
      // Many rows per statement: a commissioning event names 10,000 serials.
      const rows = indexedIds(e).map(([role, value]): SqlValue[] => [this.token(value), role, i]);
      for (let k = 0; k < rows.length; k += 300) {
        const chunk = rows.slice(k, k + 300);
        await t.run(`INSERT INTO supply_event_ids (token, role, event_idx) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')} ON CONFLICT (token, role, event_idx) DO NOTHING`, chunk.flat());
      }
    });
  }

  /** Marks the events with `eventId` as declared erroneous, naming the corrective events. */
  async markCorrected(tx: Tx, eventId: string, correctiveIds: readonly string[]): Promise<number> {
    return (await tx.run('UPDATE supply_events SET corrected_by = ? WHERE event_id = ? AND error_declared = 0', [JSON.stringify(correctiveIds), eventId])).changes;
  }

  /** Is an event with this hash ID already stored (same content, maybe another eventID)? */
  async hasHash(hashId: string, sql: Sql = this.storage): Promise<boolean> {
    return (await sql.get('SELECT 1 AS x FROM supply_events WHERE hash_id = ? AND error_declared = 0', [hashId])) !== undefined;
  }

  async hasEventId(eventId: string, sql: Sql = this.storage): Promise<boolean> {
    return (await sql.get('SELECT 1 AS x FROM supply_events WHERE event_id = ?', [eventId])) !== undefined;
  }

  /** Decrypts a stored event after checking its ciphertext hash and its supply-log leaf. */
  decrypt(r: EventRow): StoredEvent {
    const idx = Number(r.idx);
    if (createHash('sha256').update(r.blob).digest('hex') !== r.blob_hash) throw integrity(`EPCIS event ${idx}: ciphertext does not match its hash`);
    if (idx >= this.log.size || !this.log.tree.leafHashAt(idx).equals(leafHash(eventLeaf(r)))) throw integrity(`EPCIS event ${idx}: row does not match supply-log entry ${idx}`);
    const kek = this.keys.keks.get(r.kek_id);
    if (!kek) throw integrity(`EPCIS event ${idx}: key-encryption key ${r.kek_id} is not available`);
    try {
      const dek = open(kek.key, r.dek, dekAad(r.blob_hash), `EPCIS event ${idx}: wrapped data key`);
      const event = JSON.parse(open(dek, r.blob, eventAad(r.event_id), `EPCIS event ${idx}`).toString('utf8')) as Record<string, unknown>;
      if (r.corrected_by && !event.errorDeclaration) {
        // Shown as EPCIS 2.0 shows a corrected event: the original with its correction noted.
        event['cc:correctedBy'] = JSON.parse(r.corrected_by) as string[];
      }
      return { idx, eventID: r.event_id, hashId: r.hash_id, source: r.source, recordTime: new Date(Number(r.record_time_ms)).toISOString(), event };
    } catch (err) {
      if (err instanceof DecryptionError) throw integrity(err.message);
      throw err;
    }
  }

  /** Runs an EPCIS query: matching events in order, one page, and the token of the next page. */
  async query(q: EventQuery): Promise<{ events: StoredEvent[]; nextPageToken?: string }> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const inList = (col: string, vals: readonly (string | number)[]) => {
      where.push(`${col} IN (${vals.map(() => '?').join(', ')})`);
      params.push(...vals);
    };
    if (q.eventTypes) inList('type', q.eventTypes);
    if (q.actions) inList('action', q.actions);
    if (q.bizSteps) inList('biz_step', q.bizSteps);
    if (q.dispositions) inList('disposition', q.dispositions);
    if (q.eventIds) inList('event_id', q.eventIds);
    if (q.errorReasons) inList('error_reason', q.errorReasons);
    if (q.errorDeclaration) where.push('error_declared = 1');
    for (const [col, range] of [['event_time_ms', q.eventTime], ['record_time_ms', q.recordTime]] as const) {
      if (range?.ge !== undefined) where.push(`${col} >= ?`), params.push(range.ge);
      if (range?.lt !== undefined) where.push(`${col} < ?`), params.push(range.lt);
    }
    for (const c of q.ids) {
      const roles = c.level === 'gtin' ? c.roles.map((r) => `${r}:gtin`) : c.roles;
      where.push(
        `EXISTS (SELECT 1 FROM supply_event_ids x WHERE x.event_idx = supply_events.idx AND x.role IN (${roles.map(() => '?').join(', ')}) AND x.token IN (${c.values.map(() => '?').join(', ')}))`,
      );
      params.push(...roles, ...c.values.map((v) => this.token(v)));
    }
    const col = q.orderBy === 'recordTime' ? 'record_time_ms' : 'event_time_ms';
    const dir = q.descending ? 'DESC' : 'ASC';
    if (q.after) {
      where.push(q.descending ? `(${col} < ? OR (${col} = ? AND idx < ?))` : `(${col} > ? OR (${col} = ? AND idx > ?))`);
      params.push(q.after.time, q.after.time, q.after.idx);
    }
    const pageSize = Math.min(q.perPage, q.limit ?? Infinity);
    const rows = await this.storage.all<EventRow>(
      `SELECT * FROM supply_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${col} ${dir}, idx ${dir} LIMIT ?`,
      [...params, pageSize + 1],
    );
    const page = rows.slice(0, pageSize);
    const last = page.at(-1);
    const more = rows.length > pageSize && q.limit === undefined;
    return { events: page.map((r) => this.decrypt(r)), ...(more && last ? { nextPageToken: pageToken(Number(q.orderBy === 'recordTime' ? last.record_time_ms : last.event_time_ms), Number(last.idx)) } : {}) };
  }

  /** The stored events with this event ID (the original and any error declaration of it). */
  async byEventId(eventId: string): Promise<StoredEvent[]> {
    return (await this.storage.all<EventRow>('SELECT * FROM supply_events WHERE event_id = ? ORDER BY idx', [eventId])).map((r) => this.decrypt(r));
  }

  /** Every event naming any of `ids` (EPC URNs or Digital Links) in any role, in event-time order. */
  async about(ids: readonly string[], limit = 10_000): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    const tokens = [...new Set(ids.map((i) => this.token(canonicalId(i))))];
    const rows = await this.storage.all<EventRow>(
      `SELECT * FROM supply_events WHERE idx IN (SELECT event_idx FROM supply_event_ids WHERE token IN (${tokens.map(() => '?').join(', ')})) ORDER BY event_time_ms, idx LIMIT ?`,
      [...tokens, limit],
    );
    return rows.map((r) => this.decrypt(r));
  }

  /** The supply-log inclusion proof of an event to a tree size (an anchored one). */
  proof(idx: number, treeSize: number): Hex[] {
    return inclusionProof(this.log.tree, idx, treeSize).map((h) => bytesToHex(h));
  }

  /** The leaf bytes of an event (for proofs). */
  async leaf(idx: number): Promise<Buffer | undefined> {
    return this.log.leaf(idx);
  }

  async count(): Promise<number> {
    return this.log.size;
  }
}
