/**
 * The SerialRegistry mirrored: lots and their commissioned batches, materialized units with their
 * holder fields, shipments, statuses, trading licences, GS1 company prefixes and declared locations,
 * and a history row per fact (block and transaction) for the evidence of verifications.
 *
 * The unit columns mirror the contract's `Unit` exactly, and the events are applied with the contract's
 * own rules (a shipped or packed unit leaves an opened container; its holder fields are normalized), so
 * the holder computed from these rows (`supply/custody.ts`) is the one `holderOf` gives on chain.
 */
import type { Hex } from 'viem';
import { serialRegistryAbi } from '../../chain/generated/contracts.ts';
import type { Sql } from '../../storage/engine.ts';
import type { EventArgs, Projector } from '../projector.ts';

export const UNIT_STATES = ['none', 'active', 'unpacked', 'dispensed'] as const;
export type UnitState = (typeof UNIT_STATES)[number];
export const SERIAL_STATUSES = ['none', 'recalled', 'stolen', 'destroyed', 'suspect', 'illegitimate'] as const;
export type SerialStatus = (typeof SERIAL_STATUSES)[number];
export const SHIPMENT_STATES = ['none', 'shipped', 'received', 'cancelled', 'rejected'] as const;
export type ShipmentState = (typeof SHIPMENT_STATES)[number];

const ZERO = `0x${'0'.repeat(64)}`;
const orNull = (h: string): string | null => (h.toLowerCase() === ZERO ? null : h.toLowerCase());

export interface LotRow {
  lotId: Hex;
  manufacturer: Hex;
  status: SerialStatus;
  statusBy: Hex | null;
  batches: number;
  block: number;
}
export interface BatchRow {
  lotId: Hex;
  batch: number;
  root: Hex;
  count: number;
  block: number;
  txHash: Hex;
}
export interface UnitRow {
  key: Hex;
  lotId: Hex | null;
  owner: Hex | null;
  parent: Hex | null;
  shipment: Hex | null;
  creator: Hex | null;
  state: UnitState;
  status: SerialStatus;
  statusBy: Hex | null;
  changedBlock: number;
}
export interface ShipmentRow {
  shipmentId: Hex;
  from: Hex;
  to: Hex;
  state: ShipmentState;
  count: number;
  shippedBlock: number;
  settledBlock: number | null;
  txHash: Hex;
}
export interface HistoryRow {
  subject: Hex;
  kind: string;
  org: Hex | null;
  other: Hex | null;
  detail: string | null;
  block: number;
  txHash: Hex;
  logIndex: number;
}

