/**
 * Shipments as this node saw them (`supply_shipments`): those it sent (out) and those it receives
 * (in), with their manifest (top-level units and what the data says is inside each container), the
 * state of the data and of the product, and the ledger transactions.
 *
 * States, out: shipped → received | cancelled | rejected. In: expected (data here, product not yet)
 * → received | rejected.
 */
import type { Hex } from 'viem';
import type { Sql, Tx } from '../../storage/engine.ts';

export interface Manifest {
  top: string[];
  contents: Record<string, string[]>;
}

export interface ShipmentRecord {
  shipmentId: Hex;
  direction: 'out' | 'in';
  partner: Hex;
  purpose: 'sale' | 'return';
  state: 'shipped' | 'expected' | 'received' | 'cancelled' | 'rejected';
  manifest: Manifest;
  dataMs: number | null;
  shippedMs: number | null;
  receivedMs: number | null;
  txHash: Hex | null;
  receiptTx: Hex | null;
  updatedMs: number;
}

type Row = { shipment_id: Hex; direction: 'out' | 'in'; partner: Hex; purpose: 'sale' | 'return'; state: ShipmentRecord['state']; manifest: string; data_ms: number | null; shipped_ms: number | null; received_ms: number | null; tx_hash: Hex | null; receipt_tx: Hex | null; updated_ms: number };
const n = (v: number | null) => (v === null ? null : Number(v));
const toRecord = (r: Row): ShipmentRecord => ({
  shipmentId: r.shipment_id,
  direction: r.direction,
  partner: r.partner,
  purpose: r.purpose,
  state: r.state,
  manifest: JSON.parse(r.manifest) as Manifest,
  dataMs: n(r.data_ms),
  shippedMs: n(r.shipped_ms),
  receivedMs: n(r.received_ms),
  txHash: r.tx_hash,
  receiptTx: r.receipt_tx,
  updatedMs: Number(r.updated_ms),
});

export class ShipmentStore {
  constructor(private readonly sql: Sql) {}

  async save(tx: Tx, s: ShipmentRecord): Promise<void> {
    await tx.run(
      `INSERT INTO supply_shipments (shipment_id, direction, partner, purpose, state, manifest, data_ms, shipped_ms, received_ms, tx_hash, receipt_tx, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (shipment_id) DO UPDATE SET state = excluded.state, manifest = excluded.manifest, data_ms = excluded.data_ms, shipped_ms = excluded.shipped_ms,
         received_ms = excluded.received_ms, tx_hash = excluded.tx_hash, receipt_tx = excluded.receipt_tx, updated_ms = excluded.updated_ms`,
      [s.shipmentId, s.direction, s.partner, s.purpose, s.state, JSON.stringify(s.manifest), s.dataMs, s.shippedMs, s.receivedMs, s.txHash, s.receiptTx, s.updatedMs],
    );
  }

  async get(shipmentId: Hex, sql: Sql = this.sql): Promise<ShipmentRecord | undefined> {
    const r = await sql.get<Row>('SELECT * FROM supply_shipments WHERE shipment_id = ?', [shipmentId.toLowerCase()]);
    return r && toRecord(r);
  }

  async list(filter: { direction?: 'out' | 'in'; state?: ShipmentRecord['state']; limit?: number } = {}): Promise<ShipmentRecord[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.direction) where.push('direction = ?'), params.push(filter.direction);
    if (filter.state) where.push('state = ?'), params.push(filter.state);
    const rows = await this.sql.all<Row>(`SELECT * FROM supply_shipments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_ms DESC LIMIT ?`, [...params, filter.limit ?? 500]);
    return rows.map(toRecord);
  }

  /** The expected inbound shipment whose manifest ships `unitId` at top level. */
  async expectedWith(unitId: string): Promise<ShipmentRecord | undefined> {
    for (const s of await this.list({ direction: 'in', state: 'expected', limit: 10_000 })) if (s.manifest.top.includes(unitId)) return s;
    return undefined;
  }
}
