import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { eventHashesOf, eventHashId, hashIdOfPreHash } from './event-hash.ts';
import { isDomainError } from '../../../shared/errors.ts';

const fixtures = new URL('../../../../test/fixtures/', import.meta.url);
const load = (rel: string): unknown => JSON.parse(readFileSync(new URL(rel, fixtures), 'utf8'));

test('hash IDs equal those of GS1 reference implementation on GS1 examples and our edge-case documents', () => {
  const expected = load('epcis-hash/expected-hashes.json') as Record<string, string[]>;
  assert.ok(Object.keys(expected).length >= 30);
  for (const [rel, hashes] of Object.entries(expected)) {
    assert.deepEqual(eventHashesOf(load(rel)).map((h) => h.hashId), hashes, rel);
  }
});

test('the pre-hash string follows the CBV 2.0 property order and canonical forms', () => {
  const [first] = eventHashesOf(load('epcis-hash/error-declaration.jsonld'));
  assert.equal(
    first!.preHash,
    'eventType=ObjectEventeventTime=2026-01-09T14:00:00.000ZeventTimeZoneOffset=+01:00epcListepc=https://id.gs1.org/01/10614141073464/21/2018' +
      'action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit',
  );
  assert.equal(first!.hashId, hashIdOfPreHash(first!.preHash));
  assert.match(first!.hashId, /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
});

const base = {
  type: 'ObjectEvent',
  eventTime: '2026-01-10T09:00:00.000+01:00',
  eventTimeZoneOffset: '+01:00',
  epcList: ['urn:epc:id:sgtin:0614141.107346.2017', 'urn:epc:id:sgtin:0614141.107346.2018'],
  action: 'OBSERVE',
  bizStep: 'shipping',
  disposition: 'in_transit',
  readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0' },
};
const doc = (event: object) => ({ '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-01-10T10:00:00Z', epcisBody: { eventList: [event] } });
const hashOf = (event: object) => eventHashesOf(doc(event))[0]!.hashId;

test('the same event written differently has the same hash', () => {
  const h = hashOf(base);
  const variants: [string, object][] = [
    ['key order', Object.fromEntries(Object.entries(base).reverse())],
    ['EPC order', { ...base, epcList: [...base.epcList].reverse() }],
    ['Digital Link identifiers', { ...base, epcList: ['https://id.gs1.org/01/10614141073464/21/2017', 'https://example.org/01/10614141073464/21/2018'] }],
    ['CBV URNs', { ...base, bizStep: 'urn:epcglobal:cbv:bizstep:shipping', disposition: 'urn:epcglobal:cbv:disp:in_transit' }],
    ['CBV Web URIs', { ...base, bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping', disposition: 'https://ref.gs1.org/cbv/Disp-in_transit' }],
    ['other time zone', { ...base, eventTime: '2026-01-10T08:00:00Z' }],
    ['eventID, recordTime and errorDeclaration added', { ...base, eventID: 'urn:uuid:1', recordTime: '2026-01-11T00:00:00Z', errorDeclaration: { declarationTime: '2026-01-12T00:00:00Z', reason: 'incorrect_data' } }],
    ['a comment', { ...base, comment: 'scanned twice' }],
  ];
  for (const [what, v] of variants) assert.equal(hashOf(v), h, what);
});

test('a change of substance changes the hash', () => {
  const h = hashOf(base);
  const changes: [string, object][] = [
    ['serial', { ...base, epcList: ['urn:epc:id:sgtin:0614141.107346.2019', base.epcList[1]] }],
    ['time +1 ms', { ...base, eventTime: '2026-01-10T09:00:00.001+01:00' }],
    ['bizStep', { ...base, bizStep: 'receiving' }],
    ['time zone offset', { ...base, eventTimeZoneOffset: '+02:00' }],
    ['an extension field', { ...base, 'example:x': '1' }],
  ];
  for (const [what, v] of changes) assert.notEqual(hashOf(v), h, what);
});

test('ignoreFields leaves repository bookkeeping out; eventHashId hashes a bare event', () => {
  const withField = { ...base, 'acme:ingestedBy': 'node-3' };
  assert.notEqual(hashOf(withField), hashOf(base));
  assert.equal(eventHashesOf(doc(withField), { ignoreFields: ['acme:ingestedBy'] })[0]!.hashId, hashOf(base));
  assert.equal(eventHashId(base), hashOf(base));
  assert.throws(() => eventHashId({ type: 'EPCISDocument' }), (e) => isDomainError(e, 'invalid'));
});

test('query documents and single-event bodies are read', () => {
  const d = doc(base) as { epcisBody: unknown };
  const query = { ...d, type: 'EPCISQueryDocument', epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: [base] } } } };
  const single = { ...d, epcisBody: { event: base } };
  assert.equal(eventHashesOf(query)[0]!.hashId, hashOf(base));
  assert.equal(eventHashesOf(single)[0]!.hashId, hashOf(base));
  assert.deepEqual(eventHashesOf({ type: 'EPCISDocument', epcisBody: {} }), []);
});

test('the hash ID does not depend on the key order of bizTransaction, source and destination entries', () => {
  const event = { type: 'ObjectEvent', action: 'OBSERVE', eventTime: '2026-11-24T18:44:50.584Z', eventTimeZoneOffset: '+00:00', epcList: ['https://id.gs1.org/01/00614141000012/21/ABC'], bizStep: 'shipping' };
  const typeFirst = { ...event, bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:uuid:1' }], sourceList: [{ type: 'owning_party', source: 'https://id.gs1.org/417/0614141000036' }], destinationList: [{ type: 'owning_party', destination: 'https://id.gs1.org/417/0614141000029' }] };
  const valueFirst = { ...event, bizTransactionList: [{ bizTransaction: 'urn:uuid:1', type: 'desadv' }], sourceList: [{ source: 'https://id.gs1.org/417/0614141000036', type: 'owning_party' }], destinationList: [{ destination: 'https://id.gs1.org/417/0614141000029', type: 'owning_party' }] };
  assert.equal(eventHashId(valueFirst), eventHashId(typeFirst));
  assert.notEqual(eventHashId(typeFirst), eventHashId(event));
});