export const serialRegistryProjector: Projector = {
  name: 'index.serials',
  abi: serialRegistryAbi,
  address: (d) => d.contracts.SerialRegistry.address,
  tables: ['serial_lots', 'serial_batches', 'serial_units', 'serial_shipments', 'serial_shipment_units', 'serial_history', 'serial_licences', 'company_prefixes', 'gs1_locations'],
  migrations: [
    (tx) =>
      tx.exec(`
        CREATE TABLE serial_lots (lot_id TEXT PRIMARY KEY, manufacturer TEXT NOT NULL, status TEXT NOT NULL, status_by TEXT, batches INTEGER NOT NULL, block INTEGER NOT NULL);
        CREATE TABLE serial_batches (lot_id TEXT NOT NULL, batch INTEGER NOT NULL, root TEXT NOT NULL, count INTEGER NOT NULL, block INTEGER NOT NULL, tx_hash TEXT NOT NULL,
          PRIMARY KEY (lot_id, batch));
        CREATE TABLE serial_units (unit_key TEXT PRIMARY KEY, lot_id TEXT, owner TEXT, parent TEXT, shipment TEXT, creator TEXT, state TEXT NOT NULL,
          status TEXT NOT NULL, status_by TEXT, changed_block INTEGER NOT NULL);
        CREATE INDEX serial_units_parent ON serial_units (parent);
        CREATE TABLE serial_shipments (shipment_id TEXT PRIMARY KEY, from_org TEXT NOT NULL, to_org TEXT NOT NULL, state TEXT NOT NULL, count INTEGER NOT NULL,
          shipped_block INTEGER NOT NULL, settled_block INTEGER, tx_hash TEXT NOT NULL);
        CREATE TABLE serial_shipment_units (shipment_id TEXT NOT NULL, unit_key TEXT NOT NULL, PRIMARY KEY (shipment_id, unit_key));
        CREATE INDEX serial_shipment_units_unit ON serial_shipment_units (unit_key);
        CREATE TABLE serial_history (subject TEXT NOT NULL, kind TEXT NOT NULL, org TEXT, other TEXT, detail TEXT, block INTEGER NOT NULL, tx_hash TEXT NOT NULL,
          log_index INTEGER NOT NULL, PRIMARY KEY (subject, tx_hash, log_index));
        CREATE TABLE serial_licences (org_id TEXT PRIMARY KEY, credential_id TEXT NOT NULL, issuer TEXT NOT NULL, block INTEGER NOT NULL);
        CREATE TABLE company_prefixes (prefix TEXT PRIMARY KEY, org_id TEXT NOT NULL, block INTEGER NOT NULL);
        CREATE TABLE gs1_locations (gln TEXT PRIMARY KEY, org_id TEXT NOT NULL, active INTEGER NOT NULL, block INTEGER NOT NULL);
      `),
  ],
  async apply(tx, ev, block) {
    const a = ev.args as EventArgs;
    const txHash = ev.transactionHash!;
    const logIndex = Number(ev.logIndex);
    const history = (subject: string, kind: string, org: string | null, other: string | null = null, detail: string | null = null) =>
      tx.run('INSERT INTO serial_history (subject, kind, org, other, detail, block, tx_hash, log_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject, tx_hash, log_index) DO NOTHING', [
        subject.toLowerCase(), kind, org && org.toLowerCase(), other && other.toLowerCase(), detail, block, txHash, logIndex,
      ]);
    switch (ev.eventName) {
      case 'CompanyPrefixSet':
        if (orNull(a.orgId) === null) await tx.run('DELETE FROM company_prefixes WHERE prefix = ?', [a.prefix]);
        else await tx.run('INSERT INTO company_prefixes (prefix, org_id, block) VALUES (?, ?, ?) ON CONFLICT (prefix) DO UPDATE SET org_id = excluded.org_id, block = excluded.block', [a.prefix, a.orgId.toLowerCase(), block]);
        break;
      case 'LocationDeclared':
        await tx.run('INSERT INTO gs1_locations (gln, org_id, active, block) VALUES (?, ?, ?, ?) ON CONFLICT (gln) DO UPDATE SET org_id = excluded.org_id, active = excluded.active, block = excluded.block', [
          a.gln, a.orgId.toLowerCase(), a.active ? 1 : 0, block,
        ]);
        break;
      case 'LicenceBound':
        await tx.run('INSERT INTO serial_licences (org_id, credential_id, issuer, block) VALUES (?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET credential_id = excluded.credential_id, issuer = excluded.issuer, block = excluded.block', [
          a.orgId.toLowerCase(), a.credentialId.toLowerCase(), a.issuer.toLowerCase(), block,
        ]);
        break;
      case 'Commissioned':
        await tx.run('INSERT INTO serial_lots (lot_id, manufacturer, status, status_by, batches, block) VALUES (?, ?, ?, NULL, 1, ?) ON CONFLICT (lot_id) DO UPDATE SET batches = serial_lots.batches + 1', [
          a.lotId.toLowerCase(), a.manufacturer.toLowerCase(), 'none', block,
        ]);
        await tx.run('INSERT INTO serial_batches (lot_id, batch, root, count, block, tx_hash) VALUES (?, ?, ?, ?, ?, ?)', [a.lotId.toLowerCase(), Number(a.batch), a.root.toLowerCase(), Number(a.count), block, txHash]);
        await history(a.lotId, 'commissioned', a.manufacturer, null, JSON.stringify({ batch: Number(a.batch), root: a.root.toLowerCase(), count: Number(a.count) }));
        break;
      case 'UnitMaterialized': {
        const parent = orNull(a.parent);
        const lot = await tx.get<{ manufacturer: string }>('SELECT manufacturer FROM serial_lots WHERE lot_id = ?', [a.lotId.toLowerCase()]);
        await tx.run(
          'INSERT INTO serial_units (unit_key, lot_id, owner, parent, shipment, creator, state, status, status_by, changed_block) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, NULL, ?) ON CONFLICT (unit_key) DO NOTHING',
          [a.key.toLowerCase(), a.lotId.toLowerCase(), parent === null ? (lot?.manufacturer ?? null) : null, parent, 'active', 'none', block],
        );
        await history(a.key, 'materialized', lot?.manufacturer ?? null, parent);
        break;
      }
      case 'Packed': {
        await tx.run(
          'INSERT INTO serial_units (unit_key, lot_id, owner, parent, shipment, creator, state, status, status_by, changed_block) VALUES (?, NULL, ?, NULL, NULL, ?, ?, ?, NULL, ?)',
          [a.container.toLowerCase(), a.org.toLowerCase(), a.org.toLowerCase(), 'active', 'none', block],
        );
        await history(a.container, 'packed', a.org, null, JSON.stringify({ children: (a.children as string[]).length }));
        for (const child of a.children as string[]) {
          await tx.run('UPDATE serial_units SET owner = ?, parent = ?, shipment = NULL, changed_block = ? WHERE unit_key = ?', [a.org.toLowerCase(), a.container.toLowerCase(), block, child.toLowerCase()]);
          await history(child, 'packed-into', a.org, a.container);
        }
        break;
      }
      case 'Unpacked':
        await tx.run('UPDATE serial_units SET state = ?, changed_block = ? WHERE unit_key = ?', ['unpacked', block, a.container.toLowerCase()]);
        await history(a.container, 'unpacked', a.org);
        break;
      case 'Shipped': {
        const keys = (a.keys as string[]).map((k) => k.toLowerCase());
        await tx.run('INSERT INTO serial_shipments (shipment_id, from_org, to_org, state, count, shipped_block, settled_block, tx_hash) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)', [
          a.shipmentId.toLowerCase(), a.from.toLowerCase(), a.to.toLowerCase(), 'shipped', keys.length, block, txHash,
        ]);
        for (const key of keys) {
          await tx.run('UPDATE serial_units SET owner = ?, parent = NULL, shipment = ?, changed_block = ? WHERE unit_key = ?', [a.from.toLowerCase(), a.shipmentId.toLowerCase(), block, key]);
          await tx.run('INSERT INTO serial_shipment_units (shipment_id, unit_key) VALUES (?, ?)', [a.shipmentId.toLowerCase(), key]);
          await history(key, 'shipped', a.from, a.to, a.shipmentId.toLowerCase());
        }
        break;
      }
      case 'ShipmentReceived': {
        const id = a.shipmentId.toLowerCase();
        await tx.run('UPDATE serial_shipments SET state = ?, settled_block = ? WHERE shipment_id = ?', ['received', block, id]);
        const s = await tx.get<{ from_org: string }>('SELECT from_org FROM serial_shipments WHERE shipment_id = ?', [id]);
        for (const r of await tx.all<{ unit_key: string }>('SELECT unit_key FROM serial_shipment_units WHERE shipment_id = ?', [id])) {
          await history(r.unit_key, 'received', a.to, s?.from_org ?? null, id);
        }
        break;
      }
      case 'ShipmentCancelled': {
        const id = a.shipmentId.toLowerCase();
        await tx.run('UPDATE serial_shipments SET state = ?, settled_block = ? WHERE shipment_id = ?', [a.rejected ? 'rejected' : 'cancelled', block, id]);
        for (const r of await tx.all<{ unit_key: string }>('SELECT unit_key FROM serial_shipment_units WHERE shipment_id = ?', [id])) {
          await history(r.unit_key, a.rejected ? 'rejected' : 'cancelled', a.by, null, id);
        }
        break;
      }
      case 'Decommissioned':
        await tx.run('UPDATE serial_units SET state = ?, owner = ?, parent = NULL, changed_block = ? WHERE unit_key = ?', ['dispensed', a.org.toLowerCase(), block, a.key.toLowerCase()]);
        await history(a.key, 'dispensed', a.org);
        break;
      case 'StatusChanged':
        await tx.run('UPDATE serial_units SET status = ?, status_by = ?, changed_block = ? WHERE unit_key = ?', [SERIAL_STATUSES[a.status] ?? 'none', a.by.toLowerCase(), block, a.key.toLowerCase()]);
        await history(a.key, `status:${SERIAL_STATUSES[a.status] ?? 'none'}`, a.by);
        break;
      case 'LotStatusChanged':
        await tx.run('UPDATE serial_lots SET status = ?, status_by = ? WHERE lot_id = ?', [SERIAL_STATUSES[a.status] ?? 'none', a.by.toLowerCase(), a.lotId.toLowerCase()]);
        await history(a.lotId, `status:${SERIAL_STATUSES[a.status] ?? 'none'}`, a.by);
        break;
    }
  },
};

