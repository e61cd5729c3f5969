/**
 * The exception workflow of a node: raising (by the node itself as it captures data and receives
 * product), listing with deadlines, and acting — investigate, resolve; for a suspect product,
 * quarantine on the ledger (status Suspect, which stops it being shipped or dispensed), clear, or
 * declare illegitimate, which notifies FDA (every regulator on the network), the manufacturer and
 * the immediate trading partners, with the 24-hour deadline shown until every notice is sent.
 */
import { bytesToHex, type Hex } from 'viem';
import type { Actor } from '../../identity/principal.ts';
import { listParticipants } from '../../indexer/projectors/participants.ts';
import { serialHistory } from '../../indexer/projectors/serial-registry.ts';
import { errorMessage, invalid, notFound, unprocessable } from '../../shared/errors.ts';
import type { Tx } from '../../storage/engine.ts';
import { auditSupply, type SupplyContext } from '../context.ts';
import { custodyOf } from '../ledger/custody.ts';
import { scan } from '../units/barcode.ts';
import type { UnitRecord } from '../units/store.ts';
import { ExceptionStore, type ExceptionRecord, type NotificationRecord } from './store.ts';
import { actionsFrom, deadlineOf, initialState, isTerminal, nextState, type ExceptionAction, type ExceptionKind } from './workflow.ts';

export interface ExceptionView {
  id: string;
  kind: ExceptionKind;
  state: string;
  subject: string;
  shipmentId: string | null;
  detail: Record<string, unknown>;
  raisedAt: string;
  updatedAt: string;
  determinedAt: string | null;
  resolution: string | null;
  deadline: { what: string; due: string; overdue: boolean } | null;
  actions: ExceptionAction[];
  history: ExceptionRecord['history'];
  notifications?: NotificationRecord[];
}

export interface IllegitimateNotice {
  kind: 'illegitimate-product';
  exceptionId: string;
  products: { id: string; gtin?: string; serial?: string; lot?: string; expiry?: string }[];
  determinedAt: string;
  notifyBy: string;
  reason: string;
}

export class ExceptionService {
  readonly store: ExceptionStore;

  constructor(private readonly ctx: SupplyContext) {
    this.store = new ExceptionStore(ctx.storage);
  }

  view(r: ExceptionRecord, notifications?: NotificationRecord[], nowMs = Date.now()): ExceptionView {
    const d = deadlineOf(r.kind, r.state, r.raisedMs, r.determinedMs);
    const pendingNotices = notifications?.some((n) => n.status !== 'sent') ?? true;
    return {
      id: r.id,
      kind: r.kind,
      state: r.state,
      subject: r.subject,
      shipmentId: r.shipmentId,
      detail: r.detail,
      raisedAt: new Date(r.raisedMs).toISOString(),
      updatedAt: new Date(r.updatedMs).toISOString(),
      determinedAt: r.determinedMs === null ? null : new Date(r.determinedMs).toISOString(),
      resolution: r.resolution,
      deadline: d && (r.state !== 'illegitimate' || pendingNotices) ? { what: d.what, due: new Date(d.dueMs).toISOString(), overdue: nowMs > d.dueMs } : null,
      actions: actionsFrom(r.kind, r.state),
      history: r.history,
      ...(notifications ? { notifications } : {}),
    };
  }

  /** Raises an exception inside a transaction of the caller (the node's own finding). */
  raiseIn(tx: Tx, kind: Exclude<ExceptionKind, 'suspect-product'>, subject: string, detail: Record<string, unknown>, shipmentId?: string | null, note?: string) {
    return this.store.raise(tx, { kind, state: initialState(kind), subject, shipmentId: shipmentId ?? null, detail, by: `Organization/${this.ctx.org}`, ...(note ? { note } : {}) });
  }

  /** Raises an exception on its own. */
  async raise(kind: Exclude<ExceptionKind, 'suspect-product'>, subject: string, detail: Record<string, unknown>, shipmentId?: string | null, note?: string): Promise<ExceptionRecord> {
    return (await this.ctx.queue.run((tx) => this.raiseIn(tx, kind, subject, detail, shipmentId, note))).record;
  }

  async list(filter: Parameters<ExceptionStore['list']>[0] = {}): Promise<ExceptionView[]> {
    const out: ExceptionView[] = [];
    for (const r of await this.store.list(filter)) out.push(this.view(r, r.kind === 'suspect-product' ? await this.store.notifications(r.id) : undefined));
    return out;
  }

