/** Inclusion and consistency proofs of the audit log, in a JSON shape a client can check offline. */
import { bytesToHex, type Hex } from 'viem';
import type { AnchorRow } from '../indexer/projectors/anchors.ts';
import type { PersistentLog } from '../merkle/persistent-log.ts';
import { consistencyProof as consistency, inclusionProof as inclusion } from '../merkle/proofs.ts';

export interface InclusionProof {
  index: number;
  leaf: string; // base64 of the canonical AuditEvent
  treeSize: number;
  root: Hex;
  proof: Hex[];
  anchor: AnchorRow | null;
}

export async function inclusionProof(log: PersistentLog, index: number, treeSize: number, anchor: AnchorRow | null): Promise<InclusionProof> {
  return {
    index,
    leaf: (await log.leaf(index))!.toString('base64'),
    treeSize,
    root: bytesToHex(log.tree.root(treeSize)),
    proof: inclusion(log.tree, index, treeSize).map((h) => bytesToHex(h)),
    anchor,
  };
}

export function consistencyProof(log: PersistentLog, first: number, second: number) {
  return {
    first,
    second,
    firstRoot: bytesToHex(log.tree.root(first)),
    secondRoot: bytesToHex(log.tree.root(second)),
    proof: consistency(log.tree, first, second).map((h) => bytesToHex(h)),
  };
}
