import { bytesToHex, type Hex } from 'viem';
import type { Resource } from '../fhir/types.ts';
import type { AnchorRow } from '../indexer/projectors/anchors.ts';
import { inclusionProof } from '../merkle/proofs.ts';
import type { RecordStore, VersionRow } from './store.ts';

/** Where a proof can be checked: the chain and the registry that holds the anchored roots. */
export interface LedgerCoordinates {
  chainId: number;
  anchorRegistry: Hex;
  orgId: Hex;
}

/** `$verify`'s answer: the version's leaf and inclusion proof to the first anchored root covering it. */
export async function proofOf(row: VersionRow, store: RecordStore, anchor: AnchorRow | undefined, ledger: LedgerCoordinates): Promise<Resource> {
  const tree = store.log.tree;
  const size = anchor?.treeSize ?? tree.size;
  const leaf = (await store.log.leaf(row.leaf_index))!;
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'target', valueReference: { reference: `${row.type}/${row.id}/_history/${row.version}` } },
      { name: 'leafIndex', valueInteger: row.leaf_index },
      { name: 'leaf', valueBase64Binary: leaf.toString('base64') },
      { name: 'treeSize', valueInteger: size },
      { name: 'root', valueString: bytesToHex(tree.root(size)) },
      ...inclusionProof(tree, row.leaf_index, size).map((h) => ({ name: 'proof', valueString: bytesToHex(h) })),
      { name: 'anchored', valueBoolean: anchor !== undefined },
      ...(anchor
        ? [
            { name: 'chainId', valueInteger: ledger.chainId },
            { name: 'anchorRegistry', valueString: ledger.anchorRegistry },
            { name: 'orgId', valueString: ledger.orgId },
            { name: 'logKind', valueString: 'records' },
            { name: 'logId', valueString: anchor.logId },
            { name: 'anchorIndex', valueInteger: anchor.index },
            { name: 'blockNumber', valueInteger: anchor.blockNumber },
            { name: 'transaction', valueString: anchor.txHash },
          ]
        : []),
    ],
  };
}
