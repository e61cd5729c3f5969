import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidId, normalizeReference, splitCanonical } from './reference.ts';

test('normalizeReference: literal references to Type/id, versions apart, remote URLs kept (references.html#literal)', () => {
  const local = { localBases: ['https://node.example/fhir'] };
  const rows: [string, ReturnType<typeof normalizeReference>][] = [
    ['Patient/123', { reference: 'Patient/123', targetType: 'Patient', id: '123' }],
    ['Patient/123/_history/4', { reference: 'Patient/123', targetType: 'Patient', id: '123', version: '4' }],
    ['/Patient/123', { reference: 'Patient/123', targetType: 'Patient', id: '123' }],
    ['https://node.example/fhir/Patient/123', { reference: 'Patient/123', targetType: 'Patient', id: '123' }],
    ['https://node.example/fhir/Patient/123/_history/2', { reference: 'Patient/123', targetType: 'Patient', id: '123', version: '2' }],
    ['https://other.example/fhir/Patient/123/_history/2', { reference: 'https://other.example/fhir/Patient/123', targetType: 'Patient', id: '123', version: '2' }],
    ['http://www.acme-medical.com/Patient/ab34d', { reference: 'http://www.acme-medical.com/Patient/ab34d', targetType: 'Patient', id: 'ab34d' }],
    ['urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a', { reference: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a' }],
    ['urn:oid:1.2.3', { reference: 'urn:oid:1.2.3' }],
    ['#p1', { reference: '#p1' }],
    ['Patient?identifier=http://x|1', { reference: 'Patient?identifier=http://x|1', targetType: 'Patient' }],
    ['Nope/123', { reference: 'Nope/123' }],
    ['just-text', { reference: 'just-text' }],
  ];
  for (const [ref, want] of rows) assert.deepEqual(normalizeReference(ref, local), want, ref);
});

test('splitCanonical and isValidId', () => {
  assert.deepEqual(splitCanonical('http://hl7.org/fhir/ValueSet/x|4.0.1'), { url: 'http://hl7.org/fhir/ValueSet/x', version: '4.0.1' });
  assert.deepEqual(splitCanonical('http://hl7.org/fhir/ValueSet/x'), { url: 'http://hl7.org/fhir/ValueSet/x' });
  assert.ok(isValidId('a-B.9'));
  assert.ok(!isValidId('a/b'));
  assert.ok(!isValidId('x'.repeat(65)));
});
