import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Hex } from 'viem';
import { batchRoot, contentHash, entryLeaf } from './entry.ts';
import { integrityReport, type CapturedEntry, type CurrentState } from './integrity.ts';

const study = `0x${'11'.repeat(32)}` as Hex;
const tag = `0x${'22'.repeat(32)}` as Hex;
const obs = (v: number) => ({ resourceType: 'Observation', id: 'o1', status: 'final', valueQuantity: { value: v } });
const entry = (seq: number, batch: number | null, capturedAt: string, clinicalTime: string, value: number): CapturedEntry => ({
  seq, batch, capturedAt, clinicalTime, studyId: study, subjectTag: tag, type: 'Observation', id: `o${seq}`, versionId: '1', contentHash: contentHash(obs(value)),
});

test('the leaf holds the facts only, not the batch it was put in', () => {
  const e = entry(1, null, '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z', 5);
  assert.deepEqual(entryLeaf(e), entryLeaf({ ...e, batch: 3, seq: 9, capturedAt: 'later' } as CapturedEntry));
});

test('a clean dataset verifies against its anchored roots', () => {
  const es = [entry(1, 0, '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z', 5), entry(2, 0, '2026-01-02T00:00:00Z', '2026-01-01T12:00:00Z', 6)];
  const root = batchRoot(es.map(entryLeaf));
  const current = new Map<number, CurrentState>(es.map((e) => [e.seq, { versionId: '1', contentHash: e.contentHash }]));
  const r = integrityReport(es, [{ batch: 0, sealedAt: '2026-01-03T00:00:00Z', anchoredRoot: root }], current);
  assert.equal(r.ok, true);
  assert.deepEqual([r.altered, r.late, r.unanchored], [[], [], []]);
});

test('altered, late, unanchored entries and a changed leaf are each reported', () => {
  const es = [entry(1, 0, '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z', 5), entry(2, 0, '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z', 6)];
  const root = batchRoot(es.map(entryLeaf));
  // Entry 3 is about Jan 1 but was captured after batch 0 was sealed on Jan 3: late.
  const late = entry(3, 1, '2026-01-05T00:00:00Z', '2026-01-01T06:00:00Z', 7);
  const pending = entry(4, null, '2026-01-06T00:00:00Z', '2026-01-06T00:00:00Z', 8);
  const current = new Map<number, CurrentState>([
    [1, { versionId: '2', contentHash: es[0]!.contentHash }],
    [2, { versionId: '1', contentHash: contentHash(obs(60)) }],
    [3, { versionId: '1', contentHash: late.contentHash }],
  ]);
  const batches = [
    { batch: 0, sealedAt: '2026-01-03T00:00:00Z', anchoredRoot: root },
    { batch: 1, sealedAt: '2026-01-05T01:00:00Z', anchoredRoot: batchRoot([entryLeaf({ ...late, contentHash: 'forged' })]) },
  ];
  const r = integrityReport([...es, late, pending], batches, current);
  assert.equal(r.ok, false);
  assert.deepEqual(r.altered.map((a) => [a.seq, a.reason]), [[1, 'new-version'], [2, 'content-changed'], [4, 'missing']]);
  assert.deepEqual(r.late.map((l) => [l.seq, l.lockedBy]), [[3, 0]]);
  assert.deepEqual(r.unanchored.map((u) => u.seq), [4]);
  assert.deepEqual(r.batches.map((b) => b.rootMatches), [true, false]);
});
