/**
 * What trading partners do with serialized product, each step written to the ledger through the
 * SerialRegistry and recorded as EPCIS:
 *
 * - pack / unpack (AggregationEvent ADD / DELETE): containers on chain, their contents following them;
 * - ship (shipping ObjectEvent, then the transfer data — EPCIS plus the units' commitments and proofs —
 *   sent signed to the receiver's node); custody passes only when the receiver confirms;
 * - accept the data of an inbound shipment (checked against the ledger: keys, proofs, shipment);
 * - receive (receiving ObjectEvent): the product scanned is compared with the data and the ledger, and
 *   every discrepancy is raised as an exception (product without data, data without product,
 *   aggregation mismatch); a saleable return is verified item by item before it is accepted;
 * - dispense (dispensing ObjectEvent, decommission on the ledger);
 * - status: recall a lot, report a unit stolen, destroyed, ... (the ledger decides who may).
 */
import { randomBytes } from 'node:crypto';
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import type { Actor } from '../../identity/principal.ts';
import type { Participant } from '../../indexer/projectors/participants.ts';
import { companyPrefixesOf, locationOwner, locationsOf, serialBatch, serialChildren, serialLot, serialShipment, serialShipmentUnits, type SerialStatus } from '../../indexer/projectors/serial-registry.ts';
import { conflict, forbidden, invalid, notFound, unprocessable } from '../../shared/errors.ts';
import { auditSupply, audited, type SupplyContext } from '../context.ts';
import { glnsOf, type CaptureService } from '../events/capture.ts';
import { aggregationEvent, epcisDocument, lgtinDl, locationDl, objectEvent, partyDl, unitDl } from '../events/build.ts';
import { eventsOf } from '../epcis/index.ts';
import type { ExceptionService } from '../exceptions/service.ts';
import { checkReceipt } from '../aggregation/receipt-check.ts';
import { checkBatchProof } from '../ledger/batch.ts';
import { custodyOf } from '../ledger/custody.ts';
import { commitmentOf, containerId, parseUnitId, unitKeyOf } from '../ledger/keys.ts';
import { scan } from '../units/barcode.ts';
import type { UnitRecord } from '../units/store.ts';
import type { VerificationService } from '../verification/service.ts';
import { randomSscc } from './commission.ts';
import { transferPacketSchema, type DisclosedUnit, type TransferPacket } from './packet.ts';
import { ShipmentStore, type Manifest, type ShipmentRecord } from './shipments.ts';

const STATUS_DISPOSITION: Record<SerialStatus, string> = {
  none: 'active',
  recalled: 'recalled',
  stolen: 'stolen',
  destroyed: 'destroyed',
  suspect: 'non_sellable_other',
  illegitimate: 'non_sellable_other',
};

export interface ReceiveInput {
  /** The shipment, if known; else found from the scanned units. */
  shipmentId?: Hex;
  /** The top-level units scanned (barcodes). */
  scanned: string[];
  /** Containers opened at receipt: container barcode → barcodes found inside. */
  contents?: Record<string, string[]>;
  /** Everything of the shipment was scanned: what was not is missing (default true). */
  complete?: boolean;
  /** Confirm receipt on the ledger even with exceptions raised (default false: hold it). */
  acceptExceptions?: boolean;
}

export interface ReceiveResult {
  shipmentId: Hex | null;
  received: boolean;
  txHash?: Hex;
  exceptions: { id: string; kind: string; subject: string }[];
  /** For a saleable return: each item's verification answer. */
  verifications?: { id: string; answer: string }[];
}

export class Trading {
  readonly shipments: ShipmentStore;

  constructor(
    private readonly ctx: SupplyContext,
    private readonly capture: CaptureService,
    private readonly exceptions: ExceptionService,
    private readonly verification: VerificationService,
  ) {
    this.shipments = new ShipmentStore(ctx.storage);
  }

  // ------------------------------------------------------------------ helpers

  private async unitsOf(barcodes: readonly string[]): Promise<UnitRecord[]> {
    const out: UnitRecord[] = [];
    for (const b of barcodes) {
      const id = scan(b).id;
      const u = await this.ctx.units.unit(id);
      if (!u) throw notFound(`unit ${id} (this node has no data for it)`);
      out.push(u);
    }
    if (new Set(out.map((u) => u.id)).size !== out.length) throw invalid('a unit is named twice');
    return out;
  }

