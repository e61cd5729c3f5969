/**
 * Product verification (DSCSA §582: saleable returns and suspect-product investigations), answered in
 * the GS1 Lightweight Messaging Standard's shape with Carechain's evidence beside it:
 *
 * - a node that knows the serial (its manufacturer, or a trading partner it was disclosed to) answers
 *   from its own data and its index of the ledger — no chain round trip;
 * - otherwise the request is routed, signed, to the node of the organization that owns the GTIN's
 *   company prefix on the ledger (as a Verification Router Service routes to the manufacturer's
 *   repository) and its answer is returned as given;
 * - evidence: the unit's commissioning leaf and inclusion proof to the batch root on chain, the ledger
 *   history of the unit, its containers and its lot (block and transaction of each fact), and the
 *   EPCIS events this node holds about it with where they sit in the anchored supply log.
 */
import { randomUUID } from 'node:crypto';
import { bytesToHex, type Hex } from 'viem';
import type { Actor } from '../../identity/principal.ts';
import type { Participant } from '../../indexer/projectors/participants.ts';
import { companyPrefixOwnerOf, locationsOf, serialHistory, type HistoryRow } from '../../indexer/projectors/serial-registry.ts';
import { invalid } from '../../shared/errors.ts';
import { auditSupply, type SupplyContext } from '../context.ts';
import { formatDigitalLink, toGs1Date } from '../gs1/index.ts';
import { custodyOf, statusesOf } from '../ledger/custody.ts';
import { itemId } from '../ledger/keys.ts';
import { scan } from '../units/barcode.ts';
import { decide, type Answer, type Finding, type LmsData } from './decide.ts';

export interface VerifyRequest {
  gtin: string;
  serial: string;
  lot?: string;
  /** YYYY-MM-DD */
  expiry?: string;
  /** Who presented the product to the requester: its holder on the ledger, if custody is sound. */
  sender?: Hex;
  /** The container (barcode) the product arrived in. */
  parent?: string;
  /** LMS context, e.g. dscsaSaleableReturn. */
  context?: string;
  corrUUID?: string;
  reqGLN?: string;
}

export interface Evidence {
  commissioning: { lotId: Hex; manufacturer: Hex; batch: number; index: number; count: number; root: Hex; leaf: Hex; proof: Hex[]; blockNumber: number; txHash: Hex } | null;
  ledger: HistoryRow[];
  events: { eventID: string; hashId: string; type: string; bizStep: string | null; eventTime: string; source: string; leafIndex: number; anchor: { index: number; treeSize: number; root: Hex; blockNumber: number } | null }[];
}

export interface VerificationResponse {
  verificationTimestamp: string;
  responderGLN: string | null;
  corrUUID: string;
  data: LmsData;
  carechain: {
    answer: Answer;
    findings: Finding[];
    product: { gtin: string; serial: string; lot?: string; expiry?: string };
    responder: Hex;
    indexedBlock: number;
    routedTo?: Hex;
    evidence?: Evidence;
  };
}

export type EvidenceLevel = 'none' | 'ledger' | 'full';

export class VerificationService {
  constructor(private readonly ctx: SupplyContext) {}

  /** Reads a barcode (any GS1 syntax) into a request. */
  requestOf(barcode: string, extra: Omit<VerifyRequest, 'gtin' | 'serial' | 'lot' | 'expiry'> = {}): VerifyRequest {
    const s = scan(barcode);
    if (s.kind !== 'item') throw invalid('verification is of a serialized item (GTIN + serial), not of a container');
    return { gtin: s.gtin!, serial: s.serial!, ...(s.lot ? { lot: s.lot } : {}), ...(s.expiry ? { expiry: s.expiry } : {}), ...extra };
  }

