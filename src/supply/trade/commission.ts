/**
 * Commissioning at the manufacturer: serial numbers (given, or generated at random as DSCSA guidance
 * recommends), optionally packed on the line into cases and pallets (SSCCs from the manufacturer's
 * company prefix), committed on chain as one RFC 6962 root per batch of up to 2^18 units — a million
 * serials in four transactions — and recorded as EPCIS events (commissioning ObjectEvents with the lot
 * and expiry as ILMD, packing AggregationEvents).
 *
 * The node's own data is written first (durably), then the roots are sent; if the chain fails, the
 * batches stay without a transaction and `recommit` sends them again.
 */
import { randomBytes } from 'node:crypto';
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import type { Actor } from '../../identity/principal.ts';
import { companyPrefixOwnerOf, locationsOf } from '../../indexer/projectors/serial-registry.ts';
import { invalid, notFound, unprocessable } from '../../shared/errors.ts';
import { auditSupply, audited, type SupplyContext } from '../context.ts';
import type { CaptureService } from '../events/capture.ts';
import { aggregationEvent, epcisDocument, itemDl, locationDl, lotIlmd, objectEvent, unitDl } from '../events/build.ts';
import { eventsOf } from '../epcis/index.ts';
import { checkElement, gs1CheckDigit, normaliseGtin, parseGs1Date } from '../gs1/index.ts';
import { batchLeafHash, batchSizes, batchTree } from '../ledger/batch.ts';
import { commitmentOf, containerId, itemId, lotIdOf, unitKeyOf } from '../ledger/keys.ts';
import type { NewUnit } from '../units/store.ts';

export interface CommissionInput {
  gtin: string;
  lot: string;
  /** YYYY-MM-DD */
  expiry: string;
  product?: string;
  /** The serial numbers; or `count` to have them generated. */
  serials?: string[];
  count?: number;
  /** Items per case, when the line packs into cases. */
  caseSize?: number;
  /** Cases per pallet, when cases go on pallets. */
  palletSize?: number;
}

export interface CommissionResult {
  lotId: Hex;
  gtin: string;
  lot: string;
  expiry: string;
  items: number;
  cases: number;
  pallets: number;
  batches: { batch: number; root: Hex; count: number; txHash: Hex | null; blockNumber: number | null }[];
  /** Ledger transactions this commissioning took, and what one per serial would have taken. */
  transactions: number;
  naiveTransactions: number;
  events: number;
  /** The serials, cases and pallets (when there are at most 1,000 of each). */
  serials?: string[];
  caseIds?: string[];
  palletIds?: string[];
  timingsMs: Record<string, number>;
}

const SERIAL_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const EVENT_CHUNK = 10_000;
const DB_CHUNK = 25_000;

/** `n` random serial numbers of 12 characters (60 bits each), distinct. */
export function randomSerials(n: number): string[] {
  const out = new Set<string>();
  while (out.size < n) {
    const need = n - out.size;
    const bytes = randomBytes(need * 12);
    for (let i = 0; i < need; i++) {
      let s = '';
      for (let j = 0; j < 12; j++) s += SERIAL_ALPHABET[bytes[i * 12 + j]! & 31];
      out.add(s);
    }
  }
  return [...out];
}

/** A random SSCC under `prefix`, with extension digit `ext`. */
export function randomSscc(prefix: string, ext: number): string {
  const refDigits = 16 - prefix.length;
  let ref = '';
  const bytes = randomBytes(refDigits);
  for (let i = 0; i < refDigits; i++) ref += String(bytes[i]! % 10);
  const body = `${ext}${prefix}${ref}`;
  return `${body}${gs1CheckDigit(body)}`;
}

export class Commissioning {
  constructor(
    private readonly ctx: SupplyContext,
    private readonly capture: CaptureService,
  ) {}

  async commission(actor: Actor, input: CommissionInput): Promise<CommissionResult> {
    return audited(this.ctx, actor, 'commission', [`Lot/${input.gtin}/${input.lot}`], () => this.run(actor, input));
  }

