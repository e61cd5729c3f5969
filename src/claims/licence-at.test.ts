import assert from 'node:assert/strict';
import { test } from 'node:test';
import { licenceStatusOn, type DatedStatus } from './licence-at.ts';

const history: DatedStatus[] = [
  { status: 'active', block: 10, date: '2026-01-10' },
  { status: 'suspended', block: 20, date: '2026-03-01' },
  { status: 'active', block: 30, date: '2026-04-01' },
];

test('the status on a date is the last one set on or before it', () => {
  const rows: [string, string, string | null][] = [
    ['2026-01-01', 'none', null],
    ['2026-01-10', 'active', '2026-01-10'],
    ['2026-03-15', 'suspended', '2026-03-01'],
    ['2026-04-01', 'active', '2026-04-01'],
  ];
  for (const [date, status, since] of rows) {
    const s = licenceStatusOn(history, date, '0xc');
    assert.equal(s.status, status, date);
    assert.equal(s.since, since, date);
  }
  assert.equal(licenceStatusOn(history, '2026-03-15', '0xc').sourceBlock, 20);
});
