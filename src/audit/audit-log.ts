/**
 * The node's audit trail: one FHIR AuditEvent (IHE BALP shape) per access, change, denial and
 * erasure, each a leaf of an RFC 6962 Merkle log whose tree heads are signed by the organization and
 * anchored on the ledger. Appends run inside the same database transaction as the action they record.
 *
 * Storage: one row per entry holding the facts (who, what, when, outcome, …) rather than the
 * AuditEvent's bytes; the leaf, the canonical AuditEvent JSON, is rebuilt from the row exactly
 * (`auditLeaf`). That writes ~250 instead of ~1,250 bytes per entry, which is what limits appends,
 * and a changed row still changes its leaf, so tampering is caught by the anchored roots as before.
 */
import { createHmac } from 'node:crypto';
import { bytesToHex, recoverMessageAddress, type Hex } from 'viem';
import { open as openSealed, seal } from '../crypto/envelope.ts';
import type { LocalAccount } from 'viem/accounts';
import type { BlindIndex } from '../crypto/blind-index.ts';
import { PersistentLog, type LeafSource } from '../merkle/persistent-log.ts';
import type { Migration, Sql, Storage, Tx } from '../storage/engine.ts';

export const auditMigrations: Migration[] = [
  (tx) =>
    tx.exec(`
      -- One row per entry: the query columns plus \`detail\` (the rest of the entry's facts) make the
      -- leaf. Entry times never decrease (see append), so time ranges are index ranges and need no index.
      -- The patient and agent indexes are partitioned into epochs of 4,096 entries, so an append
      -- dirties few index pages.
      CREATE TABLE audit_entries (
        idx INTEGER PRIMARY KEY,
        recorded_ms INTEGER NOT NULL,
        patient_token TEXT,
        agent TEXT NOT NULL,
        action TEXT NOT NULL,
        subtype TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE INDEX audit_entries_patient ON audit_entries ((idx >> 12), patient_token);
      CREATE INDEX audit_entries_agent ON audit_entries ((idx >> 12), agent);
      -- Who has a care relationship with whom (from Encounter participants), for insider-threat rules.
      CREATE TABLE care_relationships (patient_token TEXT NOT NULL, agent TEXT NOT NULL, PRIMARY KEY (patient_token, agent));
      -- Patients whose records deserve extra scrutiny (VIPs, colleagues).
      CREATE TABLE watched_patients (patient_token TEXT PRIMARY KEY, reason TEXT NOT NULL);
    `),
  // Care relationships are history: since when each holds (the first time it was recorded). An access
  // is judged against the relationships that existed at its time; none is ever removed.
  (tx) => tx.exec('ALTER TABLE care_relationships ADD COLUMN since_ms INTEGER NOT NULL DEFAULT 0'),
];

export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';
/** FHIR AuditEvent outcome: 0 success, 4 minor failure (e.g. denied), 8 serious failure. */
export type AuditOutcome = '0' | '4' | '8';

export interface AuditInput {
  action: AuditAction;
  /** restful-interaction code (read, vread, search-type, create, update, delete, history-instance) or operation name. */
  subtype: string;
  outcome: AuditOutcome;
  outcomeDesc?: string;
  /** Who acted (a FHIR reference), and from where. */
  agent: string;
  onBehalfOf?: string;
  network?: string;
  /** HL7 v3 PurposeOfUse code (TREAT, ETREAT, HPAYMT, HOPERAT, HRESCH, …). */
  purpose?: string;
  patientId?: string;
  /** References of the resources touched (Type/id or Type/id/_history/v). */
  what?: string[];
  /** The search query, for searches. */
  query?: string;
}

