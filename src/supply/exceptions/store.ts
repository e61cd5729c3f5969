/**
 * Exceptions and suspect-product investigations as rows (`supply_exceptions`, `supply_notifications`),
 * with their history of actions. Raising an exception that is already open for the same kind and
 * subject returns the open one: an exception is a piece of work, not a log line.
 */
import { randomUUID } from 'node:crypto';
import type { Sql, Tx } from '../../storage/engine.ts';
import { isTerminal, type ExceptionAction, type ExceptionKind, type ExceptionState } from './workflow.ts';

export interface HistoryEntry {
  at: string;
  action: ExceptionAction | 'raise' | 'note' | 'notify';
  by: string;
  note?: string;
}

export interface ExceptionRecord {
  id: string;
  kind: ExceptionKind;
  state: ExceptionState;
  /** What it is about: a unit id, a shipment id, a GLN. */
  subject: string;
  shipmentId: string | null;
  detail: Record<string, unknown>;
  raisedMs: number;
  updatedMs: number;
  determinedMs: number | null;
  resolution: string | null;
  history: HistoryEntry[];
}

export interface NotificationRecord {
  exceptionId: string;
  recipient: string;
  role: 'regulator' | 'manufacturer' | 'supplier' | 'customer';
  status: 'pending' | 'sent' | 'failed';
  sentMs: number | null;
  error: string | null;
}

type Row = { exception_id: string; kind: ExceptionKind; state: ExceptionState; subject: string; shipment_id: string | null; detail: string; raised_ms: number; updated_ms: number; determined_ms: number | null; resolution: string | null; history: string };
const toRecord = (r: Row): ExceptionRecord => ({
  id: r.exception_id,
  kind: r.kind,
  state: r.state,
  subject: r.subject,
  shipmentId: r.shipment_id,
  detail: JSON.parse(r.detail) as Record<string, unknown>,
  raisedMs: Number(r.raised_ms),
  updatedMs: Number(r.updated_ms),
  determinedMs: r.determined_ms === null ? null : Number(r.determined_ms),
  resolution: r.resolution,
  history: JSON.parse(r.history) as HistoryEntry[],
});

export class ExceptionStore {
  constructor(private readonly sql: Sql) {}

  /** Raises an exception, or returns the open one of the same kind and subject (with `created` false). */
  async raise(tx: Tx, e: { kind: ExceptionKind; state: ExceptionState; subject: string; shipmentId?: string | null; detail: Record<string, unknown>; by: string; note?: string; nowMs?: number }): Promise<{ record: ExceptionRecord; created: boolean }> {
    const open = (await tx.all<Row>('SELECT * FROM supply_exceptions WHERE kind = ? AND subject = ?', [e.kind, e.subject])).map(toRecord).find((r) => !isTerminal(r.state));
    if (open) return { record: open, created: false };
    const now = e.nowMs ?? Date.now();
    const record: ExceptionRecord = {
      id: randomUUID(),
      kind: e.kind,
      state: e.state,
      subject: e.subject,
      shipmentId: e.shipmentId ?? null,
      detail: e.detail,
      raisedMs: now,
      updatedMs: now,
      determinedMs: null,
      resolution: null,
      history: [{ at: new Date(now).toISOString(), action: 'raise', by: e.by, ...(e.note ? { note: e.note } : {}) }],
    };
    await tx.run(
      'INSERT INTO supply_exceptions (exception_id, kind, state, subject, shipment_id, detail, raised_ms, updated_ms, determined_ms, resolution, history) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)',
      [record.id, record.kind, record.state, record.subject, record.shipmentId, JSON.stringify(record.detail), now, now, JSON.stringify(record.history)],
    );
    return { record, created: true };
  }

  async get(id: string, sql: Sql = this.sql): Promise<ExceptionRecord | undefined> {
    const r = await sql.get<Row>('SELECT * FROM supply_exceptions WHERE exception_id = ?', [id]);
    return r && toRecord(r);
  }

  async save(tx: Tx, r: ExceptionRecord): Promise<void> {
    await tx.run('UPDATE supply_exceptions SET state = ?, detail = ?, updated_ms = ?, determined_ms = ?, resolution = ?, history = ? WHERE exception_id = ?', [
      r.state, JSON.stringify(r.detail), r.updatedMs, r.determinedMs, r.resolution, JSON.stringify(r.history), r.id,
    ]);
  }

  async list(filter: { kind?: ExceptionKind; state?: ExceptionState; subject?: string; shipmentId?: string; open?: boolean; limit?: number } = {}): Promise<ExceptionRecord[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.kind) where.push('kind = ?'), params.push(filter.kind);
    if (filter.state) where.push('state = ?'), params.push(filter.state);
    if (filter.subject) where.push('subject = ?'), params.push(filter.subject);
    if (filter.shipmentId) where.push('shipment_id = ?'), params.push(filter.shipmentId);
    if (filter.open) where.push(`state NOT IN ('resolved', 'cleared', 'closed')`);
    const rows = await this.sql.all<Row>(`SELECT * FROM supply_exceptions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_ms DESC, exception_id LIMIT ?`, [...params, filter.limit ?? 1000]);
    return rows.map(toRecord);
  }

  async addNotification(tx: Tx, n: Omit<NotificationRecord, 'status' | 'sentMs' | 'error'>): Promise<void> {
    await tx.run('INSERT INTO supply_notifications (exception_id, recipient, role, status, sent_ms, error) VALUES (?, ?, ?, ?, NULL, NULL) ON CONFLICT (exception_id, recipient) DO NOTHING', [n.exceptionId, n.recipient, n.role, 'pending']);
  }

  async setNotification(exceptionId: string, recipient: string, status: 'sent' | 'failed', error: string | null): Promise<void> {
    await this.sql.run('UPDATE supply_notifications SET status = ?, sent_ms = ?, error = ? WHERE exception_id = ? AND recipient = ?', [status, status === 'sent' ? Date.now() : null, error, exceptionId, recipient]);
  }

  async notifications(exceptionId: string): Promise<NotificationRecord[]> {
    const rows = await this.sql.all<{ exception_id: string; recipient: string; role: NotificationRecord['role']; status: NotificationRecord['status']; sent_ms: number | null; error: string | null }>(
      'SELECT * FROM supply_notifications WHERE exception_id = ? ORDER BY role, recipient',
      [exceptionId],
    );
    return rows.map((r) => ({ exceptionId: r.exception_id, recipient: r.recipient, role: r.role, status: r.status, sentMs: r.sent_ms === null ? null : Number(r.sent_ms), error: r.error }));
  }
}
