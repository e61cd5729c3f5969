import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalId, gtinLevelId, pageToken, parseEventQuery } from './query-params.ts';

test('identifiers: EPC URNs and Digital Links meet; sgtin patterns select a GTIN', () => {
  assert.equal(canonicalId('urn:epc:id:sgtin:0614141.012345.7'), canonicalId('https://example.com/01/00614141123452/21/7'));
  assert.equal(gtinLevelId('urn:epc:idpat:sgtin:0614141.012345.*'), 'https://id.gs1.org/01/00614141123452');
  assert.equal(gtinLevelId('urn:epc:id:sgtin:0614141.012345.7'), 'https://id.gs1.org/01/00614141123452');
  assert.equal(gtinLevelId('urn:epc:id:sscc:0614141.1000000002'), null);
});

test('the supported parameters parse; bare CBV words become Web URIs', () => {
  const q = parseEventQuery({
    eventType: 'ObjectEvent|AggregationEvent',
    GE_eventTime: '2026-01-01T00:00:00Z',
    LT_eventTime: '2026-02-01T00:00:00.000+01:00',
    EQ_bizStep: 'shipping|urn:epcglobal:cbv:bizstep:receiving',
    EQ_disposition: 'in_transit',
    MATCH_epc: 'urn:epc:id:sgtin:0614141.012345.7|urn:epc:idpat:sgtin:0614141.012345.*',
    EXISTS_errorDeclaration: '',
    orderBy: 'recordTime',
    orderDirection: 'DESC',
    perPage: '10',
    nextPageToken: pageToken(1767225600000, 42),
  });
  assert.deepEqual(q.eventTypes, ['ObjectEvent', 'AggregationEvent']);
  assert.deepEqual(q.eventTime, { ge: Date.parse('2026-01-01T00:00:00Z'), lt: Date.parse('2026-01-31T23:00:00Z') });
  assert.deepEqual(q.bizSteps, ['https://ref.gs1.org/cbv/BizStep-shipping', 'https://ref.gs1.org/cbv/BizStep-receiving']);
  assert.deepEqual(q.dispositions, ['https://ref.gs1.org/cbv/Disp-in_transit']);
  assert.deepEqual(q.ids.map((c) => [c.roles.join(','), c.level, c.values.length]), [['epc,child', 'exact', 1], ['epc,child', 'gtin', 1]]);
  assert.equal(q.errorDeclaration, true);
  assert.equal(q.orderBy, 'recordTime');
  assert.equal(q.descending, true);
  assert.equal(q.perPage, 10);
  assert.deepEqual(q.after, { time: 1767225600000, idx: 42 });
});

test('unsupported and malformed parameters are refused with a message that says what to do', () => {
  assert.throws(() => parseEventQuery({ EQ_quantity: '5' }), /EQ_quantity is not supported by this repository; supported: eventType, /);
  assert.throws(() => parseEventQuery({ GE_eventTime: 'yesterday' }), /GE_eventTime must be a date-time/);
  assert.throws(() => parseEventQuery({ eventType: 'PinkEvent' }), /not an EPCIS 2.0 event type/);
  assert.throws(() => parseEventQuery({ perPage: '5000' }), /perPage must be an integer from 1 to 1000/);
  assert.throws(() => parseEventQuery({ MATCH_epc: 'urn:epc:idpat:sscc:0614141.*' }), /only the pattern urn:epc:idpat:sgtin/);
  assert.throws(() => parseEventQuery({ EQ_bizStep: ['a', 'b'] }), /more than once/);
  assert.throws(() => parseEventQuery({ nextPageToken: 'garbage' }), /not one this repository issued/);
});
