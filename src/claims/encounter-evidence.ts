/**
 * Phantom-billing evidence: the provider backs each date of service with the record-log entry of the
 * Encounter it wrote (src/records/store.ts `versionLeaf`: type, id, version, ciphertext hash, patient
 * token, write time; no clinical content) and its RFC 6962 inclusion proof to a root the provider
 * anchored on the ledger. The insurer checks the proof against its own index of the AnchorRegistry,
 * so it learns that an Encounter record existed, anchored, written on or after the date of service,
 * and nothing of what it says.
 *
 * What the proof does not bind: that the Encounter is the claim's patient (the leaf's patient token
 * is the provider's blind index, which the insurer cannot open) and its exact period (the write time
 * is bound, the clinical date is not). A provider willing to anchor fake Encounters defeats it; it
 * then stands on the ledger, signed and timestamped, for an audit.
 */
import type { Hex } from 'viem';
import type { AnchorRow } from '../indexer/projectors/anchors.ts';
import { leafHash } from '../merkle/hasher.ts';
import { verifyInclusion } from '../merkle/verify.ts';
import type { EncounterProof, IsoDate } from './rules/types.ts';

/** One Encounter's proof as the provider sends it with a claim. */
export interface EncounterEvidence {
  /** `Encounter/<id>` as the claim's item.encounter names it. */
  reference: string;
  /** The date of service it backs. */
  date: IsoDate;
  leafIndex: number;
  /** The log leaf, base64. */
  leaf: string;
  proof: Hex[];
  anchor: { index: number; treeSize: number; root: Hex; blockNumber: number };
}

const bytesOf = (h: Hex): Buffer => Buffer.from(h.slice(2), 'hex');

export type EvidenceCheck = { ok: true; proof: EncounterProof } | { ok: false; reason: string };

/** Checks one piece of evidence against the provider's anchored record-log roots. */
export function verifyEncounterEvidence(e: EncounterEvidence, anchors: readonly AnchorRow[], logId: Hex): EvidenceCheck {
  let fields: { t?: unknown; i?: unknown; ts?: unknown };
  const leaf = Buffer.from(e.leaf, 'base64');
  try {
    fields = JSON.parse(leaf.toString('utf8')) as typeof fields;
  } catch {
    return { ok: false, reason: `${e.reference}: the log leaf is not JSON` };
  }
  if (fields.t !== 'Encounter' || `Encounter/${String(fields.i)}` !== e.reference) return { ok: false, reason: `${e.reference}: the log leaf is not this Encounter (it is ${String(fields.t)}/${String(fields.i)})` };
  if (typeof fields.ts !== 'string' || fields.ts.slice(0, 10) < e.date) return { ok: false, reason: `${e.reference}: written ${String(fields.ts)}, before the date of service ${e.date}` };
  const anchored = anchors.find((a) => a.index === e.anchor.index);
  if (!anchored || anchored.root.toLowerCase() !== e.anchor.root.toLowerCase() || anchored.treeSize !== e.anchor.treeSize) return { ok: false, reason: `${e.reference}: root #${e.anchor.index} is not the provider's anchored record-log root` };
  const hash = leafHash(leaf);
  const r = verifyInclusion(e.leafIndex, e.anchor.treeSize, hash, e.proof.map(bytesOf), bytesOf(e.anchor.root));
  if (!r.ok) return { ok: false, reason: `${e.reference}: inclusion proof does not verify: ${r.reason}` };
  return {
    ok: true,
    proof: { logId, leafIndex: e.leafIndex, leafHash: `0x${hash.toString('hex')}`, treeSize: e.anchor.treeSize, path: e.proof, anchor: { root: e.anchor.root, blockNumber: anchored.blockNumber, txHash: anchored.txHash } },
  };
}
