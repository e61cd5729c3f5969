import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { epcisDocumentKind, eventsOf } from './events.ts';
import { isDomainError } from '../../shared/errors.ts';

const fixtures = new URL('../../../test/fixtures/', import.meta.url);
const load = (rel: string): unknown => JSON.parse(readFileSync(new URL(rel, fixtures), 'utf8'));

test('an aggregation event: parent/children, CBV values normalised, lists, given eventID', () => {
  const [agg, obj] = eventsOf(load('epcis-hash/extensions-and-lists.jsonld'));
  assert.equal(agg!.type, 'AggregationEvent');
  assert.equal(agg!.eventID, 'urn:uuid:5e2a7a3c-0d3b-4c55-9a8e-2f1a3b4c5d6e');
  assert.equal(agg!.eventIDComputed, false);
  assert.match(agg!.hashId, /^ni:\/\/\/sha-256;/);
  assert.equal(agg!.parentID, 'urn:epc:id:sscc:0614141.1234567890');
  assert.deepEqual(agg!.childEPCs, ['urn:epc:id:sgtin:0614141.107346.2019', 'urn:epc:id:sgtin:0614141.107346.2018']);
  assert.equal(agg!.action, 'ADD');
  assert.equal(agg!.bizStep!.uri, 'https://ref.gs1.org/cbv/BizStep-packing');
  assert.equal(agg!.disposition!.word, 'in_progress');
  assert.equal(agg!.readPoint, 'urn:epc:id:sgln:0614141.00777.0');
  assert.equal(agg!.bizLocation, 'urn:epc:id:sgln:0614141.00888.0');
  assert.deepEqual(agg!.bizTransactionList.map((b) => [b.type?.uri, b.id]), [
    ['https://ref.gs1.org/cbv/BTT-po', 'urn:epcglobal:cbv:bt:0614141073467:PO-1'],
    ['https://ref.gs1.org/cbv/BTT-desadv', 'urn:epcglobal:cbv:bt:0614141073467:ASN-9'],
  ]);
  assert.deepEqual(agg!.sourceList.map((s) => [s.type.uri, s.id]), [['https://ref.gs1.org/cbv/SDT-owning_party', 'urn:epc:id:pgln:0614141.00001']]);
  assert.deepEqual(agg!.destinationList.map((s) => s.type.word), ['location']);
  assert.equal(agg!.recordTime, '2026-01-10T08:00:05.000Z');
  assert.equal(obj!.sensorElementCount, 1);
  assert.deepEqual(obj!.persistentDisposition!.set.map((v) => v.uri), ['https://ref.gs1.org/cbv/Disp-completeness_verified']);
  assert.equal(obj!.eventIDComputed, true);
  assert.equal(obj!.eventID, obj!.hashId);
});

test('quantities, transformation inputs/outputs and error declarations', () => {
  const [declared, transformation] = eventsOf(load('epcis-hash/error-declaration.jsonld'));
  assert.equal(declared!.errorDeclaration!.reason!.uri, 'https://ref.gs1.org/cbv/ER-incorrect_data');
  assert.deepEqual(declared!.errorDeclaration!.correctiveEventIDs, ['ni:///sha-256;00000000000000000000000000000000000000000000000000000000000000aa?ver=CBV2.0']);
  assert.equal(declared!.errorDeclaration!.declarationTime, '2026-01-10T09:00:00.000Z');
  assert.deepEqual(transformation!.inputEPCList, ['urn:epc:id:sgtin:4012345.011122.25']);
  assert.deepEqual(transformation!.outputEPCList, ['urn:epc:id:sgtin:4012345.077889.25']);
  assert.deepEqual(transformation!.inputQuantityList, [{ epcClass: 'urn:epc:class:lgtin:4012345.011111.4444', quantity: 10, uom: 'KGM' }]);
  assert.equal(transformation!.transformationID, 'urn:epc:id:gdti:0614141.12345.400');
  assert.equal(transformation!.bizStep!.word, 'repackaging');
  const [, q] = eventsOf(load('epcis-hash/timestamps-and-numbers.jsonld'));
  assert.deepEqual(q!.quantityList[1], { epcClass: 'urn:epc:idpat:sgtin:4012345.098765.*', quantity: 10 });
});

test('query documents and single events; anything else is refused', () => {
  const query = load('gs1-epcis-examples/EPCISQueryDocument.jsonld');
  assert.equal(epcisDocumentKind(query), 'EPCISQueryDocument');
  assert.equal(eventsOf(query).length, 2);
  const single = { type: 'ObjectEvent', eventTime: '2026-01-10T09:00:00Z', eventTimeZoneOffset: '+00:00', epcList: [], action: 'OBSERVE' };
  assert.equal(epcisDocumentKind(single), 'event');
  assert.equal(eventsOf(single)[0]!.eventIDComputed, true);
  assert.throws(() => eventsOf({ type: 'Invoice' }), (e) => isDomainError(e, 'invalid') && /"type" is "Invoice"/.test(e.message));
  assert.throws(() => eventsOf([]), /"type" is missing/);
});