  /** Each unit must be held here, not in transit, and (unless `sealedOk`) not sealed in a container. */
  private async requireHeld(units: readonly UnitRecord[], what: string): Promise<void> {
    const view = this.ctx.resolver.custodyView();
    for (const u of units) {
      const c = await custodyOf(view, bytesToHex(u.key));
      if (!c) throw unprocessable(`${u.id} is not on the ledger`, 'not-on-ledger');
      if (c.inShipment) throw conflict(`${u.id} is in shipment ${c.inShipment.shipmentId}, not received yet`, 'in-transit');
      if (c.holder !== this.ctx.orgId) throw forbidden(`cannot ${what} ${u.id}: this organization does not hold it on the ledger`, 'not-holder');
      if (c.sealedIn) {
        const container = await this.ctx.units.unitByKey(Buffer.from(c.sealedIn.slice(2), 'hex'));
        throw conflict(`cannot ${what} ${u.id}: it is sealed in container ${container?.id ?? c.sealedIn}; unpack it first`, 'sealed');
      }
      if (c.unit.state === 'dispensed') throw conflict(`cannot ${what} ${u.id}: it was dispensed`, 'dispensed');
    }
  }

  private async where(): Promise<{ readPoint?: string; bizLocation?: string; party?: string }> {
    const gln = (await locationsOf(this.ctx.storage, this.ctx.orgId))[0];
    return gln ? { readPoint: locationDl(gln), bizLocation: locationDl(gln), party: partyDl(gln) } : {};
  }

  private async record(actor: Actor, events: object[]): Promise<void> {
    await this.capture.captureOwn(actor, epcisDocument(events));
  }

  /** Every unit inside a container (on chain, or by its commissioning when not yet materialized), recursively. */
  private async contents(u: UnitRecord, out: Manifest['contents'], all: UnitRecord[], depth = 0): Promise<void> {
    if (depth > 8 || !u.id.startsWith('00')) return;
    const key = bytesToHex(u.key);
    const children = new Map<string, UnitRecord>();
    const view = this.ctx.resolver.custodyView();
    for (const c of await this.ctx.units.commissionedChildren(u.key)) {
      const row = await view.unit(bytesToHex(c.key));
      if (row?.parent === key) children.set(c.id, c);
    }
    for (const row of await serialChildren(this.ctx.storage, key)) {
      const c = await this.ctx.units.unitByKey(Buffer.from(row.key.slice(2), 'hex'));
      if (c) children.set(c.id, c);
    }
    if (children.size === 0) return;
    out[u.id] = [...children.keys()];
    for (const c of children.values()) {
      all.push(c);
      await this.contents(c, out, all, depth + 1);
    }
  }

  private async disclose(u: UnitRecord): Promise<DisclosedUnit> {
    const lot = await this.ctx.resolver.lotOf(u);
    return {
      id: u.id,
      key: bytesToHex(u.key),
      lotId: lot?.lotId ?? null,
      creator: u.creator ?? null,
      commitment: bytesToHex(await this.ctx.resolver.commitment(u)),
      batch: u.batch,
      index: u.leafIndex,
      parent: u.parentKey ? bytesToHex(u.parentKey) : null,
      proof: u.batch === null ? null : await this.ctx.resolver.proof(u),
    };
  }

  // ------------------------------------------------------------------ aggregation

  /** Seals units this node holds into a new container (its SSCC generated if not given). */
  async pack(actor: Actor, input: { barcodes: string[]; sscc?: string }): Promise<{ container: string; sscc: string; txHash: Hex }> {
    return audited(this.ctx, actor, 'pack', [], async () => {
      const children = await this.unitsOf(input.barcodes);
      if (children.length === 0) throw invalid('nothing to pack');
      await this.requireHeld(children, 'pack');
      let sscc = input.sscc;
      if (sscc === undefined) {
        const prefix = (await companyPrefixesOf(this.ctx.storage, this.ctx.orgId))[0];
        if (!prefix) throw unprocessable('this organization has no GS1 company prefix on the ledger to number the container: give its SSCC', 'company-prefix');
        sscc = randomSscc(prefix, 3);
      }
      const id = containerId(scan(`(00)${sscc}`).sscc!);
      if (await this.ctx.units.unit(id)) throw conflict(`container ${id} exists already`, 'duplicate');
      const c = commitmentOf(this.ctx.resolver.containerSalt(sscc), id);
      const key = unitKeyOf(this.ctx.orgId, c);
      const refs = await this.ctx.resolver.refsFor(children);
      const { hash } = await this.ctx.ledger.pack(refs, bytesToHex(c), children.map((u) => bytesToHex(u.key)));
      await this.ctx.queue.run((tx) => this.ctx.units.addUnits(tx, [{ id, key, lotNo: null, creator: this.ctx.orgId, batch: null, leafIndex: null, parentKey: null, commitment: c, source: 'own' }]));
      const w = await this.where();
      await this.record(actor, [aggregationEvent({ action: 'ADD', parentID: unitDl(id), childEPCs: children.map((u) => unitDl(u.id)), bizStep: 'packing', disposition: 'container_closed', readPoint: w.readPoint, bizLocation: w.bizLocation })]);
      await auditSupply(this.ctx, actor, 'pack', '0', `${children.length} unit(s) into ${id}`, [`Unit/${id}`]);
      return { container: id, sscc, txHash: hash };
    });
  }