  /** Verifies for a caller of this node: locally when this node knows the serial, else at the GTIN owner's node. */
  async verify(actor: Actor, req: VerifyRequest): Promise<VerificationResponse> {
    const local = await this.ctx.units.unit(itemId(req.gtin, req.serial));
    const owner = local ? undefined : await companyPrefixOwnerOf(this.ctx.storage, req.gtin.slice(1));
    let answer: VerificationResponse;
    if (owner && owner.orgId !== this.ctx.orgId) {
      const r = await this.ctx.peer.call<VerificationResponse>(owner.orgId, 'supply-verify', 'GET', verificationPath(req));
      answer = { ...r.body, carechain: { ...r.body.carechain, routedTo: owner.orgId } };
    } else {
      answer = await this.verifyLocal(req, 'full');
    }
    await auditSupply(this.ctx, actor, 'verify', '0', `${req.gtin}/${req.serial}: ${answer.carechain.answer}${answer.carechain.routedTo ? ` (answered by ${answer.carechain.routedTo})` : ''}`, [`Product/${req.gtin}/${req.serial}`], 'R');
    return answer;
  }

  /** Answers a trading partner's signed verification request (routed here, or sent directly), audited as that partner. */
  async answerPeer(partner: Participant, req: VerifyRequest): Promise<VerificationResponse> {
    const answer = await this.verifyLocal(req, 'ledger');
    await auditSupply(this.ctx, { agent: `Organization/${partner.orgId}` }, 'verify', '0', `${req.gtin}/${req.serial} for ${partner.name}: ${answer.carechain.answer}`, [`Product/${req.gtin}/${req.serial}`], 'R');
    return answer;
  }

  /** Answers a verification from this node's data and its index of the ledger. */
  async verifyLocal(req: VerifyRequest, evidence: EvidenceLevel = 'ledger'): Promise<VerificationResponse> {
    const { ctx } = this;
    const unit = await ctx.units.unit(itemId(req.gtin, req.serial));
    const lot = unit ? await ctx.resolver.lotOf(unit) : undefined;
    const key = unit ? bytesToHex(unit.key) : undefined;
    const view = ctx.resolver.custodyView(unit ? [unit] : []);
    const chainLot = lot ? await ctx.resolver.chainLot(lot.lotId) : undefined;
    const batch = lot && unit?.batch !== null && unit?.batch !== undefined ? await ctx.resolver.chainBatch(lot.lotId, unit.batch) : undefined;
    const custody = key ? await custodyOf(view, key) : undefined;
    const onLedger = Boolean(chainLot && (batch || (custody && custody.unit.changedBlock > 0)));
    const statuses = custody ? await statusesOf(view, custody) : [];
    let parent: Hex | null | undefined;
    if (req.parent !== undefined) {
      const p = await ctx.units.unit(scan(req.parent).id);
      parent = p ? bytesToHex(p.key) : null;
    }
    const decision = decide({
      request: { gtin: req.gtin, serial: req.serial, ...(req.lot !== undefined ? { lot: req.lot } : {}), ...(req.expiry !== undefined ? { expiry: req.expiry } : {}), ...(req.sender ? { sender: req.sender.toLowerCase() as Hex } : {}), ...(parent !== undefined ? { parent } : {}) },
      ...(lot ? { known: { lot: lot.lot, expiry: lot.expiry, manufacturer: chainLot?.manufacturer ?? lot.manufacturer } } : {}),
      onLedger,
      ...(await this.prefixOwner(req.gtin)),
      ...(custody ? { custody: { holder: custody.holder, inTransit: custody.inShipment ? { from: custody.inShipment.from, to: custody.inShipment.to } : null, sealedIn: custody.sealedIn, state: custody.unit.state === 'none' ? 'active' : custody.unit.state } } : {}),
      statuses,
      today: new Date().toISOString().slice(0, 10),
    });
    const response: VerificationResponse = {
      verificationTimestamp: new Date().toISOString(),
      responderGLN: (await this.myGln()) ?? null,
      corrUUID: req.corrUUID ?? randomUUID(),
      data: decision.lms,
      carechain: {
        answer: decision.answer,
        findings: decision.findings,
        product: { gtin: req.gtin, serial: req.serial, ...(lot ? { lot: lot.lot, expiry: lot.expiry } : {}) },
        responder: ctx.orgId,
        indexedBlock: ctx.indexer.indexedBlock,
      },
    };
    if (evidence !== 'none' && unit && lot && key) {
      const subjects = [...(custody?.path ?? [key]), lot.lotId];
      if (custody?.unit.parent && !subjects.includes(custody.unit.parent)) subjects.push(custody.unit.parent);
      const ledger = await serialHistory(ctx.storage, subjects);
      let commissioning: Evidence['commissioning'] = null;
      if (batch && chainLot && unit.batch !== null && unit.leafIndex !== null) {
        const ref = await ctx.resolver.ref(unit).catch(() => undefined);
        if (ref) commissioning = { lotId: lot.lotId, manufacturer: chainLot.manufacturer, batch: unit.batch, index: unit.leafIndex, count: batch.count, root: batch.root, leaf: ref.commitment, proof: ref.proof, blockNumber: batch.block, txHash: batch.txHash };
      }
      response.carechain.evidence = { commissioning, ledger, events: evidence === 'full' ? await this.eventsEvidence(req) : [] };
    }
    return response;
  }

