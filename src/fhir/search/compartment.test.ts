import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compartmentParams, compartmentResourceTypes, PATIENT_COMPARTMENT_URL, patientsOf } from './compartment.ts';
import { OpKind } from './compile.ts';
import { compiledParamsOf, isResourceType, searchParameter } from './searchParameters.ts';

const DIR = fileURLToPath(new URL('../../../node_modules/hl7.fhir.r4.examples/', import.meta.url));
const example = (file: string) => JSON.parse(readFileSync(DIR + file, 'utf8')) as { resourceType: string; id?: string };

test('the definition: 67 types, each parameter a reference parameter of the type that can point to a Patient', () => {
  assert.equal(PATIENT_COMPARTMENT_URL, 'http://hl7.org/fhir/CompartmentDefinition/patient');
  const types = compartmentResourceTypes();
  assert.equal(types.length, 67);
  for (const type of types) {
    assert.ok(isResourceType(type), type);
    const params = compartmentParams(type);
    assert.ok(params.length > 0, type);
    for (const code of params) {
      const def = searchParameter(type, code);
      assert.equal(def?.type, 'reference', `${type}.${code}`);
      assert.ok(def!.targets.length === 0 || def!.targets.includes('Patient'), `${type}.${code} → ${def!.targets.join(',')}`);
    }
  }
  assert.deepEqual(compartmentParams('Coverage'), ['policy-holder', 'subscriber', 'beneficiary', 'payor']);
  assert.deepEqual(compartmentParams('Claim'), ['patient', 'payee']);
  assert.deepEqual(compartmentParams('Practitioner'), []);
});

test('every listed type and parameter: a resource built along each compiled path is in that patient\'s compartment', () => {
  let checked = 0;
  for (const type of compartmentResourceTypes()) {
    for (const code of compartmentParams(type)) {
      const compiled = compiledParamsOf(type)!.find((p) => p.def.code === code)!;
      assert.equal(compiled.kind, 'branches', `${type}.${code}`);
      if (compiled.kind !== 'branches') continue;
      for (const branch of compiled.branches) {
        // Build the object the branch reads: nested keys, the where() values, a Patient reference at the end.
        const resource: Record<string, unknown> = { resourceType: type, id: 'self' };
        let node = resource;
        const ops = branch.ops;
        for (let i = 0; i < ops.length; i++) {
          const op = ops[i]!;
          if (op.kind === OpKind.WhereEq) node[op.key] = op.value;
          if (op.kind !== OpKind.Key && op.kind !== OpKind.KeyIndex) continue;
          const last = !ops.slice(i + 1).some((o) => o.kind === OpKind.Key || o.kind === OpKind.KeyIndex);
          const child: Record<string, unknown> = last ? { reference: `Patient/${type}-${code}` } : {};
          node[op.key] = op.kind === OpKind.KeyIndex ? [child] : child;
          node = child;
        }
        const ids = patientsOf(resource as { resourceType: string });
        assert.ok(ids.includes(`${type}-${code}`), `${type}.${code} via ${JSON.stringify(ops)}: ${JSON.stringify(resource)} → ${ids.join(',')}`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 100, `${checked} (type, parameter, path) combinations`);
});

test('patientsOf: the HL7 examples of the types the brief names', () => {
  const rows: [string, string[]][] = [
    ['Claim-100150.json', ['1']],
    ['ExplanationOfBenefit-EB3500.json', ['pat1']],
    ['Coverage-9876B1.json', ['4']],
    ['CarePlan-example.json', ['example']],
    ['Goal-example.json', ['example']],
    ['ImagingStudy-example.json', ['dicom']],
    ['ResearchSubject-example.json', ['example']],
    ['Consent-consent-example-basic.json', ['f001']],
    ['Group-102.json', ['pat1', 'pat2', 'pat3', 'pat4']],
    ['AllergyIntolerance-example.json', ['example']],
    ['Person-example.json', ['example']],
    ['Patient-example.json', ['example']],
    ['Observation-blood-pressure.json', ['example']],
    ['Practitioner-example.json', []],
  ];
  for (const [file, want] of rows) assert.deepEqual(patientsOf(example(file)), want, file);
});

test('patientsOf: definition order, de-duplicated, only local Patient references', () => {
  const coverage = {
    resourceType: 'Coverage',
    policyHolder: { reference: 'Patient/holder' },
    subscriber: { reference: 'Patient/sub' },
    beneficiary: { reference: 'Patient/ben/_history/3' },
    payor: [{ reference: 'Organization/o' }, { reference: 'Patient/sub' }, { reference: 'RelatedPerson/r' }],
  };
  assert.deepEqual(patientsOf(coverage), ['holder', 'sub', 'ben']);
  const provenance = {
    resourceType: 'Provenance',
    target: [{ reference: 'Observation/o' }, { reference: 'Patient/p1' }, { reference: 'https://remote.example/fhir/Patient/p9' }],
    agent: [{ who: { reference: 'Practitioner/x' } }],
  };
  assert.deepEqual(patientsOf(provenance), ['p1']);
  assert.deepEqual(patientsOf(provenance, { localBases: ['https://remote.example/fhir'] }), ['p1', 'p9']);
  const qr = { resourceType: 'QuestionnaireResponse', subject: { reference: '#contained' }, author: { reference: 'Patient/a' }, source: { reference: 'Patient/s' } };
  assert.deepEqual(patientsOf(qr), ['a'], 'contained subject skipped; source is not a compartment parameter');
  const idOnly = { resourceType: 'Observation', subject: { type: 'Patient', identifier: { system: 's', value: 'v' } }, performer: [{ reference: 'Patient/perf' }] };
  assert.deepEqual(patientsOf(idOnly), ['perf']);
  const patient = { resourceType: 'Patient', id: 'me', link: [{ other: { reference: 'Patient/old' }, type: 'replaces' }, { other: { reference: 'RelatedPerson/r' }, type: 'seealso' }] };
  assert.deepEqual(patientsOf(patient), ['me', 'old']);
  const eob = { resourceType: 'ExplanationOfBenefit', patient: { reference: 'Patient/x' }, payee: { party: { reference: 'Patient/y' } } };
  assert.deepEqual(patientsOf(eob), ['x', 'y']);
});

test('patientsOf runs on every HL7 example without error and only returns valid ids', () => {
  let withPatients = 0;
  for (const file of readdirSync(DIR)) {
    if (!file.endsWith('.json') || file === 'package.json') continue;
    const r = example(file);
    if (typeof r.resourceType !== 'string' || !isResourceType(r.resourceType)) continue;
    const ids = patientsOf(r);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9\-.]{1,64}$/, `${file}: ${id}`);
    if (ids.length > 0) withPatients++;
  }
  assert.ok(withPatients > 350, `${withPatients} examples in some Patient compartment`);
});
