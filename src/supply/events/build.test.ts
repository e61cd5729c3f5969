import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCbv, eventsOf, validateEpcisDocument } from '../epcis/index.ts';
import { aggregationEvent, epcisDocument, itemDl, lgtinDl, locationDl, lotIlmd, objectEvent, partyDl, unitDl } from './build.ts';

test('the events a node writes conform to the EPCIS 2.0 schema and CBV 2.0, and their identifiers parse back', () => {
  const items = [itemDl('00614141123452', 'A1'), itemDl('00614141123452', 'a/b c'), unitDl('0100614141123452212')];
  const doc = epcisDocument([
    objectEvent({ action: 'ADD', bizStep: 'commissioning', disposition: 'active', epcList: items, readPoint: locationDl('0614141000005'), ilmd: lotIlmd('L1', '2028-01-31') }),
    aggregationEvent({ action: 'ADD', parentID: unitDl('00106141410000000026'), childEPCs: items, bizStep: 'packing', disposition: 'in_progress' }),
    objectEvent({
      action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', epcList: [unitDl('00106141410000000026')],
      bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:uuid:6a0d1c74-0000-4000-8000-000000000001' }],
      sourceList: [{ type: 'owning_party', source: partyDl('0614141000005') }], destinationList: [{ type: 'owning_party', destination: partyDl('0614141000012') }],
    }),
    objectEvent({ action: 'OBSERVE', bizStep: 'holding', disposition: 'recalled', quantityList: [{ epcClass: lgtinDl('00614141123452', 'L1') }] }),
  ]);
  const v = validateEpcisDocument(doc);
  assert.deepEqual(v.errors, []);
  const views = eventsOf(doc);
  assert.deepEqual(views.flatMap((e) => checkCbv(e.raw)), []);
  assert.equal(views[0]!.epcList[1], 'https://id.gs1.org/01/00614141123452/21/a%2Fb%20c');
  assert.equal(views[1]!.parentID, 'https://id.gs1.org/00/106141410000000026');
});
