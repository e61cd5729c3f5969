import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordsReport, TRANSACTION_STATEMENT, type ReportInput } from './report.ts';

const input: ReportInput = {
  requestId: 'r-1',
  requester: 'FDA',
  responder: 'Corner Pharmacy',
  receivedAt: '2026-11-27T16:30:00.000Z',
  dueBy: '2026-11-30T16:30:00.000Z',
  answeredAt: '2026-11-27T16:30:01.000Z',
  product: { gtin: '00614141123452', serial: 'A|1', lot: 'L1', expiry: '2028-01-31', manufacturer: 'Acme Pharma' },
  commissioned: { at: '2026-11-01T00:00:00.000Z', txHash: '0xc0', batch: 0, root: '0xr' },
  transactions: [
    { shippedAt: '2026-11-02T00:00:00.000Z', receivedAt: '2026-11-03T00:00:00.000Z', from: 'Acme Pharma', to: 'Big Wholesale', shipmentId: '0x1', state: 'received', txHash: '0xa' },
    { shippedAt: '2026-11-04T00:00:00.000Z', receivedAt: null, from: 'Big Wholesale', to: 'Corner Pharmacy', shipmentId: '0x2', state: 'shipped', txHash: '0xb' },
  ],
  status: 'none',
  events: [{ eventID: 'ni:///sha-256;ab?ver=CBV2.0', type: 'ObjectEvent', bizStep: 'shipping', eventTime: '2026-11-02T00:00:00.000Z', anchored: true }],
};

test('the report lists the product, every transaction, a statement per seller and the events', () => {
  const md = recordsReport(input);
  assert.match(md, /due by 2026-11-30T16:30:00.000Z \(one business day\)/);
  assert.match(md, /\| 00614141123452 \| A\\\|1 \| L1 \| 2028-01-31 \| Acme Pharma \|/, 'pipes in values are escaped');
  assert.match(md, /\| 2026-11-04T00:00:00.000Z \| Big Wholesale \| Corner Pharmacy \| not received \(shipped\) \| 0x2 \| 0xb \|/);
  assert.equal(md.match(/as seller, states that it:/g)?.length, 2);
  assert.equal(md.split(TRANSACTION_STATEMENT[3]!).length - 1, 2);
  assert.match(md, /\| ni:\/\/\/sha-256;ab\?ver=CBV2.0 \| yes \|/);
  const none = recordsReport({ ...input, commissioned: null, transactions: [], events: [] });
  assert.match(none, /No commissioning of this product is on the ledger/);
  assert.match(none, /No change of ownership is on the ledger/);
  assert.match(none, /holds no EPCIS event/);
});
