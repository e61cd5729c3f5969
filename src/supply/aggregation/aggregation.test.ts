import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentsOf, hierarchyOf, unitIdOf } from './hierarchy.ts';
import { checkReceipt } from './receipt-check.ts';

const agg = (action: 'ADD' | 'DELETE', parentID: string, childEPCs: string[], eventTime: string) => ({ type: 'AggregationEvent', action, parentID, childEPCs, eventTime });
const PALLET = 'urn:epc:id:sscc:0614141.1000000001';
const CASE1 = 'https://id.gs1.org/00/106141410000000026';
const CASE2 = 'urn:epc:id:sscc:0614141.1000000003';
const item = (s: string) => `urn:epc:id:sgtin:0614141.012345.${s}`;

test('EPC URNs and Digital Links of a unit meet as one unit id', () => {
  assert.equal(unitIdOf(item('7')), '0100614141123452217');
  assert.equal(unitIdOf('https://id.gs1.org/01/00614141123452/21/7'), '0100614141123452217');
  assert.equal(unitIdOf(CASE1), unitIdOf('urn:epc:id:sscc:0614141.1000000002'));
  assert.equal(unitIdOf('urn:epc:id:giai:0614141.1'), null);
});

test('aggregation events replayed by time: ADD, DELETE of some, DELETE of all, re-packing moves a unit', () => {
  const h = hierarchyOf([
    agg('ADD', PALLET, [CASE1, CASE2], '2026-01-01T10:05:00Z'),
    agg('ADD', CASE1, [item('1'), item('2')], '2026-01-01T10:00:00Z'),
    agg('ADD', CASE2, [item('3'), item('4')], '2026-01-01T10:01:00Z'),
    agg('DELETE', CASE2, [item('4')], '2026-01-01T11:00:00Z'),
    agg('ADD', CASE1, [item('3')], '2026-01-01T12:00:00Z'),
  ] as never);
  const id = (e: string) => unitIdOf(e)!;
  assert.deepEqual([...h.get(id(CASE1))!].sort(), [id(item('1')), id(item('2')), id(item('3'))].sort());
  assert.deepEqual([...h.get(id(CASE2))!], []);
  assert.equal(contentsOf(h, id(PALLET)).length, 5);
  const emptied = hierarchyOf([agg('ADD', CASE1, [item('1')], '2026-01-01T10:00:00Z'), agg('DELETE', CASE1, [], '2026-01-02T10:00:00Z')] as never);
  assert.equal(emptied.has(id(CASE1)), false);
});

test('receipt check: product without data, data without product, aggregation and ledger mismatches', () => {
  const h = new Map([['C1', new Set(['I1', 'I2'])], ['C2', new Set(['I3'])]]);
  const data = { topLevel: ['C1', 'C2'], hierarchy: h };
  assert.equal(checkReceipt({ data, scanned: { topLevel: ['C1', 'C2'] }, ledger: ['C1', 'C2'], complete: true }).ok, true);
  const r = checkReceipt({ data, scanned: { topLevel: ['C1', 'X9'], contents: { C1: ['I1', 'I7'] } }, ledger: ['C1', 'C5'], complete: true });
  assert.deepEqual(r.productWithoutData, ['X9']);
  assert.deepEqual(r.dataWithoutProduct, ['C2']);
  assert.deepEqual(r.aggregationMismatches, [{ container: 'C1', missing: ['I2'], unexpected: ['I7'] }]);
  assert.deepEqual(r.ledgerMismatch, { notOnLedger: ['C2'], notInData: ['C5'] });
  assert.equal(r.ok, false);
  assert.deepEqual(checkReceipt({ data: null, scanned: { topLevel: ['C1'] }, complete: true }).productWithoutData, ['C1']);
  assert.deepEqual(checkReceipt({ data, scanned: { topLevel: ['C1'] }, complete: false }).dataWithoutProduct, [], 'a partial receipt misses nothing yet');
});