export interface SignedTreeHead {
  org: string;
  treeSize: number;
  root: Hex;
  timestamp: string;
  signer: Hex;
  signature: Hex;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const RESTFUL = new Set(['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type', 'search-system', 'transaction', 'batch', 'capabilities']);

export function sthMessage(sth: Pick<SignedTreeHead, 'org' | 'treeSize' | 'root' | 'timestamp'>): string {
  return `carechain:audit-sth:v1:${sth.org}:${sth.treeSize}:${sth.root}:${sth.timestamp}`;
}

/** Checks a signed tree head's signature; returns the recovered signer address. */
export async function sthSigner(sth: SignedTreeHead): Promise<Hex> {
  return recoverMessageAddress({ message: sthMessage(sth), signature: sth.signature });
}

const str = JSON.stringify;
const coding = (system: string, code: string) => `{"code":${str(code)},"system":${str(system)}}`;
const ROLE_PATIENT = `"role":${coding('http://terminology.hl7.org/CodeSystem/object-role', '1')},"type":${coding('http://terminology.hl7.org/CodeSystem/audit-entity-type', '1')}`;
const ROLE_RESOURCE = `"role":${coding('http://terminology.hl7.org/CodeSystem/object-role', '4')},"type":${coding('http://terminology.hl7.org/CodeSystem/audit-entity-type', '2')}`;
const ROLE_QUERY = `"role":${coding('http://terminology.hl7.org/CodeSystem/object-role', '24')},"type":${coding('http://terminology.hl7.org/CodeSystem/audit-entity-type', '2')}`;
const REQUESTOR = `"requestor":true,"type":{"coding":[${coding('http://terminology.hl7.org/CodeSystem/v3-ParticipationType', 'IRCP')}]}`;
const SOURCE_TYPE = `"type":[{"code":"4","display":"Application Server","system":"http://terminology.hl7.org/CodeSystem/security-source-type"}]`;
const TYPE_REST = `{"code":"rest","display":"RESTful Operation","system":"http://terminology.hl7.org/CodeSystem/audit-event-type"}`;
const TYPE_RECORD = `{"code":"110110","display":"Patient Record","system":"${DCM}"}`;

/**
 * The AuditEvent for an input, in the IHE Basic Audit Log Patterns shape, as canonical JSON (keys
 * sorted, no spaces): the leaf bytes. Written as a string template because this runs for every
 * request and is a fifth of an append's cost as objects + JSON.stringify; the test suite checks the
 * output against canonicalJson and FHIR validation.
 */
export function auditEventJson(org: string, input: AuditInput, index: number, recorded: string): string {
  const rest = RESTFUL.has(input.subtype);
  const agents = [`{${input.network ? `"network":{"address":${str(input.network)},"type":"2"},` : ''}${REQUESTOR},"who":{"reference":${str(input.agent)}}}`];
  if (input.onBehalfOf) agents.push(`{"requestor":false,"who":{"reference":${str(input.onBehalfOf)}}}`);
  const entities: string[] = [];
  if (input.patientId) entities.push(`{${ROLE_PATIENT},"what":{"reference":${str(`Patient/${input.patientId}`)}}}`);
  for (const w of input.what ?? []) entities.push(`{${ROLE_RESOURCE},"what":{"reference":${str(w)}}}`);
  if (input.query) entities.push(`{"query":"${Buffer.from(input.query).toString('base64')}",${ROLE_QUERY}}`);
  return (
    `{"action":${str(input.action)},"agent":[${agents.join(',')}],"entity":[${entities.join(',')}],"id":"${index}","outcome":${str(input.outcome)}` +
    (input.outcomeDesc ? `,"outcomeDesc":${str(input.outcomeDesc)}` : '') +
    (input.purpose ? `,"purposeOfEvent":[{"coding":[${coding('http://terminology.hl7.org/CodeSystem/v3-ActReason', input.purpose)}]}]` : '') +
    `,"recorded":${str(recorded)},"resourceType":"AuditEvent","source":{"observer":{"display":${str(org)}},${SOURCE_TYPE}}` +
    `,"subtype":[${rest ? coding('http://hl7.org/fhir/restful-interaction', input.subtype) : coding('urn:carechain:audit-subtype', input.subtype)}]` +
    `,"type":${rest ? TYPE_REST : TYPE_RECORD}}`
  );
}

/** An entry as stored: the columns of `audit_entries`. */
export interface EntryRow {
  idx: number;
  recorded_ms: number;
  patient_token: string | null;
  agent: string;
  action: AuditAction;
  subtype: string;
  outcome: AuditOutcome;
  detail: string;
}

/**
 * The facts of an entry not in a query column; with them and the columns the leaf is rebuilt. The
 * search query is kept base64-encoded, as the AuditEvent carries it (BALP), never as plain text.
 */
export type Detail = Omit<AuditInput, 'agent' | 'action' | 'subtype' | 'outcome' | 'query'> & { org: string; query64?: string };

/**
 * The \`detail\` column sealed at rest (AES-256-GCM under a key derived from the node's secret, bound to
 * the entry's index): it names the patient, the resources and the search, which together would link a
 * patient to a diagnosis on disk. Rows written before sealing (plain JSON) still read.
 */
export class DetailSealer {
  private readonly key: Buffer;

