import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionsFrom, deadlineOf, EXCEPTION_KINDS, initialState, isTerminal, nextState } from './workflow.ts';

test('data exceptions: open → investigating → resolved, and nothing after', () => {
  for (const kind of EXCEPTION_KINDS.filter((k) => k !== 'suspect-product')) {
    assert.equal(initialState(kind), 'open');
    assert.equal(nextState(kind, 'open', 'resolve'), 'resolved');
    assert.equal(nextState(kind, nextState(kind, 'open', 'investigate'), 'resolve'), 'resolved');
    assert.throws(() => nextState(kind, 'resolved', 'resolve'), /it is finished/);
    assert.throws(() => nextState(kind, 'open', 'clear'), /cannot be cleared: possible: investigate, resolve/);
  }
});

test('suspect product: quarantined → investigating → cleared, or illegitimate → closed', () => {
  const k = 'suspect-product';
  assert.equal(initialState(k), 'quarantined');
  assert.equal(nextState(k, 'quarantined', 'clear'), 'cleared');
  assert.equal(nextState(k, 'investigating', 'declare-illegitimate'), 'illegitimate');
  assert.equal(nextState(k, 'illegitimate', 'close'), 'closed');
  assert.throws(() => nextState(k, 'quarantined', 'declare-illegitimate'), /cannot be declared illegitimate: possible: investigate, clear/);
  assert.throws(() => nextState(k, 'illegitimate', 'clear'), /possible: close/);
  assert.deepEqual(actionsFrom(k, 'closed'), []);
  assert.ok(isTerminal('closed') && isTerminal('cleared') && !isTerminal('illegitimate'));
});

test('deadlines: 3 business days to resolve data exceptions; 24 hours to notify once illegitimate', () => {
  const raised = Date.parse('2026-11-25T10:00:00Z'); // the day before Thanksgiving
  assert.equal(new Date(deadlineOf('late-data', 'open', raised, null)!.dueMs).toISOString(), '2026-12-01T10:00:00.000Z');
  assert.equal(deadlineOf('late-data', 'resolved', raised, null), null);
  assert.equal(deadlineOf('suspect-product', 'investigating', raised, null), null);
  const determined = raised + 3600_000;
  const d = deadlineOf('suspect-product', 'illegitimate', raised, determined)!;
  assert.equal(d.dueMs - determined, 24 * 3600_000);
  assert.match(d.what, /24 hours/);
});
