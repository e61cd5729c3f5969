/**
 * Runs the Safe Harbor de-identification and the linkage attack (src/research/deid) over a
 * directory of FHIR Bundles (e.g. Synthea output) and prints the figures as JSON: the
 * de-identification report's totals, the attack on the de-identified Patients (ZIP3, birth year or
 * 90+, gender, year of death), the same without the year of death, and the raw-data baseline (ZIP,
 * birth date, gender, date of death). The population attacked is the input's own Patients.
 *
 *   npx tsx scripts/reidentification-attack.ts <dir-of-bundles> [--as-of 2019-06-01]
 *
 * The directory defaults to test/fixtures/synthea.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deidentify, type FhirResource } from '../src/research/deid/deidentify.ts';
import { linkageAttack, patientsIn, reidentificationAttempt, releasedQuasiIdentifiers, safeHarborQuasiIdentifiers } from '../src/research/deid/reidentification.ts';

const args = process.argv.slice(2);
const asOfArg = args.indexOf('--as-of');
const asOf = new Date(asOfArg >= 0 ? args[asOfArg + 1]! : '2019-06-01T00:00:00Z');
const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--as-of') ?? fileURLToPath(new URL('../test/fixtures/synthea/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const bundles = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as FhirResource);

const t = performance.now();
const { resources, report } = deidentify(bundles, { studyId: 'reidentification-attack', studySecret: Buffer.alloc(32, 42), asOf });
const ms = performance.now() - t;
const attack = reidentificationAttempt(resources, bundles, { asOf });

const year = asOf.getUTCFullYear();
const noDeath = linkageAttack(
  patientsIn(resources).map((p) => releasedQuasiIdentifiers(p).slice(0, 3)),
  patientsIn(bundles).map((p) => safeHarborQuasiIdentifiers(p, year).slice(0, 3)),
  ['zip3', 'birthYear', 'gender'],
);
const summary = (a: typeof noDeath) => ({ quasiIdentifiers: a.quasiIdentifiers.join('+'), records: a.records, uniqueMatches: a.uniqueMatches, uniqueFraction: Number(a.uniqueFraction.toFixed(3)), minK: a.minK, medianK: a.medianK, buckets: a.buckets });

console.log(
  JSON.stringify(
    {
      bundles: files.length,
      resources: report.resources,
      patients: report.patients,
      patientsOver89: report.patientsOver89,
      deidentifyMs: Math.round(ms),
      classes: Object.fromEntries(Object.entries(report.classes).map(([k, v]) => [k, `${v.removed} removed / ${v.generalised} generalised / ${v.pseudonymised} pseudonymised`])),
      freeText: { removed: report.freeText.removed, keptAfterCheck: report.freeText.keptAfterCheck, removedByCheck: report.freeText.removedByCheck },
      attack: {
        baseline: summary(attack.baseline),
        deidentified: summary(attack.deidentified),
        deidentifiedWithoutDeathYear: summary(noDeath),
      },
    },
    null,
    2,
  ),
);