  async get(id: string): Promise<ExceptionView> {
    const r = await this.store.get(id);
    if (!r) throw notFound(`exception ${id}`);
    return this.view(r, r.kind === 'suspect-product' ? await this.store.notifications(r.id) : undefined);
  }

  /**
   * Puts product in quarantine: a suspect-product investigation, and status Suspect on the ledger for
   * each unit this node holds, so no one can ship or dispense it until it is cleared.
   */
  async quarantine(actor: Actor, input: { barcodes: string[]; reason: string }): Promise<ExceptionView> {
    if (input.barcodes.length === 0) throw invalid('name at least one product to quarantine');
    const scanned = input.barcodes.map((b) => scan(b));
    const known: UnitRecord[] = [];
    for (const s of scanned) {
      const u = await this.ctx.units.unit(s.id);
      if (u) known.push(u);
    }
    const subject = scanned.map((s) => s.id).sort().join(',');
    const { record, created } = await this.ctx.queue.run((tx) =>
      this.store.raise(tx, { kind: 'suspect-product', state: 'quarantined', subject, detail: { reason: input.reason, products: scanned, onLedger: false }, by: actor.agent, note: input.reason }),
    );
    if (created && known.length) {
      const held = await this.heldByMe(known);
      if (held.length) {
        await this.ctx.ledger.setStatus(await this.ctx.resolver.refsFor(held), held.map((u) => bytesToHex(u.key)), 'suspect');
        record.detail.onLedger = true;
        record.detail.quarantinedOnLedger = held.map((u) => u.id);
        await this.ctx.queue.run((tx) => this.store.save(tx, record));
      }
    }
    await auditSupply(this.ctx, actor, 'quarantine', '0', `suspect product quarantined: ${input.reason}`, [`SupplyException/${record.id}`]);
    return this.get(record.id);
  }

  private async heldByMe(units: UnitRecord[]): Promise<UnitRecord[]> {
    const view = this.ctx.resolver.custodyView();
    const out: UnitRecord[] = [];
    for (const u of units) {
      const c = await custodyOf(view, bytesToHex(u.key));
      if (c && c.holder === this.ctx.orgId && !c.inShipment) out.push(u);
    }
    return out;
  }

  /** Moves an exception on: investigate, resolve, clear, declare illegitimate, close. */
  async act(actor: Actor, id: string, action: ExceptionAction, note?: string): Promise<ExceptionView> {
    const r = await this.store.get(id);
    if (!r) throw notFound(`exception ${id}`);
    const next = nextState(r.kind, r.state, action);
    if ((action === 'resolve' || action === 'clear' || action === 'close') && !note?.trim()) throw invalid(`say how the exception was ${action === 'clear' ? 'cleared' : action === 'close' ? 'closed (the product\'s disposition)' : 'resolved'} (note)`);
    if (action === 'close') {
      const pending = (await this.store.notifications(id)).filter((n) => n.status !== 'sent');
      if (pending.length) throw unprocessable(`${pending.length} notification(s) are not sent yet (${pending.map((n) => n.role).join(', ')}): retry them before closing`, 'notifications-pending');
    }
    const now = Date.now();
    if (action === 'clear' && r.detail.onLedger) {
      const units = await this.unitsOf(r);
      const held = await this.heldByMe(units);
      if (held.length) await this.ctx.ledger.setStatus([], held.map((u) => bytesToHex(u.key)), 'none');
    }
    r.state = next;
    r.updatedMs = now;
    if (isTerminal(next)) r.resolution = note ?? null;
    if (action === 'declare-illegitimate') r.determinedMs = now;
    r.history.push({ at: new Date(now).toISOString(), action, by: actor.agent, ...(note ? { note } : {}) });
    await this.ctx.queue.run(async (tx) => {
      await this.store.save(tx, r);
      if (action === 'declare-illegitimate') for (const n of await this.recipients(r)) await this.store.addNotification(tx, { exceptionId: r.id, ...n });
    });
    await auditSupply(this.ctx, actor, `exception-${action}`, '0', `${r.kind} ${r.subject}: ${note ?? action}`, [`SupplyException/${r.id}`]);
    if (action === 'declare-illegitimate') await this.sendNotices(actor, r.id);
    return this.get(r.id);
  }