  /** Opens a container this node holds: its units may then move alone. */
  async unpack(actor: Actor, input: { container: string }): Promise<{ container: string; children: string[]; txHash: Hex }> {
    return audited(this.ctx, actor, 'unpack', [], async () => {
      const [container] = await this.unitsOf([input.container]);
      if (!container!.id.startsWith('00')) throw invalid(`${container!.id} is not a container`);
      await this.requireHeld([container!], 'unpack');
      const manifest: Manifest['contents'] = {};
      await this.contents(container!, manifest, []);
      const children = manifest[container!.id] ?? [];
      const { hash } = await this.ctx.ledger.unpack(await this.ctx.resolver.refsFor([container!]), bytesToHex(container!.key));
      const w = await this.where();
      await this.record(actor, [aggregationEvent({ action: 'DELETE', parentID: unitDl(container!.id), childEPCs: children.map(unitDl), bizStep: 'unpacking', disposition: 'container_open', readPoint: w.readPoint, bizLocation: w.bizLocation })]);
      await auditSupply(this.ctx, actor, 'unpack', '0', `${container!.id}: ${children.length} unit(s) loose`, [`Unit/${container!.id}`]);
      return { container: container!.id, children, txHash: hash };
    });
  }

  // ------------------------------------------------------------------ shipping

