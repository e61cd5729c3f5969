import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, type Hex } from 'viem';
import type { AnchorRow } from '../indexer/projectors/anchors.ts';
import { inclusionProof } from '../merkle/proofs.ts';
import { MerkleTree } from '../merkle/tree.ts';
import { verifyEncounterEvidence, type EncounterEvidence } from './encounter-evidence.ts';

const leaves = [
  { t: 'Patient', i: 'p1', ts: '2026-03-01T10:00:00Z' },
  { t: 'Encounter', i: 'e1', ts: '2026-03-02T10:00:00Z' },
  { t: 'Observation', i: 'o1', ts: '2026-03-02T11:00:00Z' },
].map((l) => Buffer.from(JSON.stringify(l)));
const tree = new MerkleTree();
for (const l of leaves) tree.append(l);
const root = bytesToHex(tree.root()) as Hex;
const anchors: AnchorRow[] = [{ orgId: '0x01', kind: 'records', logId: '0x02', index: 0, treeSize: 3, root, timestamp: 0, blockNumber: 7, txHash: '0x03' }];
const evidence = (i: number, over: Partial<EncounterEvidence> = {}): EncounterEvidence => ({
  reference: 'Encounter/e1',
  date: '2026-03-02',
  leafIndex: i,
  leaf: leaves[i]!.toString('base64'),
  proof: inclusionProof(tree, i, 3).map((h) => bytesToHex(h)),
  anchor: { index: 0, treeSize: 3, root, blockNumber: 7 },
  ...over,
});

test('a proof of an anchored Encounter written on or after the date verifies', () => {
  const r = verifyEncounterEvidence(evidence(1), anchors, '0x02');
  assert.ok(r.ok);
  assert.equal(r.ok && r.proof.anchor.blockNumber, 7);
});

test('wrong type, early write, foreign root and a bad path are refused, saying why', () => {
  const rows: [EncounterEvidence, RegExp][] = [
    [evidence(2, { reference: 'Encounter/o1' }), /not this Encounter/],
    [evidence(1, { date: '2026-03-05' }), /before the date of service/],
    [evidence(1, { anchor: { index: 0, treeSize: 3, root: `0x${'11'.repeat(32)}`, blockNumber: 7 } }), /not the provider's anchored/],
    [evidence(1, { proof: [] }), /does not verify/],
  ];
  for (const [e, why] of rows) {
    const r = verifyEncounterEvidence(e, anchors, '0x02');
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', why);
  }
});
