/**
 * The monitor's integrity report for a study's captured data (ICH E6(R2) §5.18 monitoring: the
 * data reported must be accurate, complete and verifiable from source). Pure over what the node kept
 * and what the ledger holds:
 * - each batch's leaves are re-hashed into a root and compared with the root anchored on chain
 *   (`rootMatches`): a leaf changed, added or dropped after anchoring shows here;
 * - each entry's resource, as stored now, is re-hashed and compared with the captured leaf
 *   (`altered`: a newer version, changed content, or the record is gone);
 * - `late`: an entry whose clinical time falls before a batch that had already been sealed when the
 *   entry was captured (data for a period already locked, entered afterwards);
 * - `unanchored`: entries captured but not yet in an anchored batch.
 */
import type { Hex } from 'viem';
import { batchRoot, entryLeaf, type EntryFacts } from './entry.ts';

export interface CapturedEntry extends EntryFacts {
  seq: number;
  capturedAt: string;
  clinicalTime?: string;
  batch: number | null;
}

export interface SealedBatch {
  batch: number;
  sealedAt: string;
  /** The root anchored on chain for this batch (undefined: not found on the ledger). */
  anchoredRoot?: Hex;
  anchoredBlock?: number;
}

/** The resource as stored now: undefined if it is gone. */
export type CurrentState = { versionId: string; contentHash: string } | undefined;

export interface IntegrityReport {
  ok: boolean;
  entries: number;
  batches: { batch: number; size: number; root: Hex; anchoredRoot?: Hex; anchoredBlock?: number; rootMatches: boolean }[];
  altered: { seq: number; resource: string; capturedVersion: string; currentVersion?: string; reason: 'new-version' | 'content-changed' | 'missing' }[];
  late: { seq: number; resource: string; clinicalTime: string; capturedAt: string; lockedBy: number }[];
  unanchored: { seq: number; resource: string }[];
}

export function integrityReport(entries: readonly CapturedEntry[], batches: readonly SealedBatch[], current: ReadonlyMap<number, CurrentState>): IntegrityReport {
  const report: IntegrityReport = { ok: true, entries: entries.length, batches: [], altered: [], late: [], unanchored: [] };
  const byBatch = new Map<number, CapturedEntry[]>();
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    if (e.batch === null) report.unanchored.push({ seq: e.seq, resource: `${e.type}/${e.id}` });
    else byBatch.set(e.batch, [...(byBatch.get(e.batch) ?? []), e]);
  }
  for (const b of [...batches].sort((x, y) => x.batch - y.batch)) {
    const members = byBatch.get(b.batch) ?? [];
    const root = batchRoot(members.map(entryLeaf));
    const rootMatches = b.anchoredRoot !== undefined && b.anchoredRoot.toLowerCase() === root;
    report.batches.push({ batch: b.batch, size: members.length, root, ...(b.anchoredRoot ? { anchoredRoot: b.anchoredRoot } : {}), ...(b.anchoredBlock !== undefined ? { anchoredBlock: b.anchoredBlock } : {}), rootMatches });
  }
  for (const e of entries) {
    const now = current.get(e.seq);
    const resource = `${e.type}/${e.id}`;
    if (now === undefined) report.altered.push({ seq: e.seq, resource, capturedVersion: e.versionId, reason: 'missing' });
    else if (now.versionId !== e.versionId) report.altered.push({ seq: e.seq, resource, capturedVersion: e.versionId, currentVersion: now.versionId, reason: 'new-version' });
    else if (now.contentHash !== e.contentHash) report.altered.push({ seq: e.seq, resource, capturedVersion: e.versionId, currentVersion: now.versionId, reason: 'content-changed' });
    if (e.clinicalTime !== undefined) {
      const t = Date.parse(e.clinicalTime);
      const captured = Date.parse(e.capturedAt);
      const lock = batches.filter((b) => Date.parse(b.sealedAt) <= captured && t < Date.parse(b.sealedAt)).sort((x, y) => x.batch - y.batch)[0];
      if (lock && !Number.isNaN(t)) report.late.push({ seq: e.seq, resource, clinicalTime: e.clinicalTime, capturedAt: e.capturedAt, lockedBy: lock.batch });
    }
  }
  report.ok = report.altered.length === 0 && report.late.length === 0 && report.batches.every((b) => b.rootMatches);
  return report;
}