  private async run(actor: Actor, input: CommissionInput): Promise<CommissionResult> {
    const t0 = performance.now();
    const timings: Record<string, number> = {};
    const lap = (name: string) => (timings[name] = Math.round(performance.now() - t0 - Object.values(timings).reduce((a, b) => a + b, 0)));
    const { ctx } = this;
    const gtin = normaliseGtin(input.gtin);
    const year = new Date().getUTCFullYear();
    checkElement('10', input.lot, year);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.expiry)) throw invalid(`expiry must be a date YYYY-MM-DD, not "${input.expiry}"`, ['expiry']);
    const exp = parseGs1Date(`${input.expiry.slice(2, 4)}${input.expiry.slice(5, 7)}${input.expiry.slice(8, 10)}`, 'expiry', year, ['expiry']);
    if (exp.date !== input.expiry) throw invalid(`expiry ${input.expiry} is not a valid date (it reads as ${exp.date})`, ['expiry']);
    if ((input.serials === undefined) === (input.count === undefined)) throw invalid('give either serials or count');
    const serials = input.serials ?? randomSerials(input.count!);
    if (serials.length === 0) throw invalid('nothing to commission');
    if (serials.length > 5_000_000) throw invalid('at most 5,000,000 serials per request');
    if (input.serials) {
      for (const s of serials) checkElement('21', s, year);
      if (new Set(serials).size !== serials.length) throw invalid('the serials are not all distinct');
    }
    const owner = await companyPrefixOwnerOf(ctx.storage, gtin.slice(1));
    if (!owner || owner.orgId !== ctx.orgId) {
      throw unprocessable(`the company prefix of GTIN ${gtin} is ${owner ? 'assigned to another organization' : 'not assigned to any organization'} on the ledger: governance assigns company prefixes (SerialRegistry.setCompanyPrefix)`, 'company-prefix');
    }
    const caseSize = input.caseSize ?? 0;
    const palletSize = input.palletSize ?? 0;
    if (caseSize < 0 || palletSize < 0 || (palletSize && !caseSize)) throw invalid('palletSize needs caseSize (cases go on pallets)');
    const salt = ctx.resolver.lotSalt(gtin, input.lot);
    const lotId = lotIdOf(salt, gtin, input.lot);
    const me = ctx.orgId;

    // Units, outermost first: pallets, cases, items; each with its commitment, key and line parent.
    const items = serials.map((s) => itemId(gtin, s));
    const cases = caseSize ? Array.from({ length: Math.ceil(items.length / caseSize) }, () => containerId(randomSscc(owner.prefix, 1))) : [];
    const pallets = palletSize ? Array.from({ length: Math.ceil(cases.length / palletSize) }, () => containerId(randomSscc(owner.prefix, 2))) : [];
    const ids = [...pallets, ...cases, ...items];
    if (new Set(ids).size !== ids.length) throw invalid('two generated SSCCs collided: commission again');
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const known = await ctx.storage.all<{ id: string }>(`SELECT id FROM supply_units WHERE id IN (${chunk.map(() => '?').join(', ')}) LIMIT 1`, chunk);
      if (known.length) throw unprocessable(`unit ${known[0]!.id} is already commissioned`, 'duplicate');
    }
    lap('prepare');
    const keys = new Map<string, Buffer>();
    const parentOf = (index: number): string | null => {
      if (index < pallets.length) return null;
      if (index < pallets.length + cases.length) return palletSize ? pallets[Math.floor((index - pallets.length) / palletSize)]! : null;
      return caseSize ? cases[Math.floor((index - pallets.length - cases.length) / caseSize)]! : null;
    };
    const leafHashes: Buffer[] = new Array(ids.length);
    const units: NewUnit[] = new Array(ids.length);
    const meBytes = hexToBytes(me); // decoded once, not once per unit
    const lotBytes = hexToBytes(lotId);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const c = commitmentOf(salt, id);
      const key = unitKeyOf(meBytes, c);
      if (i < pallets.length + cases.length) keys.set(id, key);
      const parent = parentOf(i);
      const parentKey = parent ? keys.get(parent)! : null;
      leafHashes[i] = batchLeafHash(lotBytes, c, parentKey);
      units[i] = { id, key, lotNo: 0, batch: 0, leafIndex: 0, parentKey, source: 'own' };
    }
    lap('hash');
    const sizes = batchSizes(ids.length);
    const batches: { batch: number; root: Hex; count: number; from: number }[] = [];
    let from = 0;
    const existing = (await ctx.units.lotById(lotId))?.lotNo;
    const firstBatch = existing === undefined ? 0 : (await ctx.units.batchesOf(existing)).length;
    for (const [b, size] of sizes.entries()) {
      const tree = batchTree(leafHashes.slice(from, from + size));
      batches.push({ batch: firstBatch + b, root: bytesToHex(tree.root()), count: size, from });
      for (let i = 0; i < size; i++) Object.assign(units[from + i]!, { batch: firstBatch + b, leafIndex: i });
      from += size;
    }
    lap('trees');

    // Durable first: the lot, the batches' leaf hashes, the units.
    const lot = await ctx.queue.run(async (tx) => {
      const l = await ctx.units.addLot(tx, { lotId, gtin, lot: input.lot, expiry: input.expiry, manufacturer: me, product: input.product ?? null, own: true });
      for (const b of batches) await ctx.units.addBatch(tx, { lotNo: l.lotNo, batch: b.batch, count: b.count, root: b.root, leafHashes: Buffer.concat(leafHashes.slice(b.from, b.from + b.count)) });
      return l;
    });
    for (const u of units) u.lotNo = lot.lotNo;
    for (let i = 0; i < units.length; i += DB_CHUNK) {
      const chunk = units.slice(i, i + DB_CHUNK);
      await ctx.queue.run((tx) => ctx.units.addUnits(tx, chunk));
    }
    lap('store units');

    // EPCIS: commissioning (with lot and expiry), then packing on the line.
    const readPoint = (await locationsOf(ctx.storage, me))[0];
    const now = new Date().toISOString();
    const where = readPoint ? { readPoint: locationDl(readPoint), bizLocation: locationDl(readPoint) } : {};
    const docs: object[][] = [];
    for (let i = 0; i < serials.length; i += EVENT_CHUNK) {
      docs.push([objectEvent({ eventTime: now, action: 'ADD', bizStep: 'commissioning', disposition: 'active', epcList: serials.slice(i, i + EVENT_CHUNK).map((s) => itemDl(gtin, s)), ilmd: lotIlmd(input.lot, input.expiry), ...where })]);
    }
    const packing: object[] = [];
    const childrenOf = new Map<string, string[]>();
    for (let i = pallets.length; i < ids.length; i++) {
      const p = parentOf(i);
      if (p) (childrenOf.get(p) ?? childrenOf.set(p, []).get(p)!).push(ids[i]!);
    }
    for (const [parent, children] of childrenOf) {
      packing.push(aggregationEvent({ eventTime: now, action: 'ADD', parentID: unitDl(parent), childEPCs: children.map((c) => (c.startsWith('01') ? itemDl(gtin, c.slice(18)) : unitDl(c))), bizStep: 'packing', disposition: 'in_progress', ...where }));
    }
    for (let i = 0; i < packing.length; i += 1000) docs.push(packing.slice(i, i + 1000));
    let events = 0;
    for (const list of docs) {
      const views = eventsOf(epcisDocument(list, now));
      const captureId = `commission-${lotId.slice(2, 14)}-${events}`;
      await ctx.queue.run((tx) => this.capture.appendIn(tx, views, 'own', captureId));
      events += views.length;
    }
    lap('events');

    const sent = await this.commitBatches(lot.lotNo, lotId, batches);
    lap('ledger');
    await auditSupply(ctx, actor, 'commission', '0', `lot ${input.lot} of GTIN ${gtin}: ${items.length} serials, ${cases.length} cases, ${pallets.length} pallets in ${batches.length} batch(es)`, [`Lot/${lotId}`], 'C');
    const small = <T>(list: T[]) => (list.length <= 1000 ? list : undefined);
    return {
      lotId,
      gtin,
      lot: input.lot,
      expiry: input.expiry,
      items: items.length,
      cases: cases.length,
      pallets: pallets.length,
      batches: sent,
      transactions: sent.length,
      naiveTransactions: items.length,
      events,
      ...(small(serials) ? { serials } : {}),
      ...(small(cases) ? { caseIds: cases } : {}),
      ...(small(pallets) ? { palletIds: pallets } : {}),
      timingsMs: timings,
    };
  }

  /** Sends the roots of batches (pipelined: consecutive nonces, mined together) and records their transactions. */
  private async commitBatches(lotNo: number, lotId: Hex, batches: { batch: number; root: Hex; count: number }[]): Promise<CommissionResult['batches']> {
    const results = await Promise.all(
      batches.map(async (b) => {
        const r = await this.ctx.ledger.commission(lotId, b.root, b.count, false);
        await this.ctx.units.setBatchTx(lotNo, b.batch, r.hash);
        return { batch: b.batch, root: b.root, count: b.count, txHash: r.hash, blockNumber: r.blockNumber };
      }),
    );
    const last = Math.max(...results.map((r) => r.blockNumber));
    await this.ctx.indexer.waitForBlock(last, 15_000).catch(() => {});
    return results;
  }

  /** Sends the roots of a lot's batches that have no transaction yet (after a chain failure). */
  async recommit(actor: Actor, lotId: Hex): Promise<CommissionResult['batches']> {
    const lot = await this.ctx.units.lotById(lotId);
    if (!lot?.own) throw notFound(`own lot ${lotId}`);
    const missing = (await this.ctx.units.batchesOf(lot.lotNo)).filter((b) => !b.txHash);
    const sent = await this.commitBatches(lot.lotNo, lotId, missing);
    await auditSupply(this.ctx, actor, 'commission', '0', `re-sent ${sent.length} batch root(s) of lot ${lot.lot}`, [`Lot/${lotId}`]);
    return sent;
  }
}