const UNIT = `unit_key AS "key", lot_id AS "lotId", owner, parent, shipment, creator, state, status, status_by AS "statusBy", changed_block AS "changedBlock"`;
const SHIPMENT = `shipment_id AS "shipmentId", from_org AS "from", to_org AS "to", state, count, shipped_block AS "shippedBlock", settled_block AS "settledBlock", tx_hash AS "txHash"`;

export async function serialLot(sql: Sql, lotId: Hex): Promise<LotRow | undefined> {
  const r = await sql.get<LotRow>(`SELECT lot_id AS "lotId", manufacturer, status, status_by AS "statusBy", batches, block FROM serial_lots WHERE lot_id = ?`, [lotId.toLowerCase()]);
  return r && { ...r, batches: Number(r.batches), block: Number(r.block) };
}

export async function serialBatch(sql: Sql, lotId: Hex, batch: number): Promise<BatchRow | undefined> {
  const r = await sql.get<BatchRow>(`SELECT lot_id AS "lotId", batch, root, count, block, tx_hash AS "txHash" FROM serial_batches WHERE lot_id = ? AND batch = ?`, [lotId.toLowerCase(), batch]);
  return r && { ...r, batch: Number(r.batch), count: Number(r.count), block: Number(r.block) };
}

export async function serialUnit(sql: Sql, key: Hex): Promise<UnitRow | undefined> {
  const r = await sql.get<UnitRow>(`SELECT ${UNIT} FROM serial_units WHERE unit_key = ?`, [key.toLowerCase()]);
  return r && { ...r, changedBlock: Number(r.changedBlock) };
}

