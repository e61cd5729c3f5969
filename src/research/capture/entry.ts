/**
 * A captured research data entry (an Observation, a QuestionnaireResponse…) as a Merkle leaf: the
 * study, the subject's tag, the resource's type, id and version and the SHA-256 of its canonical JSON
 * (without `meta`, which the store rewrites). No PHI: the leaf holds hashes and opaque ids. Leaves are
 * hashed as RFC 6962 leaves (merkle/hasher.ts) and batched under one root anchored on the TrialRegistry.
 */
import { createHash } from 'node:crypto';
import type { Hex } from 'viem';
import { MerkleTree } from '../../merkle/tree.ts';
import { canonicalJson } from '../../shared/canonical-json.ts';

export interface EntryFacts {
  studyId: Hex;
  subjectTag: Hex;
  type: string;
  id: string;
  versionId: string;
  contentHash: string;
}

/** SHA-256 (hex) of a resource's canonical JSON, without `meta`. */
export function contentHash(resource: Record<string, unknown>): string {
  const { meta: _meta, ...rest } = resource;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** The leaf's bytes: exactly the facts above (never the capture bookkeeping: sequence, batch, times). */
export const entryLeaf = (e: EntryFacts): Buffer =>
  Buffer.from(canonicalJson({ v: 1, studyId: e.studyId.toLowerCase(), subjectTag: e.subjectTag.toLowerCase(), type: e.type, id: e.id, versionId: e.versionId, contentHash: e.contentHash }));

/** The RFC 6962 root (0x hex) of a batch of leaves, in order. */
export function batchRoot(leaves: readonly Buffer[]): Hex {
  const tree = new MerkleTree();
  for (const l of leaves) tree.append(l);
  return `0x${tree.root().toString('hex')}`;
}

/** The clinical time of an entry: when it happened, not when it was captured. */
export function clinicalTimeOf(r: Record<string, unknown>): string | undefined {
  for (const k of ['effectiveDateTime', 'authored', 'issued', 'recordedDate', 'occurrenceDateTime']) {
    if (typeof r[k] === 'string') return r[k] as string;
  }
  const p = r.effectivePeriod as { start?: string } | undefined;
  return p?.start;
}
