/**
 * The lots and units this node knows (`supply_lots`, `supply_batches`, `supply_units`): its own,
 * commissioned here, and those trading partners disclosed with their shipments. A unit is found by its
 * GS1 key (unit id) or by its on-chain key. Batch leaf hashes are kept for own batches, so any unit's
 * inclusion proof can be produced; a unit received carries the proof its sender disclosed.
 */
import type { Hex } from 'viem';
import type { Sql, Tx } from '../../storage/engine.ts';

export interface LotRecord {
  lotNo: number;
  lotId: Hex;
  gtin: string;
  lot: string;
  /** YYYY-MM-DD */
  expiry: string;
  manufacturer: Hex;
  product: string | null;
  own: boolean;
}

export interface UnitRecord {
  id: string;
  key: Buffer;
  lotNo: number | null;
  /** The creator of a container packed after commissioning; null means the lot's manufacturer. */
  creator: Hex | null;
  batch: number | null;
  leafIndex: number | null;
  parentKey: Buffer | null;
  commitment: Buffer | null;
  proof: Buffer | null;
  source: string;
}

export interface NewUnit {
  id: string;
  key: Buffer;
  lotNo: number | null;
  creator?: Hex | null;
  batch: number | null;
  leafIndex: number | null;
  parentKey: Buffer | null;
  commitment?: Buffer | null;
  proof?: Buffer | null;
  source: string;
}

type LotRow = { lot_no: number; lot_id: Hex; gtin: string; lot: string; expiry: string; manufacturer: Hex; product: string | null; own: number };
type UnitRow = { id: string; unit_key: Buffer; lot_no: number | null; creator: Hex | null; batch: number | null; leaf_index: number | null; parent_key: Buffer | null; commitment: Buffer | null; proof: Buffer | null; source: string };

const toLot = (r: LotRow): LotRecord => ({ lotNo: Number(r.lot_no), lotId: r.lot_id, gtin: r.gtin, lot: r.lot, expiry: r.expiry, manufacturer: r.manufacturer, product: r.product, own: Number(r.own) === 1 });
const num = (v: number | null) => (v === null ? null : Number(v));
const toUnit = (r: UnitRow): UnitRecord => ({
  id: r.id,
  key: r.unit_key,
  lotNo: num(r.lot_no),
  creator: r.creator,
  batch: num(r.batch),
  leafIndex: num(r.leaf_index),
  parentKey: r.parent_key,
  commitment: r.commitment,
  proof: r.proof,
  source: r.source,
});
const UNIT_COLUMNS = 'id, unit_key, lot_no, creator, batch, leaf_index, parent_key, commitment, proof, source';

export class UnitStore {
  private readonly lotsById = new Map<string, LotRecord>();
  private readonly lotsByNo = new Map<number, LotRecord>();

  constructor(private readonly sql: Sql) {}

