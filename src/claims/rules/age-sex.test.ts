import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadSyntheticTables } from '../tables/claim-tables.ts';
import { ageSexRule } from './age-sex.ts';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { claim } from './testing.ts';
import type { Demographics } from './types.ts';

// Synthetic table: 55700 male; 59400 female 10–60; 99384 ages 12–17; 99387 65+; N40.0 male; Z00.110 age 0.
const tables = loadSyntheticTables();
const rule = ageSexRule();
const factsFor = (demographics: Demographics) => new InMemoryClaimFacts({ tables, demographics: [{ patient: 'Patient/p1', demographics }] });

describe('age-sex-conflict', () => {
  const cases: [string, Demographics, Parameters<typeof claim>[0], string | null][] = [
    ['male-only procedure for a female', { gender: 'female', birthDate: '1970-01-01' }, { lines: ['55700'] }, 'sex'],
    ['male-only procedure for a male', { gender: 'male', birthDate: '1970-01-01' }, { lines: ['55700'] }, null],
    ['male-only procedure for a female with KX', { gender: 'female', birthDate: '1970-01-01' }, { lines: [{ code: '55700', mods: ['KX'] }] }, null],
    ['male-only procedure, gender unknown', { gender: 'unknown', birthDate: '1970-01-01' }, { lines: ['55700'] }, null],
    ['adolescent preventive visit at 45', { gender: 'male', birthDate: '1979-01-01' }, { lines: ['99384'] }, 'age'],
    ['adolescent preventive visit at 17', { gender: 'male', birthDate: '2006-03-06' }, { lines: ['99384'] }, null],
    ['adolescent preventive visit the day the patient turns 18', { gender: 'male', birthDate: '2006-03-05' }, { lines: ['99384'] }, 'age'],
    ['65+ visit at 64', { gender: 'female', birthDate: '1959-03-06' }, { lines: ['99387'] }, 'age'],
    ['65+ visit at 65', { gender: 'female', birthDate: '1959-03-05' }, { lines: ['99387'] }, null],
    ['male-only diagnosis for a female', { gender: 'female', birthDate: '1950-01-01' }, { lines: ['99213'], diagnoses: ['N40.0'] }, 'sex'],
    ['newborn diagnosis for an adult', { gender: 'female', birthDate: '1950-01-01' }, { lines: ['99213'], diagnoses: ['Z00.110'] }, 'age'],
    ['unrestricted codes', { gender: 'female', birthDate: '1950-01-01' }, { lines: ['99213'], diagnoses: ['J20.9'] }, null],
  ];
  for (const [name, who, spec, conflict] of cases) {
    test(`${name}: ${conflict ?? 'no flag'}`, async () => {
      const flags = await rule.evaluate(claim(spec), factsFor(who));
      assert.deepEqual(
        flags.map((f) => f.evidence.details?.conflict),
        conflict ? [conflict] : [],
      );
    });
  }

  test('a female-only procedure with an age range can conflict on both counts, each explained', async () => {
    const flags = await rule.evaluate(claim({ lines: ['59400'] }), factsFor({ gender: 'male', birthDate: '1940-05-01' }));
    assert.deepEqual(
      flags.map((f) => f.explanation),
      [
        "Line 1 (59400) is restricted to female patients; the patient's recorded gender is male and the line has no KX modifier.",
        'Line 1 (59400) is for ages 10–60; the patient (born 1940-05-01) was 83 on 2024-03-05.',
      ],
    );
    assert.equal(flags[0]!.evidence.tableRows?.[0]?.table, 'age-sex');
  });

  test('no demographics, no flag', async () => {
    assert.deepEqual(await rule.evaluate(claim({ lines: ['55700'] }), new InMemoryClaimFacts({ tables })), []);
  });
});
