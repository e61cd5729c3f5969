import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCheckDigit, gs1CheckDigit, hasValidCheckDigit } from './check-digit.ts';
import { isDomainError } from '../../shared/errors.ts';

test('gs1CheckDigit: GS1 General Specifications §7.9.1 examples and keys of every length', () => {
  const cases: [string, number][] = [
    ['0950600013435', 2], // GTIN-14 09506000134352 (GS1 example)
    ['8061414112345', 8], // GTIN-14 80614141123458 (TDS example)
    ['10614141123456789', 7], // SSCC 106141411234567897
    ['061414112345', 2], // GLN 0614141123452
    ['1234567', 0], // GTIN-8 12345670
    ['03600029145', 2], // GTIN-12 036000291452 (UPC-A)
    ['400638133393', 1], // GTIN-13 4006381333931
  ];
  for (const [payload, digit] of cases) assert.equal(gs1CheckDigit(payload), digit, payload);
});

test('hasValidCheckDigit accepts good keys and refuses bad, short or non-numeric ones', () => {
  assert.equal(hasValidCheckDigit('09506000134352'), true);
  assert.equal(hasValidCheckDigit('09506000134353'), false);
  assert.equal(hasValidCheckDigit('0950600013435A'), false);
  assert.equal(hasValidCheckDigit('5'), false);
});

test('assertCheckDigit says which digit was found and which was expected', () => {
  assert.throws(
    () => assertCheckDigit('GTIN', '09506000134353'),
    (e) => isDomainError(e, 'invalid') && e.message === 'GTIN 09506000134353: check digit 3, expected 2',
  );
  assert.doesNotThrow(() => assertCheckDigit('SSCC', '106141411234567897'));
});

test('gs1CheckDigit refuses non-digits', () => {
  assert.throws(() => gs1CheckDigit('12a4'), (e) => isDomainError(e, 'invalid'));
});
