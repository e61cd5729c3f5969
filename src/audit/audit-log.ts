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
import { bytesToHex, recoverMessageAddress, type Hex } from 'viem';
import type { LocalAccount } from 'viem/accounts';
import type { Db, Migration } from '../db/database.ts';
import { PersistentLog, type LeafSource } from '../merkle/persistent-log.ts';

export const auditMigrations: Migration[] = [
  (db) =>
    db.exec(`
      -- Query index over the audit log (the log's leaves are the record; this is for finding them).
      CREATE TABLE audit_entries (
        idx INTEGER PRIMARY KEY,
        recorded_ms INTEGER NOT NULL,
        patient_token TEXT,
        agent TEXT NOT NULL,
        action TEXT NOT NULL,
        subtype TEXT NOT NULL,
        outcome TEXT NOT NULL
      );
      CREATE INDEX audit_entries_patient ON audit_entries (patient_token, idx);
      CREATE INDEX audit_entries_time ON audit_entries (recorded_ms);
      CREATE INDEX audit_entries_agent ON audit_entries (agent, recorded_ms);
      -- Who has a care relationship with whom (from Encounter participants), for insider-threat rules.
      CREATE TABLE care_relationships (patient_token TEXT NOT NULL, agent TEXT NOT NULL, PRIMARY KEY (patient_token, agent));
      -- Patients whose records deserve extra scrutiny (VIPs, colleagues).
      CREATE TABLE watched_patients (patient_token TEXT PRIMARY KEY, reason TEXT NOT NULL);
    `),
  // One row per entry: the query columns plus `detail` (the rest of the entry's facts) make the leaf;
  // entries written before keep their leaf bytes verbatim in `leaf`. Entry times never decrease
  // (see append), so time ranges are index ranges and need no index of their own.
  (db) => {
    db.exec(`
      ALTER TABLE audit_entries ADD COLUMN detail TEXT;
      ALTER TABLE audit_entries ADD COLUMN leaf BLOB;
      CREATE TABLE IF NOT EXISTS log_audit (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL);
      UPDATE audit_entries SET leaf = (SELECT leaf FROM log_audit WHERE log_audit.idx = audit_entries.idx);
      DROP TABLE log_audit;
      DROP INDEX audit_entries_time;
      DROP INDEX audit_entries_agent;
      DROP INDEX audit_entries_patient;
      CREATE INDEX audit_entries_patient ON audit_entries ((idx >> 12), patient_token);
      CREATE INDEX audit_entries_agent ON audit_entries ((idx >> 12), agent);
    `);
    const lost = db.prepare('SELECT COUNT(*) FROM audit_entries WHERE leaf IS NULL').pluck().get() as number;
    if (lost) throw new Error(`audit migration: ${lost} entries have no stored leaf; the database is damaged`);
  },
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
interface EntryRow {
  idx: number;
  recorded_ms: number;
  agent: string;
  action: AuditAction;
  subtype: string;
  outcome: AuditOutcome;
  detail: string | null;
  leaf: Buffer | null;
}

/**
 * The facts of an entry not in a query column; with them and the columns the leaf is rebuilt. The
 * search query is kept base64-encoded, as the AuditEvent carries it (BALP), never as plain text.
 */
type Detail = Omit<AuditInput, 'agent' | 'action' | 'subtype' | 'outcome' | 'query'> & { org: string; query64?: string };

/** The leaf bytes of a stored entry: the canonical AuditEvent JSON. */
export function auditLeaf(row: EntryRow): Buffer {
  if (row.leaf) return row.leaf;
  const { org, query64, ...rest } = JSON.parse(row.detail!) as Detail;
  const input: AuditInput = { ...rest, agent: row.agent, action: row.action, subtype: row.subtype, outcome: row.outcome };
  if (query64 !== undefined) input.query = Buffer.from(query64, 'base64').toString('utf8');
  return Buffer.from(auditEventJson(org, input, row.idx, new Date(row.recorded_ms).toISOString()));
}

const ROW = 'idx, recorded_ms, agent, action, subtype, outcome, detail, leaf';

/** The audit log's leaves, rebuilt from its rows (for the Merkle log and for offline verification). */
export function auditLeaves(db: Db): LeafSource {
  const one = db.prepare(`SELECT ${ROW} FROM audit_entries WHERE idx = ?`);
  const all = db.prepare(`SELECT ${ROW} FROM audit_entries WHERE idx >= ? ORDER BY idx`);
  return {
    leaf: (idx) => {
      const row = one.get(idx) as EntryRow | undefined;
      return row && auditLeaf(row);
    },
    *leaves(from = 0) {
      for (const row of all.iterate(from) as Iterable<EntryRow>) yield [row.idx, auditLeaf(row)];
    },
  };
}

export class AuditLog {
  readonly log: PersistentLog;
  private readonly insert;

  private readonly tokens = new Map<string, string>();
  private readonly recordedAt;
  /** Time of the latest entry: entries are stamped no earlier, so time ranges are index ranges. */
  private lastMs: number;

  constructor(
    readonly db: Db,
    readonly org: string,
    private readonly tokenOf: (patientId: string) => string,
    private readonly signer: LocalAccount,
  ) {
    this.log = new PersistentLog(db, 'audit', auditLeaves(db));
    this.insert = db.prepare('INSERT INTO audit_entries (idx, recorded_ms, patient_token, agent, action, subtype, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.recordedAt = db.prepare('SELECT recorded_ms FROM audit_entries WHERE idx = ?').pluck();
    this.lastMs = (db.prepare('SELECT MAX(recorded_ms) FROM audit_entries').pluck().get() as number | null) ?? 0;
  }


  /** Appends inside the current transaction; returns the entry's index. */
  append(input: AuditInput): number {
    // A clock stepping back must not make the log's times go backwards (an entry a rollback discards
    // may leave lastMs ahead by a moment; that only holds the next stamps still, never reorders).
    const now = (this.lastMs = Math.max(this.lastMs, Date.now()));
    const leaf = Buffer.from(auditEventJson(this.org, input, this.log.next, new Date(now).toISOString()));
    const { agent, action, subtype, outcome, query, ...rest } = input;
    const detail: Detail = { ...rest, org: this.org };
    if (query) detail.query64 = Buffer.from(query).toString('base64');
    return this.log.append(leaf, (idx) =>
      this.insert.run(idx, now, input.patientId ? this.patientToken(input.patientId) : null, agent, action, subtype, outcome, JSON.stringify(detail)),
    );
  }

  /** The first index of an entry recorded at or after `ms` (entry times never decrease). */
  firstIndexAt(ms: number): number {
    let lo = 0;
    let hi = this.log.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.recordedAt.get(mid) as number) < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The entry indexes [from, to) recorded in [fromMs, toMs). */
  indexRange(fromMs?: number, toMs?: number): { from: number; to: number } {
    return { from: fromMs === undefined ? 0 : this.firstIndexAt(fromMs), to: toMs === undefined ? this.log.size : this.firstIndexAt(toMs) };
  }

  /** HMAC token of a patient id, memoized (bounded) because every audited access needs one. */
  private patientToken(patientId: string): string {
    let t = this.tokens.get(patientId);
    if (t === undefined) {
      if (this.tokens.size >= 100_000) this.tokens.clear();
      t = this.tokenOf(patientId);
      this.tokens.set(patientId, t);
    }
    return t;
  }

  /** Records that `agent` cares for the patient (from an Encounter's participants). */
  noteCareRelationship(patientId: string, agent: string): void {
    this.db.prepare('INSERT OR IGNORE INTO care_relationships (patient_token, agent) VALUES (?, ?)').run(this.patientToken(patientId), agent);
  }

  watch(patientId: string, reason: string): void {
    this.db.prepare('INSERT INTO watched_patients (patient_token, reason) VALUES (?, ?) ON CONFLICT (patient_token) DO UPDATE SET reason = excluded.reason').run(this.patientToken(patientId), reason);
  }

  entry(index: number): Record<string, unknown> | undefined {
    const leaf = this.log.leaf(index);
    return leaf && (JSON.parse(leaf.toString('utf8')) as Record<string, unknown>);
  }

  /**
   * Entry indexes matching a filter, oldest first; `after` continues from a previous page. The patient
   * and agent indexes are partitioned into epochs of 4,096 entries (see the migration) so an append
   * dirties few index pages; a filtered search walks the epochs of its range, newest last.
   */
  find(filter: { patientId?: string; fromMs?: number; toMs?: number; agent?: string; limit?: number; offset?: number; after?: number }): number[] {
    const range = this.indexRange(filter.fromMs, filter.toMs);
    const from = Math.max(range.from, (filter.after ?? -1) + 1);
    const want = (filter.offset ?? 0) + (filter.limit ?? 100);
    const page = (idx: number[]) => idx.slice(filter.offset ?? 0, want);
    if (!filter.patientId && !filter.agent) {
      return page(this.db.prepare('SELECT idx FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx LIMIT ?').pluck().all(from, range.to, want) as number[]);
    }
    const stmt = filter.patientId
      ? this.db.prepare('SELECT idx FROM audit_entries WHERE (idx >> 12) = @epoch AND patient_token = @p AND (@agent IS NULL OR agent = @agent) AND idx >= @from AND idx < @to ORDER BY idx')
      : this.db.prepare('SELECT idx FROM audit_entries WHERE (idx >> 12) = @epoch AND agent = @agent AND idx >= @from AND idx < @to ORDER BY idx');
    const params = { p: filter.patientId ? this.patientToken(filter.patientId) : null, agent: filter.agent ?? null, from, to: range.to };
    const found: number[] = [];
    for (let epoch = from >> 12; epoch <= (range.to - 1) >> 12 && found.length < want; epoch++) {
      found.push(...(stmt.pluck().all({ ...params, epoch }) as number[]));
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