  /** Adds a lot (or returns the one known by that id). */
  async addLot(tx: Tx, lot: Omit<LotRecord, 'lotNo'>): Promise<LotRecord> {
    const known = await this.lotById(lot.lotId, tx);
    if (known) return known;
    const next = Number((await tx.get<{ n: number }>('SELECT COALESCE(MAX(lot_no), 0) + 1 AS n FROM supply_lots'))!.n);
    await tx.run('INSERT INTO supply_lots (lot_no, lot_id, gtin, lot, expiry, manufacturer, product, own, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      next, lot.lotId.toLowerCase(), lot.gtin, lot.lot, lot.expiry, lot.manufacturer.toLowerCase(), lot.product, lot.own ? 1 : 0, Date.now(),
    ]);
    return { ...lot, lotId: lot.lotId.toLowerCase() as Hex, manufacturer: lot.manufacturer.toLowerCase() as Hex, lotNo: next };
  }

  async lotById(lotId: Hex, sql: Sql = this.sql): Promise<LotRecord | undefined> {
    const hit = this.lotsById.get(lotId.toLowerCase());
    if (hit) return hit;
    const r = await sql.get<LotRow>('SELECT * FROM supply_lots WHERE lot_id = ?', [lotId.toLowerCase()]);
    if (!r) return undefined;
    const lot = toLot(r);
    if (sql === this.sql) this.cacheLot(lot);
    return lot;
  }

  async lotByNo(lotNo: number): Promise<LotRecord | undefined> {
    const hit = this.lotsByNo.get(lotNo);
    if (hit) return hit;
    const r = await this.sql.get<LotRow>('SELECT * FROM supply_lots WHERE lot_no = ?', [lotNo]);
    if (!r) return undefined;
    const lot = toLot(r);
    this.cacheLot(lot);
    return lot;
  }

  async lotsOf(gtin: string, lot?: string): Promise<LotRecord[]> {
    const rows = lot === undefined
      ? await this.sql.all<LotRow>('SELECT * FROM supply_lots WHERE gtin = ? ORDER BY lot_no', [gtin])
      : await this.sql.all<LotRow>('SELECT * FROM supply_lots WHERE gtin = ? AND lot = ? ORDER BY lot_no', [gtin, lot]);
    return rows.map(toLot);
  }

  private cacheLot(lot: LotRecord): void {
    if (this.lotsById.size > 10_000) {
      this.lotsById.clear();
      this.lotsByNo.clear();
    }
    this.lotsById.set(lot.lotId, lot);
    this.lotsByNo.set(lot.lotNo, lot);
  }

  async addBatch(tx: Tx, b: { lotNo: number; batch: number; count: number; root: Hex; leafHashes: Buffer }): Promise<void> {
    await tx.run('INSERT INTO supply_batches (lot_no, batch, count, root, leaf_hashes, tx_hash) VALUES (?, ?, ?, ?, ?, NULL)', [b.lotNo, b.batch, b.count, b.root, b.leafHashes]);
  }

  async setBatchTx(lotNo: number, batch: number, txHash: Hex): Promise<void> {
    await this.sql.run('UPDATE supply_batches SET tx_hash = ? WHERE lot_no = ? AND batch = ?', [txHash, lotNo, batch]);
  }

  async batch(lotNo: number, batch: number): Promise<{ count: number; root: Hex; leafHashes: Buffer; txHash: Hex | null } | undefined> {
    const r = await this.sql.get<{ count: number; root: Hex; leaf_hashes: Buffer; tx_hash: Hex | null }>('SELECT count, root, leaf_hashes, tx_hash FROM supply_batches WHERE lot_no = ? AND batch = ?', [lotNo, batch]);
    return r && { count: Number(r.count), root: r.root, leafHashes: r.leaf_hashes, txHash: r.tx_hash };
  }

  async batchesOf(lotNo: number): Promise<{ batch: number; count: number; root: Hex; txHash: Hex | null }[]> {
    return (await this.sql.all<{ batch: number; count: number; root: Hex; tx_hash: Hex | null }>('SELECT batch, count, root, tx_hash FROM supply_batches WHERE lot_no = ? ORDER BY batch', [lotNo])).map((r) => ({
      batch: Number(r.batch),
      count: Number(r.count),
      root: r.root,
      txHash: r.tx_hash,
    }));
  }

  /** Inserts units; a unit already known keeps its record (a second disclosure of it changes nothing). */
  async addUnits(tx: Tx, units: readonly NewUnit[]): Promise<void> {
    for (const u of units) {
      await tx.run(
        `INSERT INTO supply_units (${UNIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        [u.id, u.key, u.lotNo, u.creator ?? null, u.batch, u.leafIndex, u.parentKey, u.commitment ?? null, u.proof ?? null, u.source],
      );
    }
  }

  async unit(id: string, sql: Sql = this.sql): Promise<UnitRecord | undefined> {
    const r = await sql.get<UnitRow>(`SELECT ${UNIT_COLUMNS} FROM supply_units WHERE id = ?`, [id]);
    return r && toUnit(r);
  }

  async unitByKey(key: Buffer, sql: Sql = this.sql): Promise<UnitRecord | undefined> {
    const r = await sql.get<UnitRow>(`SELECT ${UNIT_COLUMNS} FROM supply_units WHERE unit_key = ?`, [key]);
    return r && toUnit(r);
  }

  /** Units of a container's commissioning (children whose commissioning leaf names it as parent). */
  async commissionedChildren(parentKey: Buffer): Promise<UnitRecord[]> {
    return (await this.sql.all<UnitRow>(`SELECT ${UNIT_COLUMNS} FROM supply_units WHERE parent_key = ?`, [parentKey])).map(toUnit);
  }

  async unitCount(): Promise<number> {
    return Number((await this.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM supply_units'))?.n ?? 0);
  }
}