  constructor(secret: Buffer) {
    this.key = createHmac('sha256', secret).update('carechain/audit-detail/v1').digest();
  }

  seal(idx: number, json: string): string {
    return `s1:${seal(this.key, Buffer.from(json, 'utf8'), Buffer.from(`carechain:audit-detail:${idx}`)).toString('base64')}`;
  }

  open(idx: number, stored: string): string {
    if (!stored.startsWith('s1:')) return stored;
    return openSealed(this.key, Buffer.from(stored.slice(3), 'base64'), Buffer.from(`carechain:audit-detail:${idx}`), `audit entry ${idx}'s detail`).toString('utf8');
  }
}

/** The facts of a stored entry's detail, unsealed. */
export function detailOf(row: Pick<EntryRow, 'idx' | 'detail'>, sealer: Pick<DetailSealer, 'open'>): Detail {
  return JSON.parse(sealer.open(Number(row.idx), row.detail)) as Detail;
}

/** The leaf bytes of a stored entry: the canonical AuditEvent JSON. */
export function auditLeaf(row: EntryRow, sealer: Pick<DetailSealer, 'open'>): Buffer {
  const { org, query64, ...rest } = detailOf(row, sealer);
  const input: AuditInput = { ...rest, agent: row.agent, action: row.action, subtype: row.subtype, outcome: row.outcome };
  if (query64 !== undefined) input.query = Buffer.from(query64, 'base64').toString('utf8');
  return Buffer.from(auditEventJson(org, input, Number(row.idx), new Date(Number(row.recorded_ms)).toISOString()));
}

const ROW = 'idx, recorded_ms, patient_token, agent, action, subtype, outcome, detail';

/** The audit log's leaves, rebuilt from its rows (for the Merkle log and for offline verification). */
export function auditLeaves(storage: Storage, sealer: Pick<DetailSealer, 'open'>): LeafSource {
  return {
    leaf: async (idx, sql = storage) => {
      const row = await sql.get<EntryRow>(`SELECT ${ROW} FROM audit_entries WHERE idx = ?`, [idx]);
      return row && auditLeaf(row, sealer);
    },
    page: async (from, limit, sql = storage) =>
      (await sql.all<EntryRow>(`SELECT ${ROW} FROM audit_entries WHERE idx >= ? ORDER BY idx LIMIT ?`, [from, limit])).map(
        (row) => [Number(row.idx), auditLeaf(row, sealer)] as [number, Buffer],
      ),
  };
}

export interface FindFilter {
  patientId?: string;
  fromMs?: number;
  toMs?: number;
  agent?: string;
  limit?: number;
  offset?: number;
  /** Continue after this entry index (paging). */
  after?: number;
}

export class AuditLog {
  private readonly tokens = new Map<string, string>();
  /** Time of the latest entry: entries are stamped no earlier, so time ranges are index ranges. */
  private lastMs: number;

