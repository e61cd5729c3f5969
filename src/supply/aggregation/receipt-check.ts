/**
 * What a receiver finds when the product in front of it is compared with the shipment's data and the
 * ledger, pure. These are the exceptions DSCSA trading partners meet most (product without data, data
 * without product, aggregation mismatch):
 *
 * - product without data: a scanned unit the sender's EPCIS data does not list;
 * - data without product: a unit the data lists as shipped that was not scanned (on a complete receipt);
 * - aggregation mismatch: a container opened and scanned whose contents differ from the data;
 * - ledger mismatch: the top-level units of the data differ from those the ledger shipment names.
 */
import { contentsOf, type Hierarchy } from './hierarchy.ts';

export interface ReceiptInput {
  /** The units the sender's data ships at top level, and the hierarchy the data describes. */
  data: { topLevel: readonly string[]; hierarchy: Hierarchy } | null;
  /** What was scanned: top-level units, and for containers opened at receipt, what was inside. */
  scanned: { topLevel: readonly string[]; contents?: Readonly<Record<string, readonly string[]>> };
  /** The top-level units of the ledger shipment (unit ids), when known. */
  ledger?: readonly string[];
  /** The receipt is complete: what was not scanned is missing. */
  complete: boolean;
}

export interface ContainerMismatch {
  container: string;
  /** In the data, not found inside. */
  missing: string[];
  /** Found inside, not in the data. */
  unexpected: string[];
}

export interface ReceiptCheck {
  productWithoutData: string[];
  dataWithoutProduct: string[];
  aggregationMismatches: ContainerMismatch[];
  ledgerMismatch: { notOnLedger: string[]; notInData: string[] } | null;
  ok: boolean;
}

const minus = (a: Iterable<string>, b: ReadonlySet<string>) => [...a].filter((x) => !b.has(x));

export function checkReceipt(input: ReceiptInput): ReceiptCheck {
  const scannedTop = new Set(input.scanned.topLevel);
  const out: ReceiptCheck = { productWithoutData: [], dataWithoutProduct: [], aggregationMismatches: [], ledgerMismatch: null, ok: true };
  if (!input.data) {
    out.productWithoutData = [...scannedTop];
  } else {
    const dataTop = new Set(input.data.topLevel);
    const dataAll = new Set([...dataTop, ...[...dataTop].flatMap((u) => contentsOf(input.data!.hierarchy, u))]);
    out.productWithoutData = minus(scannedTop, dataAll);
    if (input.complete) {
      // A top-level unit scanned inside another one still counts as received.
      const seen = new Set([...scannedTop, ...Object.values(input.scanned.contents ?? {}).flat()]);
      out.dataWithoutProduct = minus(dataTop, seen);
    }
    for (const [container, found] of Object.entries(input.scanned.contents ?? {})) {
      const expected = new Set(input.data.hierarchy.get(container) ?? []);
      const inside = new Set(found);
      const missing = minus(expected, inside);
      const unexpected = minus(inside, expected);
      if (missing.length || unexpected.length) out.aggregationMismatches.push({ container, missing, unexpected });
    }
    if (input.ledger) {
      const onLedger = new Set(input.ledger);
      const notOnLedger = minus(dataTop, onLedger);
      const notInData = minus(onLedger, dataTop);
      if (notOnLedger.length || notInData.length) out.ledgerMismatch = { notOnLedger, notInData };
    }
  }
  out.ok = !out.productWithoutData.length && !out.dataWithoutProduct.length && !out.aggregationMismatches.length && !out.ledgerMismatch;
  return out;
}
