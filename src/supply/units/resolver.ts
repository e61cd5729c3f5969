/**
 * What a node needs to act on a unit on chain or to answer for it: its commitment (recomputed from the
 * creator's salt for own units, as disclosed for units received), its batch inclusion proof (from the
 * batch's leaf hashes for own units, as disclosed otherwise), the `UnitRef`s that materialize it and
 * every container above it not yet on chain, and a custody view over the index in which units not yet
 * materialized appear with their commissioning leaf.
 */
import { bytesToHex, type Hex } from 'viem';
import { serialBatch, serialLot, serialShipment, serialUnit, type BatchRow, type LotRow, type UnitRow } from '../../indexer/projectors/serial-registry.ts';
import type { MerkleTree } from '../../merkle/tree.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import type { Sql } from '../../storage/engine.ts';
import { batchProof, batchTree } from '../ledger/batch.ts';
import { virtualUnit, type CustodyView } from '../ledger/custody.ts';
import { commitmentOf, parseUnitId, saltOf } from '../ledger/keys.ts';
import type { UnitRef } from '../ledger/registry.ts';
import type { LotRecord, UnitRecord, UnitStore } from './store.ts';

const ZERO: Hex = `0x${'0'.repeat(64)}`;

export class UnitResolver {
  private readonly trees = new Map<string, MerkleTree>();

  // Lot-level facts are shared by every unit of a lot: kept in memory, those from the index only for
  // the indexed block they were read at (a recall is a new block). Verification reads them on every call.
  private readonly lots = new Map<number, LotRecord>();
  private indexed = { block: -1, lots: new Map<string, LotRow | undefined>(), batches: new Map<string, BatchRow>() };

  constructor(
    private readonly deps: { sql: Sql; units: UnitStore; indexSecret: Buffer; orgId: Hex; indexedBlock?: () => number },
  ) {}

  private cache() {
    const block = this.deps.indexedBlock?.() ?? -1;
    if (block !== this.indexed.block || block < 0) this.indexed = { block, lots: new Map(), batches: new Map() };
    return this.indexed;
  }

  /** The lot as the index of the ledger has it (manufacturer, status). */
  async chainLot(lotId: Hex): Promise<LotRow | undefined> {
    const c = this.cache();
    if (c.lots.has(lotId)) return c.lots.get(lotId);
    const row = await serialLot(this.deps.sql, lotId);
    if (c.lots.size < 10_000) c.lots.set(lotId, row);
    return row;
  }

  /** A commissioning batch as the index of the ledger has it. */
  async chainBatch(lotId: Hex, batch: number): Promise<BatchRow | undefined> {
    const c = this.cache();
    const k = `${lotId}/${batch}`;
    const hit = c.batches.get(k);
    if (hit) return hit;
    const row = await serialBatch(this.deps.sql, lotId, batch);
    if (row && c.batches.size < 10_000) c.batches.set(k, row);
    return row;
  }

  /** The salt of one of this node's own lots. */
  lotSalt(gtin: string, lot: string): Buffer {
    return saltOf(this.deps.indexSecret, 'lot', `${gtin}/${lot}`);
  }

  /** The salt of a container this node packs (after commissioning). */
  containerSalt(sscc: string): Buffer {
    return saltOf(this.deps.indexSecret, 'container', sscc);
  }

  async lotOf(u: UnitRecord): Promise<LotRecord | undefined> {
    if (u.lotNo === null) return undefined;
    const hit = this.lots.get(u.lotNo);
    if (hit) return hit;
    const lot = await this.deps.units.lotByNo(u.lotNo);
    if (lot && this.lots.size < 10_000) this.lots.set(u.lotNo, lot);
    return lot;
  }

  /** A unit's commitment: recomputed for this node's own units, as disclosed for others. */
  async commitment(u: UnitRecord): Promise<Buffer> {
    if (u.commitment) return u.commitment;
    if (u.source !== 'own') throw invalid(`unit ${u.id} was received without its commitment`);
    const lot = await this.lotOf(u);
    if (lot) return commitmentOf(this.lotSalt(lot.gtin, lot.lot), u.id);
    const parsed = parseUnitId(u.id);
    if (parsed.kind !== 'container') throw invalid(`item ${u.id} has no lot`);
    return commitmentOf(this.containerSalt(parsed.sscc), u.id);
  }