  /** Ships units this node holds to another licensed trader, and sends it the shipment's data. */
  async ship(actor: Actor, input: { to: Hex; barcodes: string[]; purpose?: 'sale' | 'return'; sendData?: boolean }): Promise<{ shipmentId: Hex; txHash: Hex; dataDelivered: boolean; problem?: string; units: number }> {
    return audited(this.ctx, actor, 'ship', [`Organization/${input.to}`], async () => {
      const top = await this.unitsOf(input.barcodes);
      if (top.length === 0) throw invalid('nothing to ship');
      await this.requireHeld(top, 'ship');
      const contents: Manifest['contents'] = {};
      const all = [...top];
      for (const u of top) await this.contents(u, contents, all);
      const shipmentId = bytesToHex(randomBytes(32));
      const refs = await this.ctx.resolver.refsFor(top);
      const w = await this.where();
      const partnerGln = (await locationsOf(this.ctx.storage, input.to))[0];
      const shipping = objectEvent({
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
        epcList: top.map((u) => unitDl(u.id)),
        readPoint: w.readPoint,
        bizLocation: w.bizLocation,
        bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:uuid:${shipmentId.slice(2, 10)}-${shipmentId.slice(10, 14)}-4${shipmentId.slice(15, 18)}-8${shipmentId.slice(19, 22)}-${shipmentId.slice(22, 34)}` }],
        ...(w.party ? { sourceList: [{ type: 'owning_party', source: w.party }] } : {}),
        ...(partnerGln ? { destinationList: [{ type: 'owning_party', destination: partyDl(partnerGln) }] } : {}),
      });
      const { hash, blockNumber } = await this.ctx.ledger.ship(refs, shipmentId, input.to, top.map((u) => bytesToHex(u.key)));
      const shippedAt = new Date().toISOString();
      await this.record(actor, [shipping]);
      const manifest: Manifest = { top: top.map((u) => u.id), contents };
      const record: ShipmentRecord = { shipmentId, direction: 'out', partner: input.to.toLowerCase() as Hex, purpose: input.purpose ?? 'sale', state: 'shipped', manifest, dataMs: null, shippedMs: Date.parse(shippedAt), receivedMs: null, txHash: hash, receiptTx: null, updatedMs: Date.now() };
      await this.ctx.queue.run((tx) => this.shipments.save(tx, record));
      const packet = await this.packet(record, all, shipping, shippedAt, blockNumber);
      let dataDelivered = false;
      let problem: string | undefined;
      if (input.sendData !== false) ({ dataDelivered, problem } = await this.deliver(record, packet));
      await auditSupply(this.ctx, actor, 'ship', '0', `shipment ${shipmentId}: ${top.length} top-level unit(s), ${all.length} in all, to ${input.to}${dataDelivered ? '' : ` (data not delivered${problem ? `: ${problem}` : ''})`}`, [`Shipment/${shipmentId}`]);
      return { shipmentId, txHash: hash, dataDelivered, ...(problem ? { problem } : {}), units: all.length };
    });
  }

  private async packet(s: ShipmentRecord, all: UnitRecord[], shipping: object, shippedAt: string, shippedBlock: number): Promise<TransferPacket> {
    const lots = new Map<string, TransferPacket['lots'][number]>();
    const units: DisclosedUnit[] = [];
    for (const u of all) {
      const lot = await this.ctx.resolver.lotOf(u);
      if (lot && !lots.has(lot.lotId)) lots.set(lot.lotId, { lotId: lot.lotId, gtin: lot.gtin, lot: lot.lot, expiry: lot.expiry, manufacturer: lot.manufacturer, product: lot.product });
      units.push(await this.disclose(u));
    }
    // EPCIS: the items' commissioning events this node holds, the contents of each container, the shipping event.
    const items = all.filter((u) => u.id.startsWith('01')).map((u) => unitDl(u.id));
    const commissioning: object[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < items.length; i += 500) {
      for (const e of await this.ctx.events.about(items.slice(i, i + 500))) {
        if (seen.has(e.eventID) || e.event.bizStep !== 'commissioning') continue;
        seen.add(e.eventID);
        const { recordTime: _r, ...event } = e.event;
        commissioning.push(event);
      }
    }
    const w = await this.where();
    const observed = Object.entries(s.manifest.contents).map(([parent, children]) =>
      aggregationEvent({ action: 'OBSERVE', parentID: unitDl(parent), childEPCs: children.map(unitDl), bizStep: 'shipping', disposition: 'in_transit', readPoint: w.readPoint, bizLocation: w.bizLocation }),
    );
    return {
      shipmentId: s.shipmentId,
      from: this.ctx.orgId,
      to: s.partner,
      purpose: s.purpose,
      shippedAt,
      shippedBlock,
      txHash: s.txHash!,
      lots: [...lots.values()],
      units,
      manifest: s.manifest,
      epcis: epcisDocument([...commissioning, ...observed, shipping]),
    };
  }

  private async deliver(s: ShipmentRecord, packet: TransferPacket): Promise<{ dataDelivered: boolean; problem?: string }> {
    try {
      await this.ctx.peer.call(s.partner, 'supply-shipment', 'POST', '/api/supply/peer/shipments', packet, 120_000);
      s.dataMs = Date.now();
      s.updatedMs = Date.now();
      await this.ctx.queue.run((tx) => this.shipments.save(tx, s));
      return { dataDelivered: true };
    } catch (err) {
      return { dataDelivered: false, problem: (err as Error).message };
    }
  }

  /** Sends (again) the data of a shipment this node sent. */
  async sendData(actor: Actor, shipmentId: Hex): Promise<{ dataDelivered: boolean; problem?: string }> {
    const s = await this.shipments.get(shipmentId);
    if (!s || s.direction !== 'out') throw notFound(`outbound shipment ${shipmentId}`);
    const all: UnitRecord[] = [];
    for (const id of [...s.manifest.top, ...Object.values(s.manifest.contents).flat()]) {
      const u = await this.ctx.units.unit(id);
      if (u) all.push(u);
    }
    const shippingEvent = (await this.ctx.events.about(s.manifest.top.map(unitDl))).filter((e) => e.event.bizStep === 'shipping' && e.source === 'own').at(-1);
    const chain = await serialShipment(this.ctx.storage, shipmentId);
    const { recordTime: _r, ...shipping } = shippingEvent?.event ?? {};
    const packet = await this.packet(s, all, shipping, new Date(s.shippedMs ?? Date.now()).toISOString(), chain?.shippedBlock ?? 0);
    const r = await this.deliver(s, packet);
    await auditSupply(this.ctx, actor, 'send-data', r.dataDelivered ? '0' : '4', `shipment ${shipmentId}: ${r.dataDelivered ? 'data delivered' : r.problem}`, [`Shipment/${shipmentId}`]);
    return r;
  }

  /** Cancels (sender) or rejects (receiver) a shipment not yet received. */
  async cancel(actor: Actor, shipmentId: Hex): Promise<{ shipmentId: Hex; state: string; txHash: Hex }> {
    return audited(this.ctx, actor, 'cancel', [`Shipment/${shipmentId}`], async () => {
      const s = await this.shipments.get(shipmentId);
      const { hash } = await this.ctx.ledger.cancelShipment(shipmentId);
      if (s) {
        s.state = s.direction === 'out' ? 'cancelled' : 'rejected';
        s.updatedMs = Date.now();
        await this.ctx.queue.run((tx) => this.shipments.save(tx, s));
      }
      await auditSupply(this.ctx, actor, 'cancel', '0', `shipment ${shipmentId} ${s?.direction === 'in' ? 'rejected' : 'cancelled'}`, [`Shipment/${shipmentId}`]);
      return { shipmentId, state: s?.state ?? 'cancelled', txHash: hash };
    });
  }

  // ------------------------------------------------------------------ the receiver's side

  /**
   * Accepts the data of a shipment addressed to this node (signed by its sender): every unit's key
   * must follow from its creator and commitment, every commissioned unit's proof must lead to its batch
   * root on the ledger, and the shipment must be on the ledger from the sender to this organization.
   */
  async acceptData(sender: Participant, body: unknown): Promise<{ accepted: true; units: number; events: number; exceptions: string[] }> {
    const actor: Actor = { agent: `Organization/${sender.orgId}` };
    return audited(this.ctx, actor, 'shipment-data', [], async () => {
      const parsed = transferPacketSchema.safeParse(body);
      if (!parsed.success) throw invalid(`invalid shipment data: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
      const p = parsed.data as TransferPacket;
      if (p.from !== sender.orgId.toLowerCase() || p.to !== this.ctx.orgId.toLowerCase()) throw forbidden('the shipment data is not from its signer or not addressed to this organization');
      if (this.ctx.indexer.indexedBlock < p.shippedBlock) await this.ctx.indexer.waitForBlock(p.shippedBlock, 15_000).catch(() => {});
      const chain = await serialShipment(this.ctx.storage, p.shipmentId);
      if (!chain || chain.from !== p.from || chain.to !== p.to) throw unprocessable(`shipment ${p.shipmentId} from ${p.from} to this organization is not on the ledger`, 'not-on-ledger');
      const lots = new Map(p.lots.map((l) => [l.lotId, l]));
      const problems: string[] = [];
      for (const u of p.units) {
        const lot = u.lotId ? lots.get(u.lotId) : undefined;
        const creator = u.creator ?? lot?.manufacturer;
        if (!creator) {
          problems.push(`${u.id}: no creator`);
          continue;
        }
        if (bytesToHex(unitKeyOf(creator as Hex, hexToBytes(u.commitment as Hex))) !== u.key) problems.push(`${u.id}: its key does not follow from its creator and commitment`);
        if (u.batch !== null && u.lotId) {
          const chainLot = await serialLot(this.ctx.storage, u.lotId as Hex);
          const batch = await serialBatch(this.ctx.storage, u.lotId as Hex, u.batch);
          if (!batch || !chainLot || chainLot.manufacturer !== lot?.manufacturer) problems.push(`${u.id}: its batch is not on the ledger for its manufacturer`);
          else {
            const r = checkBatchProof({ lotId: u.lotId as Hex, commitment: hexToBytes(u.commitment as Hex), parentKey: u.parent ? hexToBytes(u.parent as Hex) : null, index: u.index ?? -1, count: batch.count, proof: (u.proof ?? []).map((h) => hexToBytes(h as Hex)), root: batch.root });
            if (!r.ok) problems.push(`${u.id}: commissioning proof does not verify: ${r.reason}`);
          }
        }
      }
      if (problems.length) throw unprocessable(`shipment data refused: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`, 'bad-data');
      const views = eventsOf(p.epcis);
      const now = Date.now();
      const exceptions: string[] = [];
      await this.ctx.queue.run(async (tx) => {
        const lotNos = new Map<string, number>();
        for (const l of p.lots) lotNos.set(l.lotId, (await this.ctx.units.addLot(tx, { lotId: l.lotId as Hex, gtin: l.gtin, lot: l.lot, expiry: l.expiry, manufacturer: l.manufacturer as Hex, product: l.product, own: false })).lotNo);
        await this.ctx.units.addUnits(
          tx,
          p.units.map((u) => ({
            id: u.id,
            key: Buffer.from(u.key.slice(2), 'hex'),
            lotNo: u.lotId ? (lotNos.get(u.lotId) ?? null) : null,
            creator: (u.creator as Hex | null) ?? null,
            batch: u.batch,
            leafIndex: u.index,
            parentKey: u.parent ? Buffer.from(u.parent.slice(2), 'hex') : null,
            commitment: Buffer.from(u.commitment.slice(2), 'hex'),
            proof: u.proof ? Buffer.concat(u.proof.map((h) => Buffer.from(h.slice(2), 'hex'))) : null,
            source: p.from,
          })),
        );
        await this.capture.appendIn(tx, views, p.from, `shipment-${p.shipmentId.slice(2, 18)}`, now);
        const known = await this.shipments.get(p.shipmentId, tx);
        await this.shipments.save(tx, { shipmentId: p.shipmentId, direction: 'in', partner: p.from, purpose: p.purpose, state: known?.state === 'received' ? 'received' : 'expected', manifest: p.manifest, dataMs: now, shippedMs: Date.parse(p.shippedAt), receivedMs: known?.receivedMs ?? null, txHash: p.txHash as Hex, receiptTx: known?.receiptTx ?? null, updatedMs: now });
        // Product that arrived before its data: the data is late, and the product is no longer without data.
        const ids = [...p.manifest.top, ...Object.values(p.manifest.contents).flat()];
        const waiting = [];
        for (const id of ids) for (const e of await this.exceptions.store.list({ kind: 'product-without-data', subject: id, open: true })) waiting.push(e);
        const lateBy = now - Date.parse(p.shippedAt) - this.ctx.settings.lateDataMinutes * 60_000;
        if (waiting.length || lateBy > 0) {
          const { record } = await this.exceptions.raiseIn(tx, 'late-data', p.shipmentId, { partner: p.from, shippedAt: p.shippedAt, dataAt: new Date(now).toISOString(), productArrivedFirst: waiting.map((e) => e.subject) }, p.shipmentId, waiting.length ? 'the product arrived before its data' : `data arrived ${Math.round(lateBy / 60_000) + this.ctx.settings.lateDataMinutes} min after shipping`);
          exceptions.push(record.id);
          for (const e of waiting) {
            e.state = 'resolved';
            e.resolution = `its data arrived late with shipment ${p.shipmentId} (late-data exception ${record.id})`;
            e.updatedMs = now;
            e.history.push({ at: new Date(now).toISOString(), action: 'resolve', by: `Organization/${this.ctx.org}`, note: e.resolution });
            await this.exceptions.store.save(tx, e);
          }
        }
      });
      for (const gln of glnsOf(views)) {
        if (await locationOwner(this.ctx.storage, gln)) continue;
        exceptions.push((await this.exceptions.raise('unknown-gln', gln, { source: p.from, shipmentId: p.shipmentId }, p.shipmentId, 'no participant declared this GLN on the ledger')).id);
      }
      await auditSupply(this.ctx, actor, 'shipment-data', '0', `shipment ${p.shipmentId}: data for ${p.units.length} unit(s), ${views.length} event(s)`, [`Shipment/${p.shipmentId}`], 'C');
      return { accepted: true as const, units: p.units.length, events: views.length, exceptions };
    });
  }

  /** Receives product: compares what was scanned with the data and the ledger, then confirms on the ledger. */
  async receive(actor: Actor, input: ReceiveInput): Promise<ReceiveResult> {
    return audited(this.ctx, actor, 'receive', [], async () => {
      const scanned = input.scanned.map((b) => scan(b).id);
      const contents = Object.fromEntries(Object.entries(input.contents ?? {}).map(([c, list]) => [scan(c).id, list.map((b) => scan(b).id)]));
      let s = input.shipmentId ? await this.shipments.get(input.shipmentId) : undefined;
      if (input.shipmentId && (!s || s.direction !== 'in')) s = undefined;
      if (!s && !input.shipmentId) for (const id of scanned) if ((s = await this.shipments.expectedWith(id))) break;
      const raised: ReceiveResult['exceptions'] = [];
      const raise = async (kind: 'product-without-data' | 'data-without-product' | 'aggregation-mismatch', subject: string, detail: Record<string, unknown>, note: string) => {
        const r = await this.exceptions.raise(kind, subject, detail, s?.shipmentId ?? input.shipmentId ?? null, note);
        raised.push({ id: r.id, kind, subject });
      };
      if (!s) {
        for (const id of scanned) await raise('product-without-data', id, { scanned: id }, 'product received with no shipment data: quarantined until its data arrives');
        await auditSupply(this.ctx, actor, 'receive', '4', `${scanned.length} unit(s) received without data`, []);
        return { shipmentId: input.shipmentId ?? null, received: false, exceptions: raised };
      }
      if (s.state === 'received') throw conflict(`shipment ${s.shipmentId} is already received`, 'received');
      const ledger: string[] = [];
      for (const key of await serialShipmentUnits(this.ctx.storage, s.shipmentId)) {
        const u = await this.ctx.units.unitByKey(Buffer.from(key.slice(2), 'hex'));
        ledger.push(u?.id ?? key);
      }
      const hierarchy = new Map(Object.entries(s.manifest.contents).map(([k, v]) => [k, new Set(v)]));
      const check = checkReceipt({ data: { topLevel: s.manifest.top, hierarchy }, scanned: { topLevel: scanned, contents }, ledger, complete: input.complete ?? true });
      for (const id of check.productWithoutData) await raise('product-without-data', id, { shipmentId: s.shipmentId }, 'scanned but not in the shipment data');
      if (check.dataWithoutProduct.length) await raise('data-without-product', s.shipmentId, { missing: check.dataWithoutProduct }, `${check.dataWithoutProduct.length} unit(s) in the data were not received`);
      for (const m of check.aggregationMismatches) await raise('aggregation-mismatch', m.container, { shipmentId: s.shipmentId, missing: m.missing, unexpected: m.unexpected }, 'container contents differ from the shipment data');
      if (check.ledgerMismatch) await raise('aggregation-mismatch', s.shipmentId, { ledger: check.ledgerMismatch }, 'the shipment data and the ledger shipment list different units');

      let verifications: ReceiveResult['verifications'];
      const suspects: string[] = [];
      if (s.purpose === 'return') {
        verifications = [];
        const items = [...s.manifest.top, ...Object.values(s.manifest.contents).flat()].filter((id) => id.startsWith('01'));
        for (const id of items) {
          const u = parseUnitId(id) as { gtin: string; serial: string };
          const v = await this.verification.verify(actor, { gtin: u.gtin, serial: u.serial, sender: s.partner, context: 'dscsaSaleableReturn' });
          verifications.push({ id, answer: v.carechain.answer });
          if (v.carechain.answer !== 'verified') suspects.push(id);
        }
      }
      if (raised.length && !input.acceptExceptions) {
        await auditSupply(this.ctx, actor, 'receive', '4', `shipment ${s.shipmentId} held: ${raised.length} exception(s)`, [`Shipment/${s.shipmentId}`]);
        return { shipmentId: s.shipmentId, received: false, exceptions: raised, ...(verifications ? { verifications } : {}) };
      }
      const { hash } = await this.ctx.ledger.confirmReceipt(s.shipmentId);
      const w = await this.where();
      await this.record(actor, [objectEvent({ action: 'OBSERVE', bizStep: 'receiving', disposition: s.purpose === 'return' ? 'returned' : 'in_progress', epcList: s.manifest.top.map(unitDl), readPoint: w.readPoint, bizLocation: w.bizLocation })]);
      s.state = 'received';
      s.receivedMs = Date.now();
      s.receiptTx = hash;
      s.updatedMs = Date.now();
      await this.ctx.queue.run((tx) => this.shipments.save(tx, s!));
      if (suspects.length) {
        const q = await this.exceptions.quarantine(actor, { barcodes: suspects.map(unitDl), reason: `saleable return from ${s.partner} failed verification: ${verifications!.filter((v) => suspects.includes(v.id)).map((v) => `${v.id} ${v.answer}`).join(', ')}` });
        raised.push({ id: q.id, kind: 'suspect-product', subject: q.subject });
      }
      await auditSupply(this.ctx, actor, 'receive', '0', `shipment ${s.shipmentId} received${raised.length ? ` with ${raised.length} exception(s)` : ''}`, [`Shipment/${s.shipmentId}`]);
      return { shipmentId: s.shipmentId, received: true, txHash: hash, exceptions: raised, ...(verifications ? { verifications } : {}) };
    });
  }

  // ------------------------------------------------------------------ dispensing and status

  /** Dispenses items this node holds: each verified first, then decommissioned on the ledger. */
  async dispense(actor: Actor, input: { barcodes: string[] }): Promise<{ dispensed: string[]; txHash: Hex }> {
    return audited(this.ctx, actor, 'dispense', [], async () => {
      const units = await this.unitsOf(input.barcodes);
      for (const [i, u] of units.entries()) {
        const p = parseUnitId(u.id);
        if (p.kind !== 'item') throw invalid(`${u.id} is a container: dispense items`);
        const s = scan(input.barcodes[i]!);
        const v = await this.verification.verifyLocal({ gtin: p.gtin, serial: p.serial, ...(s.lot ? { lot: s.lot } : {}), ...(s.expiry ? { expiry: s.expiry } : {}), sender: this.ctx.orgId }, 'none');
        if (v.carechain.answer !== 'verified') throw unprocessable(`cannot dispense ${u.id}: ${v.carechain.answer} (${v.carechain.findings[0]?.message ?? ''})`, v.carechain.answer);
      }
      await this.requireHeld(units, 'dispense');
      const { hash } = await this.ctx.ledger.decommission(await this.ctx.resolver.refsFor(units), units.map((u) => bytesToHex(u.key)));
      const w = await this.where();
      await this.record(actor, [objectEvent({ action: 'OBSERVE', bizStep: 'dispensing', disposition: 'dispensed', epcList: units.map((u) => unitDl(u.id)), readPoint: w.readPoint, bizLocation: w.bizLocation })]);
      await auditSupply(this.ctx, actor, 'dispense', '0', `${units.length} item(s) dispensed`, units.map((u) => `Unit/${u.id}`));
      return { dispensed: units.map((u) => u.id), txHash: hash };
    });
  }

  /** Sets the status of units or of a whole lot (a recall); the ledger decides who may. */
  async setStatus(actor: Actor, input: { barcodes?: string[]; lot?: { gtin: string; lot: string }; status: SerialStatus; reason: string }): Promise<{ txHash: Hex; status: SerialStatus; subjects: string[] }> {
    return audited(this.ctx, actor, `status-${input.status}`, [], async () => {
      if (!input.barcodes?.length === !input.lot) throw invalid('give either barcodes or a lot');
      const w = await this.where();
      let hash: Hex;
      let subjects: string[];
      let event: object;
      if (input.lot) {
        const lots = await this.ctx.units.lotsOf(input.lot.gtin, input.lot.lot);
        if (lots.length === 0) throw notFound(`lot ${input.lot.lot} of GTIN ${input.lot.gtin} (this node has no data for it)`);
        ({ hash } = await this.ctx.ledger.setLotStatus(lots[0]!.lotId, input.status));
        subjects = [`${input.lot.gtin}/${input.lot.lot}`];
        event = objectEvent({ action: 'OBSERVE', bizStep: 'holding', disposition: STATUS_DISPOSITION[input.status], quantityList: [{ epcClass: lgtinDl(input.lot.gtin, input.lot.lot) }], readPoint: w.readPoint });
      } else {
        const units = await this.unitsOf(input.barcodes!);
        ({ hash } = await this.ctx.ledger.setStatus(await this.ctx.resolver.refsFor(units), units.map((u) => bytesToHex(u.key)), input.status));
        subjects = units.map((u) => u.id);
        event = objectEvent({ action: 'OBSERVE', bizStep: input.status === 'destroyed' ? 'destroying' : 'holding', disposition: STATUS_DISPOSITION[input.status], epcList: subjects.map(unitDl), readPoint: w.readPoint });
      }
      await this.record(actor, [event]);
      await auditSupply(this.ctx, actor, `status-${input.status}`, '0', `${subjects.join(', ')}: ${input.status}: ${input.reason}`, subjects.map((s) => `Unit/${s}`));
      return { txHash: hash, status: input.status, subjects };
    });
  }
}
