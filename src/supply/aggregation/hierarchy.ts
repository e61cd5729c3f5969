/**
 * The packing hierarchy (which items are in which case, which cases on which pallet) as EPCIS
 * AggregationEvents describe it (EPCIS 2.0 §7.4.3: ADD puts childEPCs into parentID, DELETE takes them
 * out, DELETE with no children empties the parent), replayed in event-time order. Identifiers are
 * compared as unit ids (`01<GTIN>21<serial>`, `00<SSCC>`), so an EPC URN and a Digital Link of the same
 * unit are the same child.
 */
import { parseGs1Identifier } from '../gs1/index.ts';
import type { EpcisEventView } from '../epcis/index.ts';
import { containerId, itemId } from '../ledger/keys.ts';

/** The unit id of an EPC (EPC URN, Digital Link or element string), or null if it is not an SGTIN or SSCC. */
export function unitIdOf(epc: string): string | null {
  try {
    const { id } = parseGs1Identifier(epc);
    if (id.scheme === 'sgtin') return itemId(id.gtin, id.serial);
    if (id.scheme === 'sscc') return containerId(id.sscc);
  } catch {
    // not a GS1 key we trade (a GIAI, a GRAI, a malformed URN): ignored here
  }
  return null;
}

/** Parent unit id → child unit ids. */
export type Hierarchy = Map<string, Set<string>>;

/** Replays the aggregation events (any order given; applied by event time, then document order). */
export function hierarchyOf(events: readonly Pick<EpcisEventView, 'type' | 'action' | 'parentID' | 'childEPCs' | 'eventTime' | 'errorDeclaration'>[]): Hierarchy {
  const h: Hierarchy = new Map();
  const ordered = events
    .map((e, i) => ({ e, i, t: Date.parse(e.eventTime) }))
    .filter(({ e }) => e.type === 'AggregationEvent' && e.parentID && !e.errorDeclaration)
    .sort((a, b) => a.t - b.t || a.i - b.i);
  for (const { e } of ordered) {
    const parent = unitIdOf(e.parentID!);
    if (!parent) continue;
    const children = e.childEPCs.map(unitIdOf).filter((c): c is string => c !== null);
    if (e.action === 'ADD') {
      const set = h.get(parent) ?? new Set();
      for (const c of children) {
        for (const other of h.values()) other.delete(c); // a unit is in one container at a time
        set.add(c);
      }
      h.set(parent, set);
    } else if (e.action === 'DELETE') {
      if (children.length === 0) h.delete(parent);
      else for (const c of children) h.get(parent)?.delete(c);
    }
  }
  return h;
}

/** Every unit inside `id`, at any depth (the unit itself excluded). */
export function contentsOf(h: Hierarchy, id: string, depth = 0): string[] {
  if (depth > 16) return [];
  return [...(h.get(id) ?? [])].flatMap((c) => [c, ...contentsOf(h, c, depth + 1)]);
}