  private constructor(
    private readonly storage: Storage,
    readonly log: PersistentLog,
    readonly org: string,
    private readonly blind: BlindIndex,
    private readonly signer: LocalAccount,
    private readonly sealer: DetailSealer,
    lastMs: number,
  ) {
    this.lastMs = lastMs;
  }

  static async open(storage: Storage, org: string, blind: BlindIndex, signer: LocalAccount, sealer: DetailSealer): Promise<AuditLog> {
    const log = await PersistentLog.open(storage, 'audit', auditLeaves(storage, sealer));
    const last = await storage.get<{ ms: number | null }>('SELECT MAX(recorded_ms) AS ms FROM audit_entries');
    const audit = new AuditLog(storage, log, org, blind, signer, sealer, Number(last?.ms ?? 0));
    // Replicas: entries appended by another process keep the times non-decreasing here too.
    log.onCatchUp = async (sql) => {
      const latest = await sql.get<{ ms: number | null }>('SELECT recorded_ms AS ms FROM audit_entries WHERE idx = ?', [log.size - 1]);
      audit.lastMs = Math.max(audit.lastMs, Number(latest?.ms ?? 0));
    };
    return audit;
  }

  /** Appends inside the transaction `tx`; returns the entry's index. */
  append(tx: Tx, input: AuditInput): Promise<number> {
    // A clock stepping back must not make the log's times go backwards (an entry a rollback discards
    // may leave lastMs ahead by a moment; that only holds the next stamps still, never reorders).
    const now = (this.lastMs = Math.max(this.lastMs, Date.now()));
    const leaf = Buffer.from(auditEventJson(this.org, input, this.log.next, new Date(now).toISOString()));
    const { agent, action, subtype, outcome, query, ...rest } = input;
    const detail: Detail = { ...rest, org: this.org };
    if (query) detail.query64 = Buffer.from(query).toString('base64');
    return this.log.append(tx, leaf, async (t, idx) => {
      await t.run('INSERT INTO audit_entries (idx, recorded_ms, patient_token, agent, action, subtype, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        idx,
        now,
        input.patientId ? this.patientToken(input.patientId) : null,
        agent,
        action,
        subtype,
        outcome,
        this.sealer.seal(idx, JSON.stringify(detail)),
      ]);
    });
  }

