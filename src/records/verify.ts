/**
 * Whole-store verification: rebuilds the record log from the database, checks it against every root
 * anchored on the ledger (read from the chain itself, not from the node's index), and checks every
 * version's metadata, ciphertext and wrapped key. Reports each problem precisely.
 */
import { bytesToHex, type Hex, type PublicClient } from 'viem';
import type { Deployment } from '../chain/deployment.ts';
import { anchorRegistryAbi } from '../chain/generated/contracts.ts';
import { logIdOf, logKindToChain } from '../chain/ids.ts';
import { leafHash } from '../merkle/hasher.ts';
import { MerkleTree } from '../merkle/tree.ts';
import { isDomainError } from '../shared/errors.ts';
import { versionLeaf, type RecordStore } from './store.ts';

export interface VerifyReport {
  ok: boolean;
  logEntries: number;
  versions: number;
  erasedVersions: number;
  anchorsChecked: number;
  anchoredSize: number;
  problems: string[];
}

export async function verifyRecordStore(opts: {
  store: RecordStore;
  client: PublicClient;
  deployment: Deployment;
  orgId: Hex;
  onProgress?: (done: number, total: number) => void;
}): Promise<VerifyReport> {
  const { store } = opts;
  const problems: string[] = [];
  const leaves = new Map<number, Buffer>();
  const tree = new MerkleTree();
  for await (const [idx, leaf] of store.log.leaves()) {
    if (idx !== tree.size) {
      problems.push(`record log: entry ${tree.size} is missing (next stored entry is ${idx})`);
      break;
    }
    tree.appendLeafHash(leafHash(leaf));
    leaves.set(idx, leaf);
  }

  // Anchored roots, from the chain.
  const address = opts.deployment.contracts.AnchorRegistry.address;
  const kind = logKindToChain('records');
  const logId = logIdOf('records');
  const count = Number(await opts.client.readContract({ address, abi: anchorRegistryAbi, functionName: 'anchorCount', args: [opts.orgId, kind, logId] }));
  let anchoredSize = 0;
  for (let i = 0; i < count; i++) {
    const a = await opts.client.readContract({ address, abi: anchorRegistryAbi, functionName: 'anchorAt', args: [opts.orgId, kind, logId, BigInt(i)] });
    const size = Number(a.treeSize);
    anchoredSize = size;
    if (size > tree.size) {
      problems.push(`record log: anchor #${i} (block ${a.blockNumber}) covers ${size} entries but only ${tree.size} are stored: entries were removed`);
    } else if (bytesToHex(tree.root(size)) !== a.root) {
      problems.push(`record log: anchor #${i} (block ${a.blockNumber}, size ${size}) root ${a.root} does not match the stored log's root ${bytesToHex(tree.root(size))}: entries before ${size} were changed`);
    }
  }

  // Every version against its log entry, its ciphertext and its wrapped key.
  const total = await store.versionCount();
  let done = 0;
  let erasedVersions = 0;
  const referenced = new Set<number>();
  for await (const row of store.allVersions()) {
    const where = `${row.type}/${row.id}/_history/${row.version}`;
    referenced.add(row.leaf_index);
    const leaf = leaves.get(row.leaf_index);
    if (!leaf) problems.push(`${where}: its record-log entry ${row.leaf_index} is missing`);
    else if (!leaf.equals(versionLeaf(row))) problems.push(`${where}: version metadata differs from record-log entry ${row.leaf_index}`);
    if (row.erased) erasedVersions++;
    else if (row.op !== 'delete') {
      try {
        await store.decrypt(row);
      } catch (err) {
        if (isDomainError(err, 'integrity')) {
          // decrypt() also checks the leaf against the in-memory tree; report only the new finding.
          if (!/record-log entry/.test(err.message)) problems.push(err.message);
        } else throw err;
      }
    }
    if (++done % 1000 === 0) opts.onProgress?.(done, total);
  }
  opts.onProgress?.(done, total);
  for (const idx of await store.erasureLeafIndexes()) referenced.add(idx);
  for (const idx of leaves.keys()) {
    if (!referenced.has(idx)) problems.push(`record log: entry ${idx} has no stored version (${leaves.get(idx)!.toString('utf8').slice(0, 120)}): a version was deleted`);
  }
  return { ok: problems.length === 0, logEntries: tree.size, versions: total, erasedVersions, anchorsChecked: count, anchoredSize, problems };
}
