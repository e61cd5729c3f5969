import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseGtin, validateGln, validateSscc } from './keys.ts';
import { isDomainError } from '../../shared/errors.ts';

test('normaliseGtin pads GTIN-8, -12 and -13 to GTIN-14 and keeps GTIN-14', () => {
  const cases: [string, string][] = [
    ['12345670', '00000012345670'],
    ['036000291452', '00036000291452'],
    ['4006381333931', '04006381333931'],
    ['09506000134352', '09506000134352'],
  ];
  for (const [input, gtin14] of cases) assert.equal(normaliseGtin(input), gtin14, input);
});

test('normaliseGtin refuses a wrong check digit and a wrong length with precise messages', () => {
  assert.throws(() => normaliseGtin('09506000134353'), { message: 'GTIN 09506000134353: check digit 3, expected 2' });
  assert.throws(() => normaliseGtin('4006381333932'), { message: 'GTIN 4006381333932: check digit 2, expected 1' });
  assert.throws(() => normaliseGtin('123456789'), (e) => isDomainError(e, 'invalid') && /must be 8, 12, 13 or 14 digits.*got 9 characters/.test(e.message));
  assert.throws(() => normaliseGtin('0950600013435X'), /including non-digits/);
});

test('validateSscc and validateGln check length and check digit', () => {
  assert.equal(validateSscc('106141411234567897'), '106141411234567897');
  assert.throws(() => validateSscc('106141411234567898'), { message: 'SSCC 106141411234567898: check digit 8, expected 7' });
  assert.throws(() => validateSscc('10614141123456789'), /must be 18 digits/);
  assert.equal(validateGln('0614141123452'), '0614141123452');
  assert.throws(() => validateGln('0614141123453'), { message: 'GLN 0614141123453: check digit 3, expected 2' });
});
