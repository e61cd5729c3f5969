import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeEpcComponent, parseEpcUri, toEpcUri } from './epc-uri.ts';
import type { Gs1Identifier } from './identifier.ts';
import { isDomainError } from '../../shared/errors.ts';

// TDS 2.x examples (§6.3.1–6.3.3, §6.4.1) and company prefixes of other lengths.
const cases: [Gs1Identifier, number, string][] = [
  [{ scheme: 'sgtin', gtin: '80614141123458', serial: '6789' }, 7, 'urn:epc:id:sgtin:0614141.812345.6789'],
  [{ scheme: 'sgtin', gtin: '09506000134352', serial: 'A/B%"&<>?!' }, 9, 'urn:epc:id:sgtin:950600013.0435.A%2FB%25%22%26%3C%3E%3F!'],
  [{ scheme: 'sgtin', gtin: '04012345123456', serial: '1' }, 12, 'urn:epc:id:sgtin:401234512345.0.1'],
  [{ scheme: 'lgtin', gtin: '04012345123456', lot: '998877' }, 7, 'urn:epc:class:lgtin:4012345.012345.998877'],
  [{ scheme: 'sscc', sscc: '106141411234567897' }, 7, 'urn:epc:id:sscc:0614141.1123456789'],
  [{ scheme: 'sscc', sscc: '106141411234567897' }, 12, 'urn:epc:id:sscc:061414112345.16789'],
  [{ scheme: 'sgln', gln: '0614141123452', extension: '5678' }, 7, 'urn:epc:id:sgln:0614141.12345.5678'],
  [{ scheme: 'sgln', gln: '0614141123452' }, 7, 'urn:epc:id:sgln:0614141.12345.0'],
  [{ scheme: 'sgln', gln: '0614141123452' }, 12, 'urn:epc:id:sgln:061414112345..0'],
];

test('toEpcUri and parseEpcUri are inverse for every scheme and company prefix length', () => {
  for (const [id, cp, urn] of cases) {
    assert.equal(toEpcUri(id, { companyPrefixLength: cp }), urn);
    assert.deepEqual(parseEpcUri(urn), { id, companyPrefixLength: cp }, urn);
  }
});

test('companyPrefixLength defaults to 7 and may be a lookup function', () => {
  assert.equal(toEpcUri({ scheme: 'sgtin', gtin: '80614141123458', serial: '6789' }), 'urn:epc:id:sgtin:0614141.812345.6789');
  const lookup = (key: string) => (key.slice(1, 4) === '950' ? 9 : 7);
  assert.equal(toEpcUri({ scheme: 'sgtin', gtin: '09506000134352', serial: '1' }, { companyPrefixLength: lookup }), 'urn:epc:id:sgtin:950600013.0435.1');
  assert.throws(() => toEpcUri({ scheme: 'sscc', sscc: '106141411234567897' }, { companyPrefixLength: 5 }), /must be 6 to 12 digits/);
});

test('parseEpcUri recomputes the check digit, and refuses malformed URNs precisely', () => {
  assert.equal((parseEpcUri('urn:epc:id:sgtin:4012345.011111.9876').id as { gtin: string }).gtin, '04012345111118');
  const bad: [string, RegExp][] = [
    ['urn:epc:id:sgtin:0614141.81234.6789', /13 digits together, got 7\+5/],
    ['urn:epc:id:sgtin:0614141.812345', /serial is missing/],
    ['urn:epc:id:sgtin:0614141.812345.A%2', /"%2" is not a valid %XX escape/],
    ['urn:epc:id:sgtin:0614141.812345.A B', /character 2 \(" "\) is not allowed/],
    ['urn:epc:id:sgtin:0614141.812345.123456789012345678901', /21 characters, at most 20 allowed/],
    ['urn:epc:id:sscc:0614141.112345678', /17 digits together/],
    ['urn:epc:id:sgln:0614141.12345', /extension is missing/],
    ['urn:epc:id:grai:0614141.12345.400', /scheme "grai" is not supported here/],
    ['urn:epc:id:sgtin:06141.8123456.1', /company prefix "06141" must be 6 to 12 digits/],
    ['urn:isbn:123', /is not an EPC URI/],
  ];
  for (const [urn, message] of bad) assert.throws(() => parseEpcUri(urn), (e) => isDomainError(e, 'invalid') && message.test(e.message), urn);
});

test('escapeEpcComponent escapes exactly the seven TDS characters', () => {
  assert.equal(escapeEpcComponent(`!"%&'()*+,-./:;<=>?_Az9`), `!%22%25%26'()*+,-.%2F:;%3C=%3E%3F_Az9`);
});
