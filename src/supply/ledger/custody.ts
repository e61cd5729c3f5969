/**
 * Who holds a unit and what stops it, read from the index of the SerialRegistry with the contract's
 * own rules (contracts/SerialRegistry.sol `_holder`, `_movable`), so a node answers verifications
 * locally and the same way the chain would:
 *
 * - a unit sealed in a container (its parent not opened) follows the container;
 * - a unit in a received shipment is its receiver's; in a shipment not yet received it is still its
 *   sender's, in transit; after a cancelled or rejected shipment, its sender's;
 * - a status set on the unit, on its lot, or on a container it is sealed in applies to it.
 *
 * A unit that was never acted on alone has no row on chain: the caller passes a "virtual" row built
 * from the unit's commissioning leaf (its lot and the container it was packed into on the line).
 */
import type { Hex } from 'viem';
import type { LotRow, SerialStatus, ShipmentRow, UnitRow } from '../../indexer/projectors/serial-registry.ts';

export interface CustodyView {
  /** A unit's row: materialized, or virtual from its commissioning leaf; undefined if unknown. */
  unit(key: Hex): Promise<UnitRow | undefined>;
  shipment(id: Hex): Promise<ShipmentRow | undefined>;
  lot(lotId: Hex): Promise<LotRow | undefined>;
}

export interface Custody {
  /** The organization holding the unit (the sender while in transit). */
  holder: Hex | null;
  /** The shipment it travels in, not yet received. */
  inShipment: ShipmentRow | null;
  /** The nearest container it is sealed in (not opened), if any. */
  sealedIn: Hex | null;
  /** The unit and every container above it that holds it sealed, innermost first. */
  path: Hex[];
  /** Its own row. */
  unit: UnitRow;
}

export interface StatusFinding {
  status: Exclude<SerialStatus, 'none'>;
  /** Where the status is set: the unit itself, its lot, or a container it is sealed in. */
  source: 'unit' | 'lot' | 'container';
  subject: Hex;
  by: Hex | null;
}

const MAX_DEPTH = 16;

/** The unit's custody, or undefined if the unit is unknown. */
export async function custodyOf(view: CustodyView, key: Hex): Promise<Custody | undefined> {
  const unit = await view.unit(key);
  if (!unit) return undefined;
  const path: Hex[] = [key];
  let top = unit;
  let sealedIn: Hex | null = null;
  for (let depth = 0; top.parent; depth++) {
    if (depth >= MAX_DEPTH) throw new Error(`unit ${key}: containers nested deeper than ${MAX_DEPTH}`);
    const parent = await view.unit(top.parent);
    if (!parent) return { holder: null, inShipment: null, sealedIn, path, unit };
    // A unit in an opened container is loose, but its holder is still the container's (frozen when opened).
    if (parent.state !== 'unpacked') {
      sealedIn ??= parent.key;
      path.push(parent.key);
    }
    top = parent;
  }
  if (top.shipment) {
    const s = await view.shipment(top.shipment);
    if (s?.state === 'received') return { holder: s.to, inShipment: null, sealedIn, path, unit };
    if (s?.state === 'shipped') return { holder: s.from, inShipment: s, sealedIn, path, unit };
  }
  return { holder: top.owner, inShipment: null, sealedIn, path, unit };
}

/** Every status that applies to the unit: its own, its lot's, and those of the containers it is sealed in. */
export async function statusesOf(view: CustodyView, custody: Custody): Promise<StatusFinding[]> {
  const out: StatusFinding[] = [];
  for (const [i, key] of custody.path.entries()) {
    const u = i === 0 ? custody.unit : await view.unit(key);
    if (!u) continue;
    if (u.status !== 'none') out.push({ status: u.status, source: i === 0 ? 'unit' : 'container', subject: key, by: u.statusBy });
    if (u.lotId) {
      const lot = await view.lot(u.lotId);
      if (lot && lot.status !== 'none' && !out.some((f) => f.source === 'lot' && f.subject === lot.lotId)) out.push({ status: lot.status, source: 'lot', subject: lot.lotId, by: lot.statusBy });
    }
  }
  return out;
}

/** A virtual row for a commissioned unit not materialized on chain. */
export function virtualUnit(key: Hex, lotId: Hex, manufacturer: Hex, parent: Hex | null): UnitRow {
  return { key, lotId, owner: parent ? null : manufacturer, parent, shipment: null, creator: null, state: 'active', status: 'none', statusBy: null, changedBlock: 0 };
}
