import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scan } from './barcode.ts';

test('every GS1 syntax of a unit reads to the same unit id, with lot and expiry when carried', () => {
  const want = { id: '0100614141123452216789', kind: 'item', gtin: '00614141123452', serial: '6789', lot: 'L1', expiry: '2028-01-31' };
  assert.deepEqual(scan(']d20100614141123452172801311' + '0L1\u001d216789'), want);
  assert.deepEqual(scan('(01)00614141123452(17)280131(10)L1(21)6789'), want);
  assert.deepEqual(scan('https://id.gs1.org/01/00614141123452/10/L1/21/6789?17=280131'), want);
  assert.deepEqual(scan('urn:epc:id:sgtin:0614141.012345.6789'), { id: '0100614141123452216789', kind: 'item', gtin: '00614141123452', serial: '6789' });
  assert.deepEqual(scan('(00)106141411234567897'), { id: '00106141411234567897', kind: 'container', sscc: '106141411234567897' });
});

test('what is not a serialized unit is refused with what to do', () => {
  assert.throws(() => scan('(01)00614141123452(10)L1'), /a lot, not a serialized unit: add the serial/);
  assert.throws(() => scan('(414)0614141123452'), /a location/);
  assert.throws(() => scan('(01)00614141123453(21)1'), /check digit/);
});