  /** The first index of an entry recorded at or after `ms` (entry times never decrease). */
  async firstIndexAt(ms: number): Promise<number> {
    let lo = 0;
    let hi = this.log.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const row = await this.storage.get<{ recorded_ms: number }>('SELECT recorded_ms FROM audit_entries WHERE idx = ?', [mid]);
      if (Number(row!.recorded_ms) < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The entry indexes [from, to) recorded in [fromMs, toMs). */
  async indexRange(fromMs?: number, toMs?: number): Promise<{ from: number; to: number }> {
    await this.log.refresh(); // entries other replicas appended
    return { from: fromMs === undefined ? 0 : await this.firstIndexAt(fromMs), to: toMs === undefined ? this.log.size : await this.firstIndexAt(toMs) };
  }

  /** HMAC token of a patient id, memoized (bounded) because every audited access needs one. */
  patientToken(patientId: string): string {
    let t = this.tokens.get(patientId);
    if (t === undefined) {
      if (this.tokens.size >= 100_000) this.tokens.clear();
      t = this.blind.patientToken(patientId);
      this.tokens.set(patientId, t);
    }
    return t;
  }

  /** Records that `agent` cares for the patient (from an Encounter's participants). */
  async noteCareRelationship(tx: Tx, patientId: string, agent: string): Promise<void> {
    await tx.run('INSERT INTO care_relationships (patient_token, agent, since_ms) VALUES (?, ?, ?) ON CONFLICT (patient_token, agent) DO NOTHING', [this.patientToken(patientId), agent, Date.now()]);
  }

  async watch(tx: Tx, patientId: string, reason: string): Promise<void> {
    await tx.run('INSERT INTO watched_patients (patient_token, reason) VALUES (?, ?) ON CONFLICT (patient_token) DO UPDATE SET reason = excluded.reason', [this.patientToken(patientId), reason]);
  }

  /** Did `agent` have a care relationship with the patient of `patientToken` at `atMs`? */
  async hasCareRelationship(patientToken: string, agent: string, atMs: number): Promise<boolean> {
    return (await this.storage.get('SELECT 1 AS x FROM care_relationships WHERE patient_token = ? AND agent = ? AND since_ms <= ?', [patientToken, agent, atMs])) !== undefined;
  }

  /** Why the patient of `patientToken` is watched, if they are. */
  async watchReason(patientToken: string): Promise<string | undefined> {
    return (await this.storage.get<{ reason: string }>('SELECT reason FROM watched_patients WHERE patient_token = ?', [patientToken]))?.reason;
  }

  /** The stored rows of entries [from, to), in order (for the insider-threat rules). */
  rows(from: number, to: number): Promise<EntryRow[]> {
    return this.storage.all<EntryRow>(`SELECT ${ROW} FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx`, [from, to]);
  }

  async entry(index: number, sql?: Sql): Promise<Record<string, unknown> | undefined> {
    const leaf = await this.log.leaf(index, sql);
    return leaf && (JSON.parse(leaf.toString('utf8')) as Record<string, unknown>);
  }

  /**
   * Entry indexes matching a filter, oldest first; \`after\` continues from a previous page. The patient
   * and agent indexes are partitioned into epochs of 4,096 entries (see the migration) so an append
   * dirties few index pages; a filtered search walks the epochs of its range, newest last.
   */
  async find(filter: FindFilter): Promise<number[]> {
    const range = await this.indexRange(filter.fromMs, filter.toMs);
    const from = Math.max(range.from, (filter.after ?? -1) + 1);
    const want = (filter.offset ?? 0) + (filter.limit ?? 100);
    const page = (idx: number[]) => idx.slice(filter.offset ?? 0, want);
    const pluck = (rows: { idx: number }[]) => rows.map((r) => Number(r.idx));
    if (!filter.patientId && !filter.agent) {
      return page(pluck(await this.storage.all<{ idx: number }>('SELECT idx FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx LIMIT ?', [from, range.to, want])));
    }
    const token = filter.patientId ? this.patientToken(filter.patientId) : null;
    const found: number[] = [];
    for (let epoch = from >> 12; epoch <= (range.to - 1) >> 12 && found.length < want; epoch++) {
      const rows = token
        ? await this.storage.all<{ idx: number }>(
            `SELECT idx FROM audit_entries WHERE (idx >> 12) = ? AND patient_token = ? ${filter.agent ? 'AND agent = ?' : ''} AND idx >= ? AND idx < ? ORDER BY idx`,
            [epoch, token, ...(filter.agent ? [filter.agent] : []), from, range.to],
          )
        : await this.storage.all<{ idx: number }>('SELECT idx FROM audit_entries WHERE (idx >> 12) = ? AND agent = ? AND idx >= ? AND idx < ? ORDER BY idx', [epoch, filter.agent!, from, range.to]);
      found.push(...pluck(rows));
    }
    return page(found);
  }

  /** A tree head of the current log, signed with the organization's key (EIP-191). */
  async signedTreeHead(size = this.log.size): Promise<SignedTreeHead> {
    const head = { org: this.org, treeSize: size, root: bytesToHex(this.log.tree.root(size)), timestamp: new Date().toISOString() };
    const signature = await this.signer.signMessage({ message: sthMessage(head) });
    return { ...head, signer: this.signer.address, signature };
  }
}
