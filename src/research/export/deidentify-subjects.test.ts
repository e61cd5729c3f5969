import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { deidentify, type FhirResource } from '../deid/deidentify.ts';
import { deidentifySubjects } from './deidentify-subjects.ts';

const dir = new URL('../../../test/fixtures/synthea/', import.meta.url);
const subjects = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .slice(0, 3)
  .map((f) => (JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as { entry: { resource: FhirResource }[] }).entry.map((e) => e.resource));
const options = { studyId: 'study-x', studySecret: Buffer.alloc(32, 9), asOf: new Date('2019-06-01T00:00:00Z') };

test('per-subject de-identification gives the same pseudonyms and totals as one call', () => {
  const one = deidentify(subjects.flat(), options);
  const per = deidentifySubjects(subjects, options);
  assert.equal(per.resources.length, one.resources.length);
  assert.deepEqual(per.resources.map((r) => r.id), one.resources.map((r) => r.id));
  assert.equal(per.report.resources, one.report.resources);
  assert.equal(per.report.patients, one.report.patients);
  assert.deepEqual(per.report.classes.names, one.report.classes.names);
  assert.deepEqual(per.report.classes.dates, one.report.classes.dates);
  // Both outputs carry no name of any subject.
  const text = JSON.stringify(per.resources);
  for (const p of subjects.flat().filter((r) => r.resourceType === 'Patient')) {
    for (const n of p.name as { family: string }[]) assert.ok(!text.includes(n.family), n.family);
  }
});
