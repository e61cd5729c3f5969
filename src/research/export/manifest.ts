/**
 * The manifest of a de-identified dataset: the study and the SHA-256 of each resource's canonical
 * JSON, sorted (order-independent), and the count. Its keccak256 is anchored on the TrialRegistry, so
 * anyone holding the dataset a paper used can recompute it from the resources alone and find it on
 * the ledger; a resource added, dropped or changed gives another hash.
 */
import { createHash } from 'node:crypto';
import { keccak256, stringToHex, type Hex } from 'viem';
import { canonicalJson } from '../../shared/canonical-json.ts';

export interface DatasetManifest {
  v: 1;
  studyId: Hex;
  count: number;
  /** SHA-256 (hex) of each resource's canonical JSON, sorted. */
  resources: string[];
}

export const resourceDigest = (r: unknown): string => createHash('sha256').update(canonicalJson(r)).digest('hex');

export function manifestOf(studyId: Hex, resources: readonly unknown[]): DatasetManifest {
  return { v: 1, studyId: studyId.toLowerCase() as Hex, count: resources.length, resources: resources.map(resourceDigest).sort() };
}

export const manifestHash = (m: DatasetManifest): Hex => keccak256(stringToHex(canonicalJson(m)));
