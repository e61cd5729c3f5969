import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatValidationErrors, validateEpcisDocument } from './validate.ts';

const event = {
  type: 'ObjectEvent',
  eventTime: '2026-01-10T09:00:00.000+01:00',
  eventTimeZoneOffset: '+01:00',
  epcList: ['urn:epc:id:sgtin:0614141.107346.2017'],
  action: 'OBSERVE',
  bizStep: 'shipping',
};
const doc = (events: unknown[]) => ({
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-01-10T10:00:00Z',
  epcisBody: { eventList: events },
});

test('a well-formed EPCIS document is valid', () => {
  assert.deepEqual(validateEpcisDocument(doc([event])), { valid: true, errors: [] });
});

test('every error is reported with the JSON Pointer of the offending value', () => {
  const bad = doc([event, { ...event, eventTime: 'yesterday', action: 'LOOK' }, { type: 'ObjectEvent', eventTime: '2026-01-10T09:00:00Z', eventTimeZoneOffset: '+01:00' }]);
  const r = validateEpcisDocument(bad);
  assert.equal(r.valid, false);
  const paths = new Set(r.errors.map((e) => e.path));
  assert.ok(paths.has('/epcisBody/eventList/1/eventTime'), [...paths].join(', '));
  assert.ok(paths.has('/epcisBody/eventList/1/action'), [...paths].join(', '));
  assert.ok(r.errors.some((e) => e.path === '/epcisBody/eventList/2' && e.keyword === 'required' && e.params['missingProperty'] === 'action'));
  assert.ok(!r.errors.some((e) => e.path.startsWith('/epcisBody/eventList/0')), 'the valid event has no errors');
  assert.ok(!r.errors.some((e) => e.keyword === 'if'), 'the "must match then" wrappers are dropped');
  assert.match(formatValidationErrors(r.errors), /\/epcisBody\/eventList\/2: must have required property 'action'/);
});

test('document-level errors: missing header fields, wrong type', () => {
  const r = validateEpcisDocument({ type: 'EPCISDocument', epcisBody: { eventList: [event] } });
  assert.equal(r.valid, false);
  assert.ok(r.errors.some((e) => e.path === '' && e.params['missingProperty'] === 'schemaVersion'));
  assert.equal(validateEpcisDocument({}).valid, false);
  assert.equal(validateEpcisDocument('not json object').valid, false);
});
