import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { deidentify, type FhirResource } from './deidentify.ts';
import { linkageAttack, reidentificationAttempt, releasedQuasiIdentifiers, safeHarborQuasiIdentifiers } from './reidentification.ts';

const asOf = new Date('2024-06-01T00:00:00Z');
const options = { studyId: 'attack', studySecret: Buffer.alloc(32, 5), asOf };

const person = (id: string, birthDate: string, gender: string, zip: string, deceased?: string): FhirResource => ({
  resourceType: 'Patient',
  id,
  name: [{ family: id }],
  gender,
  birthDate,
  ...(deceased ? { deceasedDateTime: deceased } : {}),
  address: [{ line: ['1 Main St'], city: 'Town', state: 'MA', postalCode: zip }],
});

describe('linkageAttack', () => {
  it('measures equivalence classes: k per released record, unique matches, no-match', () => {
    const population = [['a'], ['a'], ['b'], ['c'], ['c'], ['c']];
    const r = linkageAttack([['a'], ['b'], ['c'], ['d']], population, ['x']);
    assert.deepEqual(r.classSizes, [{ k: 0, records: 1 }, { k: 1, records: 1 }, { k: 2, records: 1 }, { k: 3, records: 1 }]);
    assert.equal(r.uniqueMatches, 1);
    assert.equal(r.uniqueFraction, 0.25);
    assert.equal(r.noMatch, 1);
    assert.equal(r.minK, 1);
    assert.equal(r.medianK, 2);
    assert.deepEqual(r.buckets, { '0': 1, '1': 1, '2': 1, '3-4': 1, '5-9': 0, '10-19': 0, '20+': 0 });
  });
});

describe('reidentificationAttempt', () => {
  // Same ZIP3 (021..), same year, same gender → one class of 3 after Safe Harbor; all unique raw.
  const population = [
    person('p1', '1980-01-05', 'female', '02138'),
    person('p2', '1980-07-19', 'female', '02139'),
    person('p3', '1980-11-30', 'female', '02140'),
    person('p4', '1975-03-03', 'male', '02138'),
    person('p5', '1930-03-03', 'male', '02138'), // 94: "90+"
    person('p6', '1931-08-08', 'male', '02139'), // 92: "90+"
    person('p7', '1980-02-02', 'female', '03601'), // restricted ZIP3 → 000
  ];
  const { resources } = deidentify(population, options);
  const r = reidentificationAttempt(resources, population, { asOf });

  it('the raw quasi-identifiers single out everyone (baseline)', () => {
    assert.equal(r.baseline.records, 7);
    assert.equal(r.baseline.uniqueMatches, 7);
  });

  it('after Safe Harbor, ZIP3 + birth year + gender put people in classes', () => {
    assert.equal(r.deidentified.records, 7);
    assert.equal(r.deidentified.noMatch, 0); // the released values are those of the generalised population
    assert.deepEqual(r.deidentified.classSizes, [{ k: 1, records: 2 }, { k: 2, records: 2 }, { k: 3, records: 3 }]);
    assert.equal(r.deidentified.uniqueMatches, 2); // p4 (the only man born 1975) and p7 (only 000)
  });

  it('reads the 90+ category and ZIP3 from the de-identified Patient', () => {
    assert.deepEqual(releasedQuasiIdentifiers(resources[4]!), ['021', '90+', 'male', 'alive']);
    assert.deepEqual(safeHarborQuasiIdentifiers(population[4]!, 2024), ['021', '90+', 'male', 'alive']);
    assert.deepEqual(releasedQuasiIdentifiers(resources[6]!), ['000', '1980', 'female', 'alive']);
  });

  it('finds Patients inside Bundles', () => {
    const bundle: FhirResource = { resourceType: 'Bundle', type: 'collection', entry: population.map((resource) => ({ resource })) };
    const again = reidentificationAttempt(deidentify([bundle], options).resources, [bundle], { asOf });
    assert.deepEqual(again, r);
  });

  it('refuses an empty population', () => {
    assert.throws(() => reidentificationAttempt(resources, [], { asOf }), (e) => isDomainError(e, 'invalid'));
  });
});

describe('reidentificationAttempt on the Synthea fixtures', () => {
  const dir = new URL('../../../test/fixtures/synthea/', import.meta.url);
  const bundles = readdirSync(dir).filter((f) => /^(Clarence_Mills|Denny_Bins|Lupe_Little|Malcolm_Dach)_.*\.json$/.test(f)).map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as FhirResource);
  const at = new Date('2019-06-01T00:00:00Z');
  const { resources } = deidentify(bundles, { ...options, asOf: at });
  const r = reidentificationAttempt(resources, bundles, { asOf: at });

  it('joins every released patient to the population, and Safe Harbor never makes matching easier', () => {
    assert.equal(r.deidentified.records, bundles.length);
    assert.equal(r.deidentified.noMatch, 0);
    assert.equal(r.baseline.uniqueMatches, bundles.length);
    assert.ok(r.deidentified.uniqueMatches <= r.baseline.uniqueMatches);
    // Two of the four are men born in 1982 in different ZIP3s (020, 025): in a population of four,
    // Safe Harbor still leaves everyone unique — the point of measuring it.
    assert.equal(r.deidentified.uniqueMatches, 4);
  });
});
