/** Inclusion and consistency proofs of the audit log, in a JSON shape a client can check offline. */
import { bytesToHex, type Hex } from 'viem';
import type { AnchorRow } from '../indexer/queries.ts';
import type { PersistentLog } from '../merkle/persistent-log.ts';

export interface InclusionProof {
  index: number;
  leaf: string; // base64 of the canonical AuditEvent
  treeSize: number;
  root: Hex;
  proof: Hex[];
  anchor: AnchorRow | null;
}

export function inclusionProof(log: PersistentLog, index: number, treeSize: number, anchor: AnchorRow | null): InclusionProof {
  return {
    index,
    leaf: log.leaf(index)!.toString('base64'),
    treeSize,
    root: bytesToHex(log.tree.root(treeSize)),
    proof: log.tree.inclusionProof(index, treeSize).map((h) => bytesToHex(h)),
    anchor,
  };
}

export function consistencyProof(log: PersistentLog, first: number, second: number) {
  return {
    first,
    second,
    firstRoot: bytesToHex(log.tree.root(first)),
    secondRoot: bytesToHex(log.tree.root(second)),
    proof: log.tree.consistencyProof(first, second).map((h) => bytesToHex(h)),
  };
}
