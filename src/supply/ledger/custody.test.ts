import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Hex } from 'viem';
import type { LotRow, ShipmentRow, UnitRow } from '../../indexer/projectors/serial-registry.ts';
import { custodyOf, statusesOf, virtualUnit, type CustodyView } from './custody.ts';

const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const [M, D, P] = [h(0xa1), h(0xa2), h(0xa3)];
const LOT = h(0x10);
const [PALLET, CASE, ITEM, LOOSE] = [h(1), h(2), h(3), h(4)];

function view(units: UnitRow[], shipments: ShipmentRow[] = [], lots: LotRow[] = [{ lotId: LOT, manufacturer: M, status: 'none', statusBy: null, batches: 1, block: 1 }]): CustodyView {
  return {
    unit: async (k) => units.find((u) => u.key === k),
    shipment: async (id) => shipments.find((s) => s.shipmentId === id),
    lot: async (id) => lots.find((l) => l.lotId === id),
  };
}
const ship = (id: number, from: Hex, to: Hex, state: ShipmentRow['state']): ShipmentRow => ({ shipmentId: h(id), from, to, state, count: 1, shippedBlock: 1, settledBlock: null, txHash: h(0) });

test('sealed units follow their containers through shipments; received means the receiver holds them', async () => {
  const units = [
    { ...virtualUnit(PALLET, LOT, M, null), shipment: h(900) },
    virtualUnit(CASE, LOT, M, PALLET),
    virtualUnit(ITEM, LOT, M, CASE),
  ];
  const cases: [ShipmentRow['state'], Hex, boolean][] = [['shipped', M, true], ['received', D, false], ['cancelled', M, false], ['rejected', M, false]];
  for (const [state, holder, inTransit] of cases) {
    const c = (await custodyOf(view(units, [ship(900, M, D, state)]), ITEM))!;
    assert.equal(c.holder, holder, state);
    assert.equal(c.inShipment !== null, inTransit, state);
    assert.equal(c.sealedIn, CASE);
    assert.deepEqual(c.path, [ITEM, CASE, PALLET]);
  }
});

test('units of an opened container are loose but stay with whoever held it when opened', async () => {
  const units = [{ ...virtualUnit(CASE, LOT, M, null), state: 'unpacked' as const, shipment: h(900) }, virtualUnit(ITEM, LOT, M, CASE)];
  const c = (await custodyOf(view(units, [ship(900, M, D, 'received')]), ITEM))!;
  assert.equal(c.holder, D);
  assert.equal(c.sealedIn, null);
  assert.deepEqual(c.path, [ITEM]);
});

test('a loose unit shipped on: the last shipment decides', async () => {
  const units = [{ ...virtualUnit(LOOSE, LOT, M, null), owner: D, shipment: h(901) }];
  assert.equal((await custodyOf(view(units, [ship(901, D, P, 'received')]), LOOSE))!.holder, P);
  assert.equal((await custodyOf(view(units, []), LOOSE))!.holder, D, 'no shipment row: the owner');
  assert.equal(await custodyOf(view(units), h(77)), undefined);
});

test('statuses of the unit, its lot and the containers it is sealed in all apply; an opened container no longer', async () => {
  const lots: LotRow[] = [{ lotId: LOT, manufacturer: M, status: 'recalled', statusBy: M, batches: 1, block: 1 }];
  const units = [{ ...virtualUnit(PALLET, LOT, M, null), status: 'stolen' as const, statusBy: D }, virtualUnit(CASE, LOT, M, PALLET), { ...virtualUnit(ITEM, LOT, M, CASE), status: 'suspect' as const, statusBy: P }];
  const v = view(units, [], lots);
  const found = await statusesOf(v, (await custodyOf(v, ITEM))!);
  assert.deepEqual(found.map((f) => `${f.source}:${f.status}`), ['unit:suspect', 'lot:recalled', 'container:stolen']);
  const opened = view([{ ...units[0]!, state: 'unpacked' }, { ...units[1]!, state: 'unpacked' }, units[2]!]);
  assert.deepEqual((await statusesOf(opened, (await custodyOf(opened, ITEM))!)).map((f) => f.source), ['unit']);
});
