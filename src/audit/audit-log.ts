/**
 * The node's audit trail: one FHIR AuditEvent (IHE BALP shape) per access, change, denial and
 * erasure, each a leaf of an RFC 6962 Merkle log whose tree heads are signed by the organization and
 * anchored on the ledger. Appends run inside the same database transaction as the action they record.
 */
import { bytesToHex, recoverMessageAddress, type Hex } from 'viem';
import type { LocalAccount } from 'viem/accounts';
import type { Db, Migration } from '../db/database.ts';
import { PersistentLog } from '../merkle/persistent-log.ts';

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

export class AuditLog {
  readonly log: PersistentLog;
  private readonly insert;

  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly db: Db,
    readonly org: string,
    private readonly tokenOf: (patientId: string) => string,
    private readonly signer: LocalAccount,
  ) {
    this.log = new PersistentLog(db, 'audit');
    this.insert = db.prepare('INSERT INTO audit_entries (idx, recorded_ms, patient_token, agent, action, subtype, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /**
   * The AuditEvent for an input, in the IHE Basic Audit Log Patterns shape. Every object is built
   * with its keys in sorted order, so plain JSON.stringify gives the canonical leaf bytes (the test
   * suite checks this against canonicalJson) without a sorting pass on the hot path.
   */
  event(input: AuditInput, index: number, recorded: string): Record<string, unknown> {
    const rest = RESTFUL.has(input.subtype);
    const coding = (system: string, code: string) => ({ code, system });
    return {
      action: input.action,
      agent: [
        {
          ...(input.network ? { network: { address: input.network, type: '2' } } : {}),
          requestor: true,
          type: { coding: [coding('http://terminology.hl7.org/CodeSystem/v3-ParticipationType', 'IRCP')] },
          who: { reference: input.agent },
        },
        ...(input.onBehalfOf ? [{ requestor: false, who: { reference: input.onBehalfOf } }] : []),
      ],
      entity: [
        ...(input.patientId ? [{ role: coding('http://terminology.hl7.org/CodeSystem/object-role', '1'), type: coding('http://terminology.hl7.org/CodeSystem/audit-entity-type', '1'), what: { reference: `Patient/${input.patientId}` } }] : []),
        ...(input.what ?? []).map((w) => ({ role: coding('http://terminology.hl7.org/CodeSystem/object-role', '4'), type: coding('http://terminology.hl7.org/CodeSystem/audit-entity-type', '2'), what: { reference: w } })),
        ...(input.query ? [{ query: Buffer.from(input.query).toString('base64'), role: coding('http://terminology.hl7.org/CodeSystem/object-role', '24'), type: coding('http://terminology.hl7.org/CodeSystem/audit-entity-type', '2') }] : []),
      ],
      id: String(index),
      outcome: input.outcome,
      ...(input.outcomeDesc ? { outcomeDesc: input.outcomeDesc } : {}),
      ...(input.purpose ? { purposeOfEvent: [{ coding: [coding('http://terminology.hl7.org/CodeSystem/v3-ActReason', input.purpose)] }] } : {}),
      recorded,
      resourceType: 'AuditEvent',
      source: { observer: { display: this.org }, type: [{ code: '4', display: 'Application Server', system: 'http://terminology.hl7.org/CodeSystem/security-source-type' }] },
      subtype: [rest ? coding('http://hl7.org/fhir/restful-interaction', input.subtype) : coding('urn:carechain:audit-subtype', input.subtype)],
      type: rest ? { code: 'rest', display: 'RESTful Operation', system: 'http://terminology.hl7.org/CodeSystem/audit-event-type' } : { code: '110110', display: 'Patient Record', system: DCM },
    };
  }

  /** Appends inside the current transaction; returns the entry's index. */
  append(input: AuditInput): number {
    const index = this.log.size + this.log.mark();
    const now = Date.now();
    const recorded = new Date(now).toISOString();
    const leaf = Buffer.from(JSON.stringify(this.event(input, index, recorded)));
    const idx = this.log.append(leaf);
    this.insert.run(idx, now, input.patientId ? this.patientToken(input.patientId) : null, input.agent, input.action, input.subtype, input.outcome);
    return idx;
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

  /** Entry indexes matching a filter, oldest first. */
  find(filter: { patientId?: string; fromMs?: number; toMs?: number; agent?: string; limit?: number; offset?: number }): number[] {
    const rows = this.db
      .prepare(
        `SELECT idx FROM audit_entries
          WHERE (@p IS NULL OR patient_token = @p) AND (@from IS NULL OR recorded_ms >= @from) AND (@to IS NULL OR recorded_ms < @to)
            AND (@agent IS NULL OR agent = @agent) AND idx < @size
          ORDER BY idx LIMIT @limit OFFSET @offset`,
      )
      .all({
        p: filter.patientId ? this.patientToken(filter.patientId) : null,
        from: filter.fromMs ?? null,
        to: filter.toMs ?? null,
        agent: filter.agent ?? null,
        size: this.log.size,
        limit: filter.limit ?? 100,
        offset: filter.offset ?? 0,
      }) as { idx: number }[];
    return rows.map((r) => r.idx);
  }

  /** A tree head of the current log, signed with the organization's key (EIP-191). */
  async signedTreeHead(size = this.log.size): Promise<SignedTreeHead> {
    const head = { org: this.org, treeSize: size, root: bytesToHex(this.log.tree.root(size)), timestamp: new Date().toISOString() };
    const signature = await this.signer.signMessage({ message: sthMessage(head) });
    return { ...head, signer: this.signer.address, signature };
  }
}
