/**
 * Requests for records (DSCSA §582(b)(1)(B), (c)(1)(C), (d)(1)(C), (e)(1)(C)): a regulator, or a trading
 * partner that handled the product, asks a node for a product's transaction information and
 * statements. The node answers at once — well within the one business day the Act allows, whose
 * deadline the answer states — with:
 * - an EPCIS document of every event it holds about the product and the containers it travelled in;
 * - the transactions from the ledger (who shipped it to whom, and when it was received), with the
 *   transaction statement of each seller;
 * - proofs: the commissioning leaf and its inclusion proof to the batch root on chain, and for every
 *   anchored event its supply-log leaf and inclusion proof to an anchored root;
 * - a readable report (Markdown).
 * The requester checks every proof against its own index of the ledger before it keeps the answer.
 */
import { randomUUID } from 'node:crypto';
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { logIdOf } from '../../chain/ids.ts';
import type { Actor } from '../../identity/principal.ts';
import { listAnchors } from '../../indexer/projectors/anchors.ts';
import { getParticipant, type Participant } from '../../indexer/projectors/participants.ts';
import { serialHistory, serialLot, serialShipment, type HistoryRow } from '../../indexer/projectors/serial-registry.ts';
import { leafHash } from '../../merkle/hasher.ts';
import { verifyInclusion } from '../../merkle/verify.ts';
import { forbidden, invalid, notFound } from '../../shared/errors.ts';
import { z } from 'zod';
import { auditSupply, type SupplyContext } from '../context.ts';
import { epcisDocument, unitDl } from '../events/build.ts';
import { eventHashId } from '../epcis/index.ts';
import { oneBusinessDayAfter } from '../exceptions/deadlines.ts';
import { custodyOf, statusesOf } from '../ledger/custody.ts';
import { scan } from '../units/barcode.ts';
import type { UnitRecord } from '../units/store.ts';
import type { ShipmentStore } from '../trade/shipments.ts';
import { recordsReport, TRANSACTION_STATEMENT, type ReportTransaction } from './report.ts';

export const recordsRequestSchema = z.object({ requestId: z.string().min(8).max(80), product: z.string().min(5).max(400) }).strict();

export interface RecordsAnswer {
  requestId: string;
  requester: Hex;
  responder: Hex;
  product: { id: string; gtin?: string; serial?: string; lot?: string; expiry?: string };
  receivedAt: string;
  dueBy: string;
  answeredAt: string;
  withinDeadline: boolean;
  status: string;
  transactions: (ReportTransaction & { shippedBlock: number; receivedBlock: number | null })[];
  statement: string[];
  epcis: Record<string, unknown>;
  proofs: {
    commissioning: { lotId: Hex; batch: number; index: number; count: number; root: Hex; commitment: Hex; parent: Hex; proof: Hex[]; blockNumber: number; txHash: Hex } | null;
    events: { eventID: string; leafIndex: number; leaf: string; proof: Hex[]; anchor: { index: number; treeSize: number; root: Hex; blockNumber: number } }[];
    ledger: HistoryRow[];
  };
  report: string;
}

export interface CheckedAnswer extends RecordsAnswer {
  /** The requester's check of the proofs against its own index of the ledger. */
  checked: { eventsProven: number; eventsUnproven: number; problems: string[] };
}

export class RecordsRequests {
  constructor(
    private readonly ctx: SupplyContext,
    private readonly shipments: ShipmentStore,
  ) {}

  /** Every container the unit was ever in (commissioning, packing on chain, now), and the unit itself. */
  private async containersOf(u: UnitRecord): Promise<Hex[]> {
    const keys = new Set<Hex>([bytesToHex(u.key)]);
    for (let p = u.parentKey; p; ) {
      keys.add(bytesToHex(p));
      p = (await this.ctx.units.unitByKey(p))?.parentKey ?? null;
    }
    for (const h of await serialHistory(this.ctx.storage, [...keys])) if (h.kind === 'packed-into' && h.other) keys.add(h.other);
    const c = await custodyOf(this.ctx.resolver.custodyView(), bytesToHex(u.key));
    for (const k of c?.path ?? []) keys.add(k);
    return [...keys];
  }