  /** The batch tree of one of this node's own batches (a few kept in memory). */
  async tree(lotNo: number, batch: number): Promise<MerkleTree> {
    const k = `${lotNo}/${batch}`;
    let t = this.trees.get(k);
    if (!t) {
      const b = await this.deps.units.batch(lotNo, batch);
      if (!b) throw notFound(`batch ${batch} of lot ${lotNo}`);
      const hashes = Array.from({ length: b.count }, (_, i) => b.leafHashes.subarray(i * 32, i * 32 + 32));
      t = batchTree(hashes);
      if (this.trees.size >= 4) this.trees.delete(this.trees.keys().next().value!);
      this.trees.set(k, t);
    }
    return t;
  }

  /** A commissioned unit's inclusion proof in its batch. */
  async proof(u: UnitRecord): Promise<Hex[]> {
    if (u.batch === null || u.leafIndex === null) throw invalid(`unit ${u.id} was not commissioned in a batch`);
    if (u.proof) return Array.from({ length: u.proof.length / 32 }, (_, i) => bytesToHex(u.proof!.subarray(i * 32, i * 32 + 32)));
    if (u.source !== 'own') throw invalid(`unit ${u.id} was received without its batch proof`);
    return batchProof(await this.tree(u.lotNo!, u.batch), u.leafIndex).map((h) => bytesToHex(h));
  }

  /** The UnitRef that materializes a commissioned unit. */
  async ref(u: UnitRecord): Promise<UnitRef> {
    const lot = await this.lotOf(u);
    if (!lot || u.batch === null || u.leafIndex === null) throw invalid(`unit ${u.id} was not commissioned in a batch`);
    return { lotId: lot.lotId, batch: u.batch, index: BigInt(u.leafIndex), commitment: bytesToHex(await this.commitment(u)), parent: u.parentKey ? bytesToHex(u.parentKey) : ZERO, proof: await this.proof(u) };
  }

  /**
   * The refs to materialize `units` and every container above them that is not on chain yet, outermost
   * first (the contract needs a parent on chain before its child).
   */
  async refsFor(units: readonly UnitRecord[]): Promise<UnitRef[]> {
    const chain: UnitRecord[][] = [];
    const seen = new Set<string>();
    for (const start of units) {
      const path: UnitRecord[] = [];
      for (let u: UnitRecord | undefined = start; u && !seen.has(u.id); ) {
        seen.add(u.id);
        if (await serialUnit(this.deps.sql, bytesToHex(u.key))) break;
        if (u.batch === null) break; // packed after commissioning: on chain since it was packed
        path.push(u);
        u = u.parentKey ? await this.deps.units.unitByKey(u.parentKey) : undefined;
      }
      chain.push(path.reverse());
    }
    const refs: UnitRef[] = [];
    for (const path of chain) for (const u of path) refs.push(await this.ref(u));
    return refs;
  }

  /**
   * The index of the ledger, with units this node knows but the chain has not materialized shown from
   * their commissioning leaf (`known`: records the caller already holds, not read again).
   */
  custodyView(known: readonly UnitRecord[] = []): CustodyView {
    const { sql, units } = this.deps;
    const records = new Map(known.map((u) => [bytesToHex(u.key), u]));
    // One view serves one operation: a unit read twice in it (custody, then statuses) is read once.
    const memo = new Map<Hex, Promise<UnitRow | undefined>>();
    const unit = async (key: Hex): Promise<UnitRow | undefined> => {
      const row = await serialUnit(sql, key);
      if (row) return row;
      const u = records.get(key) ?? (await units.unitByKey(Buffer.from(key.slice(2), 'hex')));
      const lot = u && (await this.lotOf(u));
      if (!u || !lot || u.batch === null) return undefined;
      const onChain = await this.chainLot(lot.lotId);
      if (!onChain || !(await this.chainBatch(lot.lotId, u.batch))) return undefined;
      return virtualUnit(key, lot.lotId, onChain.manufacturer, u.parentKey ? bytesToHex(u.parentKey) : null);
    };
    return {
      unit: (key) => {
        let p = memo.get(key);
        if (!p) memo.set(key, (p = unit(key)));
        return p;
      },
      shipment: (id) => serialShipment(sql, id),
      lot: (id) => this.chainLot(id),
    };
  }
}