export async function serialShipment(sql: Sql, shipmentId: Hex): Promise<ShipmentRow | undefined> {
  const r = await sql.get<ShipmentRow>(`SELECT ${SHIPMENT} FROM serial_shipments WHERE shipment_id = ?`, [shipmentId.toLowerCase()]);
  return r && { ...r, count: Number(r.count), shippedBlock: Number(r.shippedBlock), settledBlock: r.settledBlock === null ? null : Number(r.settledBlock) };
}

/** The top-level units a shipment carried. */
export async function serialShipmentUnits(sql: Sql, shipmentId: Hex): Promise<Hex[]> {
  return (await sql.all<{ k: Hex }>('SELECT unit_key AS "k" FROM serial_shipment_units WHERE shipment_id = ? ORDER BY unit_key', [shipmentId.toLowerCase()])).map((r) => r.k);
}

/** The materialized units sealed in (or once packed into) a container. */
export async function serialChildren(sql: Sql, container: Hex): Promise<UnitRow[]> {
  return (await sql.all<UnitRow>(`SELECT ${UNIT} FROM serial_units WHERE parent = ?`, [container.toLowerCase()])).map((r) => ({ ...r, changedBlock: Number(r.changedBlock) }));
}

/** The on-chain history of units, lots or shipments, in chain order. */
export async function serialHistory(sql: Sql, subjects: readonly Hex[]): Promise<HistoryRow[]> {
  if (subjects.length === 0) return [];
  const rows = await sql.all<HistoryRow>(
    `SELECT subject, kind, org, other, detail, block, tx_hash AS "txHash", log_index AS "logIndex" FROM serial_history WHERE subject IN (${subjects.map(() => '?').join(', ')}) ORDER BY block, log_index`,
    subjects.map((s) => s.toLowerCase()),
  );
  return rows.map((r) => ({ ...r, block: Number(r.block), logIndex: Number(r.logIndex) }));
}

/** The trading licence bound to an organization, if any. */
export async function serialLicence(sql: Sql, orgId: Hex): Promise<{ credentialId: Hex; issuer: Hex; block: number } | undefined> {
  const r = await sql.get<{ credentialId: Hex; issuer: Hex; block: number }>('SELECT credential_id AS "credentialId", issuer, block FROM serial_licences WHERE org_id = ?', [orgId.toLowerCase()]);
  return r && { ...r, block: Number(r.block) };
}

/** The organization a GS1 key (GTIN-14 without its indicator, GLN, SSCC without extension) belongs to, by the longest assigned company prefix. */
export async function companyPrefixOwnerOf(sql: Sql, digits: string): Promise<{ prefix: string; orgId: Hex } | undefined> {
  const candidates = [12, 11, 10, 9, 8, 7, 6].filter((n) => n <= digits.length).map((n) => digits.slice(0, n));
  if (candidates.length === 0) return undefined;
  const rows = await sql.all<{ prefix: string; orgId: Hex }>(`SELECT prefix, org_id AS "orgId" FROM company_prefixes WHERE prefix IN (${candidates.map(() => '?').join(', ')})`, candidates);
  return rows.sort((x, y) => y.prefix.length - x.prefix.length)[0];
}

/** The company prefixes assigned to an organization. */
export async function companyPrefixesOf(sql: Sql, orgId: Hex): Promise<string[]> {
  return (await sql.all<{ prefix: string }>('SELECT prefix FROM company_prefixes WHERE org_id = ? ORDER BY prefix', [orgId.toLowerCase()])).map((r) => r.prefix);
}

/** Who declared a GLN (active declarations only). */
export async function locationOwner(sql: Sql, gln: string): Promise<Hex | undefined> {
  return (await sql.get<{ orgId: Hex }>('SELECT org_id AS "orgId" FROM gs1_locations WHERE gln = ? AND active = 1', [gln]))?.orgId;
}

/** The GLNs an organization declared (active ones). */
export async function locationsOf(sql: Sql, orgId: Hex): Promise<string[]> {
  return (await sql.all<{ gln: string }>('SELECT gln FROM gs1_locations WHERE org_id = ? AND active = 1 ORDER BY gln', [orgId.toLowerCase()])).map((r) => r.gln);
}
