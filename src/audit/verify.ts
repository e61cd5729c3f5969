/**
 * Checks an organization's whole audit log (or one patient's entries) against the roots anchored on
 * the chain, and reports the first inconsistency precisely.
 */
import { bytesToHex, hexToBytes, type Hex, type PublicClient } from 'viem';
import type { Deployment } from '../chain/deployment.ts';
import { anchorRegistryAbi } from '../chain/generated/contracts.ts';
import { logIdOf, logKindToChain } from '../chain/ids.ts';
import { leafHash } from '../merkle/hasher.ts';
import { inclusionProof } from '../merkle/proofs.ts';
import { MerkleTree } from '../merkle/tree.ts';
import { verifyInclusion } from '../merkle/verify.ts';
import { allLeaves } from '../merkle/persistent-log.ts';
import type { Storage } from '../storage/engine.ts';
import { auditLeaves, detailOf, type DetailSealer } from './audit-log.ts';

export interface AuditVerifyReport {
  ok: boolean;
  entries: number;
  anchorsChecked: number;
  anchoredSize: number;
  patientEntriesProven?: number;
  firstProblem: string | null;
}

export async function verifyAuditLog(opts: {
  storage: Storage;
  client: PublicClient;
  deployment: Deployment;
  orgId: Hex;
  /** Opens the sealed details of the entries (the node's key). */
  sealer: DetailSealer;
  /** One patient's entries to prove (their id here). */
  patientId?: string;
  /**
   * The node's patient token function (HMAC): with it, every entry's patient index is checked against
   * the patient its anchored bytes name, so a link changed or removed (which would thin a patient's
   * view, this verification and the flags) is detected.
   */
  patientTokenOf?: (patientId: string) => string;
}): Promise<AuditVerifyReport> {
  const tree = new MerkleTree();
  let firstProblem: string | null = null;
  const problem = (p: string) => (firstProblem ??= p);
  let lastRecorded = '';
  // A detail that does not open (changed, or moved from another entry) is a problem, not a crash.
  const tolerant = {
    open: (idx: number, stored: string) => {
      try {
        return opts.sealer.open(idx, stored);
      } catch {
        problem(`audit entry ${idx}'s detail does not open: it was changed or moved`);
        return '{"org":""}';
      }
    },
  };
  for await (const [idx, leaf] of allLeaves(auditLeaves(opts.storage, tolerant))) {
    if (idx !== tree.size) {
      problem(`audit entry ${tree.size} is missing: the next stored entry is ${idx}`);
      break;
    }
    let event: { id?: string; recorded?: string } = {};
    try {
      event = JSON.parse(leaf.toString('utf8')) as typeof event;
    } catch {
      problem(`audit entry ${idx} is not a JSON AuditEvent`);
    }
    if (event.id !== undefined && event.id !== String(idx)) problem(`audit entry ${idx} is AuditEvent/${event.id}: entries were reordered or removed at ${idx}`);
    // Entries are stamped in order (ISO-8601 UTC strings compare as times).
    if (event.recorded !== undefined && event.recorded < lastRecorded) problem(`audit entry ${idx} was recorded (${event.recorded}) before entry ${idx - 1} (${lastRecorded}): entries were reordered`);
    lastRecorded = event.recorded ?? lastRecorded;
    tree.appendLeafHash(leafHash(leaf));
  }

  const address = opts.deployment.contracts.AnchorRegistry.address;
  const kind = logKindToChain('audit');
  const logId = logIdOf('audit');
  const count = Number(await opts.client.readContract({ address, abi: anchorRegistryAbi, functionName: 'anchorCount', args: [opts.orgId, kind, logId] }));
  let anchoredSize = 0;
  let latestRoot: Hex | undefined;
  let previousSize = 0;
  for (let i = 0; i < count; i++) {
    const a = await opts.client.readContract({ address, abi: anchorRegistryAbi, functionName: 'anchorAt', args: [opts.orgId, kind, logId, BigInt(i)] });
    const size = Number(a.treeSize);
    if (size > tree.size) {
      problem(`anchor #${i} (block ${a.blockNumber}) covers ${size} entries but only ${tree.size} are stored: entries ${tree.size}..${size - 1} were removed`);
      break;
    }
    if (bytesToHex(tree.root(size)) !== a.root) {
      problem(
        `anchor #${i} (block ${a.blockNumber}, size ${size}) does not match the stored log: ` +
          (i === 0 ? `an entry before ${size} was changed` : `entries ${previousSize}..${size - 1} were changed (entries before ${previousSize} still match anchor #${i - 1})`),
      );
      break;
    }
    anchoredSize = size;
    latestRoot = a.root;
    previousSize = size;
  }

  // The patient index against the anchored bytes: each entry's stored token must be the token of the
  // patient its leaf names (none if it names none). The patient's entries are those the leaves name.
  const patientEntries: number[] = [];
  if (opts.patientTokenOf) {
    const want = opts.patientId !== undefined ? `Patient/${opts.patientId}` : undefined;
    for (let from = 0; ; from += 5000) {
      const rows = await opts.storage.all<{ idx: number; patient_token: string | null; detail: string }>('SELECT idx, patient_token, detail FROM audit_entries WHERE idx >= ? ORDER BY idx LIMIT 5000', [from]);
      for (const r of rows) {
        let named: string | undefined;
        try {
          named = detailOf(r, opts.sealer).patientId;
        } catch {
          problem(`audit entry ${r.idx}'s detail does not open: it was changed or moved`);
          continue;
        }
        const expected = named ? opts.patientTokenOf(named) : null;
        if ((r.patient_token ?? null) !== expected) problem(`audit entry ${r.idx} names ${named ? `Patient/${named}` : 'no patient'} but its patient index says otherwise: the link was changed or removed`);
        if (want && named && `Patient/${named}` === want) patientEntries.push(Number(r.idx));
      }
      if (rows.length < 5000) break;
    }
  }
  let patientEntriesProven: number | undefined;
  if (opts.patientId !== undefined && latestRoot) {
    patientEntriesProven = 0;
    for (const idx of patientEntries.filter((i) => i < anchoredSize)) {
      const r = verifyInclusion(idx, anchoredSize, tree.leafHashAt(idx), inclusionProof(tree, idx, anchoredSize), hexToBytes(latestRoot));
      if (!r.ok) problem(`the patient's audit entry ${idx} is not included in the anchored root: ${r.reason}`);
      else patientEntriesProven++;
    }
  }
  return { ok: firstProblem === null, entries: tree.size, anchorsChecked: count, anchoredSize, patientEntriesProven, firstProblem };
}