  /** Answers a request from another organization (signed; a regulator, or a partner the ledger shows handling the product). */
  async answer(requester: Participant, body: unknown): Promise<RecordsAnswer> {
    const actor: Actor = { agent: `Organization/${requester.orgId}` };
    const parsed = recordsRequestSchema.safeParse(body);
    if (!parsed.success) throw invalid(`invalid request for records: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    const receivedMs = Date.now();
    const s = scan(parsed.data.product);
    const unit = await this.ctx.units.unit(s.id);
    if (!unit) {
      await auditSupply(this.ctx, actor, 'records-request', '4', `no records of ${s.id}`, [`Product/${s.id}`], 'R');
      throw notFound(`records of ${s.id} (this organization holds none)`);
    }
    const keys = await this.containersOf(unit);
    const history = await serialHistory(this.ctx.storage, keys);
    const lot = await this.ctx.resolver.lotOf(unit);
    if (lot) history.push(...(await serialHistory(this.ctx.storage, [lot.lotId])));
    const involved = new Set(history.flatMap((h) => [h.org, h.other]));
    if (requester.kind !== 'regulator' && !involved.has(requester.orgId.toLowerCase() as Hex)) {
      await auditSupply(this.ctx, actor, 'records-request', '4', `refused: ${requester.name} is neither a regulator nor a trading partner of this product`, [`Product/${s.id}`], 'R');
      throw forbidden('records are released to regulators and to the trading partners the ledger shows handling this product');
    }
    // Transactions: every shipment of the unit or of a container it was in.
    const transactions: RecordsAnswer['transactions'] = [];
    const names = new Map<string, string>();
    const nameOf = async (org: Hex) => names.get(org) ?? names.set(org, (await getParticipant(this.ctx.storage, org))?.name ?? org).get(org)!;
    for (const id of [...new Set(history.filter((h) => h.kind === 'shipped').map((h) => h.detail as Hex))]) {
      const sh = await serialShipment(this.ctx.storage, id);
      if (!sh) continue;
      const local = await this.shipments.get(id);
      transactions.push({
        shipmentId: id,
        from: await nameOf(sh.from),
        to: await nameOf(sh.to),
        state: sh.state,
        shippedAt: local?.shippedMs ? new Date(local.shippedMs).toISOString() : `block ${sh.shippedBlock}`,
        receivedAt: sh.state === 'received' ? (local?.receivedMs ? new Date(local.receivedMs).toISOString() : `block ${sh.settledBlock}`) : null,
        txHash: sh.txHash,
        shippedBlock: sh.shippedBlock,
        receivedBlock: sh.state === 'received' ? sh.settledBlock : null,
      });
    }
    transactions.sort((a, b) => a.shippedBlock - b.shippedBlock);
    // Events and their proofs.
    const ids = await Promise.all(keys.map(async (k) => (await this.ctx.units.unitByKey(Buffer.from(k.slice(2), 'hex')))?.id));
    const dls = ids.filter((i): i is string => !!i).map(unitDl);
    const events = await this.ctx.events.about(dls, 5000);
    const anchors = await this.ctx.anchorer.anchors();
    const eventProofs: RecordsAnswer['proofs']['events'] = [];
    for (const e of events) {
      const anchor = anchors.filter((a) => a.treeSize > e.idx).sort((a, b) => a.index - b.index)[0];
      if (!anchor) continue;
      eventProofs.push({ eventID: e.eventID, leafIndex: e.idx, leaf: (await this.ctx.events.leaf(e.idx))!.toString('base64'), proof: this.ctx.events.proof(e.idx, anchor.treeSize), anchor: { index: anchor.index, treeSize: anchor.treeSize, root: anchor.root, blockNumber: anchor.blockNumber } });
    }
    let commissioning: RecordsAnswer['proofs']['commissioning'] = null;
    if (lot && unit.batch !== null && unit.leafIndex !== null) {
      const batch = history.find((h) => h.kind === 'commissioned' && JSON.parse(h.detail ?? '{}').batch === unit.batch);
      const ref = await this.ctx.resolver.ref(unit).catch(() => undefined);
      if (ref && batch) {
        const d = JSON.parse(batch.detail!) as { root: Hex; count: number };
        commissioning = { lotId: lot.lotId, batch: unit.batch, index: unit.leafIndex, count: d.count, root: d.root, commitment: ref.commitment, parent: ref.parent, proof: ref.proof, blockNumber: batch.block, txHash: batch.txHash };
      }
    }
    const custody = await custodyOf(this.ctx.resolver.custodyView(), bytesToHex(unit.key));
    const statuses = custody ? await statusesOf(this.ctx.resolver.custodyView(), custody) : [];
    const status = custody?.unit.state === 'dispensed' ? 'dispensed' : statuses.map((x) => x.status).join(', ') || 'in good standing';
    const answeredMs = Date.now();
    const dueMs = oneBusinessDayAfter(receivedMs);
    const me = await getParticipant(this.ctx.storage, this.ctx.orgId);
    const chainLot = lot ? await serialLot(this.ctx.storage, lot.lotId) : undefined;
    const answer: RecordsAnswer = {
      requestId: parsed.data.requestId,
      requester: requester.orgId,
      responder: this.ctx.orgId,
      product: { id: s.id, ...(s.gtin ? { gtin: s.gtin, serial: s.serial } : {}), ...(lot ? { lot: lot.lot, expiry: lot.expiry } : {}) },
      receivedAt: new Date(receivedMs).toISOString(),
      dueBy: new Date(dueMs).toISOString(),
      answeredAt: new Date(answeredMs).toISOString(),
      withinDeadline: answeredMs <= dueMs,
      status,
      transactions,
      statement: TRANSACTION_STATEMENT,
      epcis: epcisDocument(events.map((e) => e.event)),
      proofs: { commissioning, events: eventProofs, ledger: history },
      report: '',
    };
    answer.report = recordsReport({
      requestId: answer.requestId,
      requester: requester.name,
      responder: me?.name ?? this.ctx.org,
      receivedAt: answer.receivedAt,
      dueBy: answer.dueBy,
      answeredAt: answer.answeredAt,
      product: { gtin: s.gtin ?? '', serial: s.serial ?? s.sscc ?? '', lot: lot?.lot ?? '', expiry: lot?.expiry ?? '', manufacturer: chainLot ? await nameOf(chainLot.manufacturer) : '', ...(lot?.product ? { name: lot.product } : {}) },
      commissioned: commissioning && { at: `block ${commissioning.blockNumber}`, txHash: commissioning.txHash, batch: commissioning.batch, root: commissioning.root },
      transactions,
      status,
      events: events.map((e) => ({ eventID: e.eventID, type: String(e.event.type), bizStep: typeof e.event.bizStep === 'string' ? e.event.bizStep : null, eventTime: String(e.event.eventTime), anchored: eventProofs.some((p) => p.leafIndex === e.idx) })),
    });
    await this.ctx.queue.run((tx) =>
      tx.run('INSERT INTO supply_records_requests (request_id, direction, partner, product, received_ms, due_ms, answered_ms, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING', [
        `in:${requester.orgId}:${answer.requestId}`, 'in', requester.orgId, s.id, receivedMs, dueMs, answeredMs, JSON.stringify({ transactions: transactions.length, events: events.length }),
      ]),
    );
    await auditSupply(this.ctx, actor, 'records-request', '0', `${s.id}: ${transactions.length} transaction(s), ${events.length} event(s), answered in ${answeredMs - receivedMs} ms (due ${answer.dueBy})`, [`Product/${s.id}`], 'R');
    return answer;
  }

  /** Asks another organization for a product's records, and checks every proof of the answer against this node's index. */
  async ask(actor: Actor, input: { org: Hex; product: string }): Promise<CheckedAnswer> {
    const requestId = randomUUID();
    const sentMs = Date.now();
    const r = await this.ctx.peer.call<RecordsAnswer>(input.org, 'supply-records', 'POST', '/api/supply/peer/records-requests', { requestId, product: input.product });
    const answer = r.body;
    const checked = await this.check(input.org, answer);
    await this.ctx.queue.run((tx) =>
      tx.run('INSERT INTO supply_records_requests (request_id, direction, partner, product, received_ms, due_ms, answered_ms, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        `out:${input.org}:${requestId}`, 'out', input.org, answer.product.id, sentMs, Date.parse(answer.dueBy), Date.parse(answer.answeredAt), JSON.stringify({ ...answer, checked }),
      ]),
    );
    await auditSupply(this.ctx, actor, 'records-ask', checked.problems.length ? '4' : '0', `${answer.product.id} from ${input.org}: ${checked.eventsProven} event(s) proven${checked.problems.length ? `; ${checked.problems.join('; ')}` : ''}`, [`Product/${answer.product.id}`], 'R');
    return { ...answer, checked };
  }

  /** Checks an answer's event proofs (leaf ↔ event content via the CBV hash ID, inclusion, anchored root on the ledger). */
  async check(responder: Hex, a: RecordsAnswer): Promise<CheckedAnswer['checked']> {
    // The responder may have anchored just now: judge only once this node has indexed the blocks the
    // proofs name (bounded; a root still missing after that is reported as not on the ledger).
    const newest = Math.max(0, ...a.proofs.events.map((p) => p.anchor.blockNumber ?? 0));
    if (newest > this.ctx.indexer.indexedBlock) await this.ctx.indexer.waitForBlock(newest, 10_000).catch(() => {});
    const anchors = await listAnchors(this.ctx.storage, { orgId: responder, kind: 'supply', logId: logIdOf('supply'), limit: 1_000_000 });
    const problems: string[] = [];
    const events = ((a.epcis.epcisBody as { eventList?: Record<string, unknown>[] })?.eventList ?? []);
    let proven = 0;
    for (const p of a.proofs.events) {
      const leaf = Buffer.from(p.leaf, 'base64');
      const fields = JSON.parse(leaf.toString('utf8')) as { e: string; h: string };
      const event = events.find((e) => e.eventID === p.eventID);
      const anchored = anchors.find((x) => x.index === p.anchor.index);
      if (!event) problems.push(`${p.eventID}: proof without its event`);
      else if (fields.e !== p.eventID || fields.h !== eventHashId(event)) problems.push(`${p.eventID}: the log entry does not describe this event's content`);
      else if (!anchored || anchored.root !== p.anchor.root || anchored.treeSize !== p.anchor.treeSize) problems.push(`${p.eventID}: root #${p.anchor.index} is not the responder's anchored supply-log root on the ledger`);
      else {
        const v = verifyInclusion(p.leafIndex, p.anchor.treeSize, leafHash(leaf), p.proof.map((h) => hexToBytes(h)), hexToBytes(p.anchor.root));
        if (v.ok) proven++;
        else problems.push(`${p.eventID}: ${v.reason}`);
      }
    }
    return { eventsProven: proven, eventsUnproven: events.length - proven, problems };
  }

  async list(direction?: 'in' | 'out'): Promise<{ requestId: string; direction: string; partner: string; product: string; receivedAt: string; dueBy: string; answeredAt: string | null; withinDeadline: boolean | null }[]> {
    const rows = await this.ctx.storage.all<{ request_id: string; direction: string; partner: string; product: string; received_ms: number; due_ms: number; answered_ms: number | null }>(
      `SELECT request_id, direction, partner, product, received_ms, due_ms, answered_ms FROM supply_records_requests ${direction ? 'WHERE direction = ?' : ''} ORDER BY received_ms DESC LIMIT 500`,
      direction ? [direction] : [],
    );
    return rows.map((r) => ({
      requestId: r.request_id.split(':').slice(2).join(':'),
      direction: r.direction,
      partner: r.partner,
      product: r.product,
      receivedAt: new Date(Number(r.received_ms)).toISOString(),
      dueBy: new Date(Number(r.due_ms)).toISOString(),
      answeredAt: r.answered_ms === null ? null : new Date(Number(r.answered_ms)).toISOString(),
      withinDeadline: r.answered_ms === null ? null : Number(r.answered_ms) <= Number(r.due_ms),
    }));
  }
}
