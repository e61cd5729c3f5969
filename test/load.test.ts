// storage-engine: sqlite-only (no node database on this path; the PostgreSQL pass of npm test skips this file)
/**
 * The load benchmark, bounded: three node processes on one Anvil under the mixed workload for a few
 * seconds, then the naive baseline. Every operation succeeds, and batching beats the naive design on
 * chain transactions and on write throughput. (`npm run bench -- --load` runs it at full length.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBenchmarks } from '../bench/load.bench.ts';

test('mixed load on three nodes: no errors, far fewer chain transactions than the naive design', async () => {
  const results = await loadBenchmarks(() => {}, { seconds: 3, patients: 3 });
  const row = (prefix: string) => results.find((r) => r.operation.startsWith(prefix))!;
  for (const op of ['write', 'read', 'fetch', 'consent']) {
    const r = row(`load: ${op}`);
    assert.ok(r.ops > 0, `${op} ran`);
    assert.match(r.note!, /^0 errors/, `${op}: ${r.note}`);
  }
  const txs = row('load: chain transactions used');
  const [, used, naive] = /^(\d+) txs for .* naive: (\d+)/.exec(txs.note!)!.map(Number);
  assert.ok(used! > 0 && naive! > 10 * used!, txs.note);
  const naiveRow = row('load: naive write');
  assert.match(naiveRow.note!, /^0 errors/);
  assert.ok(row('load: write').opsPerSec > 5 * naiveRow.opsPerSec, `${row('load: write').opsPerSec} vs naive ${naiveRow.opsPerSec}`);
});