  private prefixCache = new Map<string, { prefixOwner?: Hex }>();
  private prefixCacheBlock = -1;

  private async prefixOwner(gtin: string): Promise<{ prefixOwner?: Hex }> {
    if (this.prefixCacheBlock !== this.ctx.indexer.indexedBlock) {
      this.prefixCache.clear();
      this.prefixCacheBlock = this.ctx.indexer.indexedBlock;
    }
    const hit = this.prefixCache.get(gtin);
    if (hit) return hit;
    const owner = await companyPrefixOwnerOf(this.ctx.storage, gtin.slice(1));
    const value = owner ? { prefixOwner: owner.orgId } : {};
    this.prefixCache.set(gtin, value);
    return value;
  }

  private glnCache: { block: number; gln: string | undefined } | undefined;

  private async myGln(): Promise<string | undefined> {
    if (this.glnCache?.block !== this.ctx.indexer.indexedBlock) this.glnCache = { block: this.ctx.indexer.indexedBlock, gln: (await locationsOf(this.ctx.storage, this.ctx.orgId))[0] };
    return this.glnCache.gln;
  }

  private async eventsEvidence(req: VerifyRequest): Promise<Evidence['events']> {
    const dl = formatDigitalLink([{ ai: '01', value: req.gtin }, { ai: '21', value: req.serial }]);
    const events = await this.ctx.events.about([dl], 200);
    const out: Evidence['events'] = [];
    for (const e of events) {
      const anchor = await this.ctx.anchorer.anchorCovering(e.idx);
      out.push({
        eventID: e.eventID,
        hashId: e.hashId,
        type: String(e.event.type),
        bizStep: typeof e.event.bizStep === 'string' ? e.event.bizStep : null,
        eventTime: String(e.event.eventTime),
        source: e.source,
        leafIndex: e.idx,
        anchor: anchor ? { index: anchor.index, treeSize: anchor.treeSize, root: anchor.root, blockNumber: anchor.blockNumber } : null,
      });
    }
    return out;
  }
}

/** The Digital Link path (and LMS query) a verification request is sent to. */
export function verificationPath(req: VerifyRequest): string {
  const elements = [{ ai: '01', value: req.gtin }, ...(req.lot ? [{ ai: '10', value: req.lot }] : []), { ai: '21', value: req.serial }];
  const params: Record<string, string> = { linkType: 'gs1:verificationService', context: req.context ?? 'dscsaSaleableReturn' };
  if (req.corrUUID) params.corrUUID = req.corrUUID;
  if (req.reqGLN) params.reqGLN = req.reqGLN;
  if (req.sender) params.sender = req.sender;
  if (req.parent) params.parent = req.parent;
  const uri = formatDigitalLink(req.expiry ? [...elements, { ai: '17', value: toGs1Date(req.expiry) }] : elements, { base: 'https://node.invalid', params });
  return uri.slice('https://node.invalid'.length);
}