  private async unitsOf(r: ExceptionRecord): Promise<UnitRecord[]> {
    const out: UnitRecord[] = [];
    for (const id of r.subject.split(',')) {
      const u = await this.ctx.units.unit(id);
      if (u) out.push(u);
    }
    return out;
  }

  /** FDA (every active regulator), the manufacturer, and the organizations this node got the product from and sent it to. */
  private async recipients(r: ExceptionRecord): Promise<{ recipient: Hex; role: NotificationRecord['role'] }[]> {
    const out = new Map<string, NotificationRecord['role']>();
    for (const p of await listParticipants(this.ctx.storage, { kind: 'regulator', active: true })) out.set(p.orgId, 'regulator');
    const units = await this.unitsOf(r);
    for (const u of units) {
      const lot = await this.ctx.resolver.lotOf(u);
      if (lot && lot.manufacturer !== this.ctx.orgId && !out.has(lot.manufacturer)) out.set(lot.manufacturer, 'manufacturer');
    }
    const keys = units.map((u) => bytesToHex(u.key));
    // The containers they came in carry the shipments too.
    for (const u of units) {
      const c = await custodyOf(this.ctx.resolver.custodyView(), bytesToHex(u.key));
      for (const k of c?.path.slice(1) ?? []) keys.push(k);
      if (c?.unit.parent) keys.push(c.unit.parent);
    }
    for (const h of await serialHistory(this.ctx.storage, keys)) {
      if (h.kind === 'received' && h.org === this.ctx.orgId && h.other && !out.has(h.other)) out.set(h.other, 'supplier');
      if (h.kind === 'shipped' && h.org === this.ctx.orgId && h.other && !out.has(h.other)) out.set(h.other, 'customer');
    }
    out.delete(this.ctx.orgId);
    return [...out].map(([recipient, role]) => ({ recipient: recipient as Hex, role }));
  }

  /** Sends (or re-sends) the pending notices of an illegitimate product. */
  async sendNotices(actor: Actor, id: string): Promise<NotificationRecord[]> {
    const r = await this.store.get(id);
    if (!r || r.kind !== 'suspect-product' || r.determinedMs === null) throw notFound(`illegitimate-product exception ${id}`);
    const products = (r.detail.products as IllegitimateNotice['products'] | undefined) ?? r.subject.split(',').map((s) => ({ id: s }));
    const notice: IllegitimateNotice = {
      kind: 'illegitimate-product',
      exceptionId: r.id,
      products,
      determinedAt: new Date(r.determinedMs).toISOString(),
      notifyBy: new Date(r.determinedMs + 24 * 3600_000).toISOString(),
      reason: String(r.detail.reason ?? ''),
    };
    for (const n of await this.store.notifications(id)) {
      if (n.status === 'sent') continue;
      try {
        await this.ctx.peer.call(n.recipient as Hex, 'supply-notice', 'POST', '/api/supply/peer/notices', notice);
        await this.store.setNotification(id, n.recipient, 'sent', null);
      } catch (err) {
        await this.store.setNotification(id, n.recipient, 'failed', errorMessage(err));
      }
    }
    const result = await this.store.notifications(id);
    await auditSupply(this.ctx, actor, 'notify', result.every((n) => n.status === 'sent') ? '0' : '4', `illegitimate product notices: ${result.map((n) => `${n.role} ${n.status}`).join(', ')}`, [`SupplyException/${id}`]);
    return result;
  }

  /** Raises the data-without-product exceptions of inbound shipments whose data is older than the setting and whose product never came. */
  async sweep(nowMs = Date.now()): Promise<ExceptionRecord[]> {
    const cutoff = nowMs - this.ctx.settings.dataWithoutProductHours * 3600_000;
    const stale = await this.ctx.storage.all<{ shipment_id: string; partner: string; manifest: string; data_ms: number }>(
      `SELECT shipment_id, partner, manifest, data_ms FROM supply_shipments WHERE direction = 'in' AND state = 'expected' AND data_ms < ?`,
      [cutoff],
    );
    const raised: ExceptionRecord[] = [];
    for (const s of stale) {
      raised.push(
        await this.raise('data-without-product', s.shipment_id, { partner: s.partner, units: (JSON.parse(s.manifest) as { top: string[] }).top, dataAt: new Date(Number(s.data_ms)).toISOString() }, s.shipment_id, `no product received ${this.ctx.settings.dataWithoutProductHours} h after its data`),
      );
    }
    return raised;
  }
}
