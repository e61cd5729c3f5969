import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identifierIn, KnownValues, tokens } from './text-check.ts';

describe('identifierIn', () => {
  const known = new KnownValues();
  known.add('Bins', 'names');
  known.add('Denny', 'names');
  known.add('New Bedford', 'geographic');
  known.add('Lupe', 'names');
  known.add('100', 'other-id'); // too short to be told from a dose
  known.add('X46246395X', 'licence');

  const cases: [string, string | undefined][] = [
    ['Body Height', undefined],
    ['Hemoglobin A1c/Hemoglobin.total in Blood', undefined],
    ['mm[Hg]', undefined],
    ['10*3/uL', undefined],
    ['Streptococcus pneumoniae 13-valent conjugate vaccine', undefined],
    ['Influenza, seasonal, injectable, preservative free', undefined],
    ['Blood pressure 120/80', undefined],
    ['write to denny@example.org', 'email'],
    ['see https://example.org/p/1', 'url'],
    ['www.example.com', 'url'],
    ['from 10.1.2.3', 'ip'],
    ['host fe80::1ff:fe23:4567:890a', 'ip'],
    ['SSN 999-23-8054', 'ssn'],
    ['call 555-475-6178', 'telephone'],
    ['call (555) 475-6178', 'telephone'],
    ['seen 2019-04-16', 'dates'],
    ['seen 4/16/2019', 'dates'],
    ['seen 16.4.19', 'dates'],
    ['Levora 0.15/30 28 Day Pack', undefined],
    ['Ibuprofen 100 MG Oral Tablet', undefined],
    ['seen April 16th', 'dates'],
    ['lives in 02026', 'geographic'],
    ['ZIP 02026-1234', 'geographic'],
    ['account 123456789', 'other-id'],
    ['Dr. Denny Bins', 'names'],
    ['Visit in New Bedford', 'geographic'],
    ['Newer Bedfordshire', undefined],
    ['BINS', 'names'],
    ['passport x46246395x', 'licence'],
  ];
  for (const [text, want] of cases) it(`${JSON.stringify(text)} → ${want ?? 'kept'}`, () => assert.equal(identifierIn(text, known), want));
});

describe('tokens', () => {
  it('folds case and accents and keeps inner apostrophes and hyphens', () => {
    assert.deepEqual(tokens("Adán  O'Brien-Smith, MD."), ['adan', "o'brien-smith", 'md']);
  });
});
