/**
 * `carechain verify`: checks an organization's whole record store against the roots anchored on the
 * chain; `carechain records verify-proof`: checks one $verify answer independently of any node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, hexToBytes, type Hex, type PublicClient } from 'viem';
import { connectChain } from '../chain/client.ts';
import { checkDeployment, readDeployment } from '../chain/deployment.ts';
import { anchorRegistryAbi } from '../chain/generated/contracts.ts';
import { logKindToChain, orgIdOf, type LogKind } from '../chain/ids.ts';
import { callNode, problemOf, type NodeTarget } from './node-client.ts';
import type { NodeConfig } from '../config/node-config.ts';
import { loadOrgKeys } from '../crypto/org-keys.ts';
import { BlindIndex } from '../crypto/blind-index.ts';
import { CarechainError } from '../shared/errors.ts';
import { leafHash } from '../merkle/hasher.ts';
import { verifyInclusion } from '../merkle/verify.ts';
import { openNodeStorage } from '../node/services.ts';
import { resolveRpcUrl } from '../node/start.ts';
import { RecordStore } from '../records/store.ts';
import { verifyRecordStore, type VerifyReport } from '../records/verify.ts';
import { verifyAuditLog, type AuditVerifyReport } from '../audit/verify.ts';
import { DetailSealer } from '../audit/audit-log.ts';

export async function verifyStoreCommand(config: NodeConfig, out: (line: string) => void = console.log): Promise<VerifyReport> {
  const keys = await loadOrgKeys(config.keyFile, config.org);
  const conn = await connectChain(resolveRpcUrl(config));
  const deployment = readDeployment(config.deploymentFile);
  await checkDeployment(conn.client, deployment, config.deploymentFile);
  const storage = await openNodeStorage(config);
  try {
    const store = await RecordStore.open(storage, keys, new BlindIndex(keys.indexSecret));
    const report = await verifyRecordStore({
      store,
      client: conn.client,
      deployment,
      orgId: orgIdOf(config.org),
      onProgress: (done, total) => process.stderr.isTTY && process.stderr.write(`\rverify: ${done}/${total} versions`),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    out(`record log: ${report.logEntries} entries, ${report.anchorsChecked} anchored roots checked (anchored through entry ${report.anchoredSize})`);
    out(`versions: ${report.versions} checked, ${report.erasedVersions} erased`);
    if (report.ok) out('OK: the store matches the ledger');
    else {
      out(`FAILED: ${report.problems.length} problem(s)`);
      for (const p of report.problems) out(`  - ${p}`);
    }
    return report;
  } finally {
    await storage.close();
  }
}

interface ProofParams {
  target: string;
  leafIndex: number;
  leaf: string;
  treeSize: number;
  root: Hex;
  proof: Hex[];
  anchored: boolean;
  chainId?: number;
  anchorRegistry?: Hex;
  orgId?: Hex;
  logKind?: 'records';
  logId?: Hex;
  anchorIndex?: number;
  blockNumber?: number;
}

function readProof(json: any): ProofParams {
  if (json?.resourceType !== 'Parameters') throw new CarechainError('not a $verify answer (expected a Parameters resource)', 2);
  const out: Record<string, unknown> = { proof: [] };
  for (const p of json.parameter ?? []) {
    const v = p.valueInteger ?? p.valueString ?? p.valueBoolean ?? p.valueBase64Binary ?? p.valueReference?.reference;
    if (p.name === 'proof') (out.proof as unknown[]).push(v);
    else out[p.name] = v;
  }
  return out as unknown as ProofParams;
}

/** Verifies a proof on its own: leaf → root by the inclusion path, root → the chain by eth_call. */
export async function verifyProofCommand(file: string, opts: { rpcUrl?: string; home: string; deploymentFile?: string }, out = console.log): Promise<void> {
  const p = readProof(JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8')));
  const leaf = Buffer.from(p.leaf, 'base64');
  const fields = JSON.parse(leaf.toString('utf8')) as { t: string; i: string; v: number; h: string };
  if (`${fields.t}/${fields.i}/_history/${fields.v}` !== p.target) throw new CarechainError(`the leaf is about ${fields.t}/${fields.i}/_history/${fields.v}, not ${p.target}`);
  const inclusion = verifyInclusion(p.leafIndex, p.treeSize, leafHash(leaf), p.proof.map((h) => hexToBytes(h)), hexToBytes(p.root));
  if (!inclusion.ok) {
    throw new CarechainError(`inclusion proof does not lead from entry ${p.leafIndex} to root ${p.root}`);
  }
  out(`inclusion: ${p.target} (ciphertext sha256 ${fields.h}) is entry ${p.leafIndex} of a log of ${p.treeSize} with root ${p.root}`);
  if (!p.anchored) throw new CarechainError('the root is not anchored yet: ask again after the next anchoring batch');
  const conn = await connectChain(resolveRpcUrl({ rpcUrl: opts.rpcUrl, home: opts.home }));
  if (conn.chain.id !== p.chainId) throw new CarechainError(`the proof is for chain ${p.chainId}, the RPC URL serves chain ${conn.chain.id}`);
  if (opts.deploymentFile) {
    const d = readDeployment(opts.deploymentFile);
    await checkDeployment(conn.client, d, opts.deploymentFile);
    if (d.contracts.AnchorRegistry.address !== getAddress(p.anchorRegistry!)) throw new CarechainError(`the proof names AnchorRegistry ${p.anchorRegistry}, not the network's ${d.contracts.AnchorRegistry.address}`);
  }
  const block = await checkAnchoredRoot(conn.client, { registry: p.anchorRegistry!, orgId: p.orgId!, kind: 'records', logId: p.logId!, index: p.anchorIndex!, root: p.root, treeSize: p.treeSize });
  out(`anchored: root ${p.root} is anchor #${p.anchorIndex} of organization ${p.orgId} on chain ${conn.chain.id}, block ${block}`);
  out('OK: verified against the ledger');
}

/** Throws unless the chain's anchor #index of the log is exactly (root, treeSize); returns its block. */
async function checkAnchoredRoot(
  client: PublicClient,
  a: { registry: Hex; orgId: Hex; kind: LogKind; logId: Hex; index: number; root: Hex; treeSize: number },
): Promise<bigint> {
  const onChain = await client.readContract({
    address: getAddress(a.registry),
    abi: anchorRegistryAbi,
    functionName: 'anchorAt',
    args: [a.orgId, logKindToChain(a.kind), a.logId, BigInt(a.index)],
  });
  if (onChain.root !== a.root || Number(onChain.treeSize) !== a.treeSize) {
    throw new CarechainError(`the chain's anchor #${a.index} is root ${onChain.root} at size ${onChain.treeSize}, not the proof's root ${a.root} at size ${a.treeSize}`);
  }
  return onChain.blockNumber;
}

/** `carechain audit proof`: fetches an audit entry's proof from a node and checks it against the chain. */
export async function auditProofCommand(target: NodeTarget, index: number, opts: { rpcUrl?: string; home: string }, out = console.log): Promise<void> {
  const res = await callNode(target, 'GET', `/api/audit/entries/${index}/proof`);
  if (res.status !== 200) throw new CarechainError(`HTTP ${res.status}: ${problemOf(res.json)}`);
  const p = res.json as { index: number; leaf: string; treeSize: number; root: Hex; proof: Hex[]; anchor: { index: number; logId: Hex } | null; anchorRegistry: Hex; orgId: Hex; event: { id: string } };
  const leaf = Buffer.from(p.leaf, 'base64');
  if ((JSON.parse(leaf.toString('utf8')) as { id: string }).id !== String(index)) throw new CarechainError(`the node returned a leaf for another entry than ${index}`);
  const inclusion = verifyInclusion(index, p.treeSize, leafHash(leaf), p.proof.map((h) => hexToBytes(h)), hexToBytes(p.root));
  if (!inclusion.ok) throw new CarechainError(`inclusion proof does not lead from audit entry ${index} to root ${p.root}: ${inclusion.reason}`);
  out(JSON.stringify(p.event, null, 2));
  out(`inclusion: audit entry ${index} is in the log of ${p.treeSize} with root ${p.root}`);
  if (!p.anchor) throw new CarechainError('the entry is not covered by an anchored root yet: ask again after the next anchoring batch');
  const conn = await connectChain(resolveRpcUrl({ rpcUrl: opts.rpcUrl, home: opts.home }));
  const block = await checkAnchoredRoot(conn.client, { registry: p.anchorRegistry, orgId: p.orgId, kind: 'audit', logId: p.anchor.logId, index: p.anchor.index, root: p.root, treeSize: p.treeSize });
  out(`anchored: root ${p.root} is audit anchor #${p.anchor.index} of organization ${p.orgId}, block ${block}`);
  out('OK: verified against the ledger');
}

export async function verifyAuditCommand(config: NodeConfig, patientId: string | undefined, out: (line: string) => void = console.log): Promise<AuditVerifyReport> {
  const keys = await loadOrgKeys(config.keyFile, config.org);
  const conn = await connectChain(resolveRpcUrl(config));
  const deployment = readDeployment(config.deploymentFile);
  await checkDeployment(conn.client, deployment, config.deploymentFile);
  const storage = await openNodeStorage(config);
  try {
    const blind = new BlindIndex(keys.indexSecret);
    const report = await verifyAuditLog({ storage, client: conn.client, deployment, orgId: orgIdOf(config.org), sealer: new DetailSealer(keys.indexSecret), patientId, patientTokenOf: (id) => blind.patientToken(id) });
    out(`audit log: ${report.entries} entries, ${report.anchorsChecked} anchored roots checked (anchored through entry ${report.anchoredSize})`);
    if (report.patientEntriesProven !== undefined) out(`patient ${patientId}: ${report.patientEntriesProven} anchored entries proven`);
    out(report.ok ? 'OK: the audit log matches the ledger' : `FAILED: ${report.firstProblem}`);
    return report;
  } finally {
    await storage.close();
  }
}
