import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileBranches, CompileInvalid, CompileUnsupported, OpKind, referenceTargetType, walk, type Branch } from './compile.ts';
import { parseSubset } from './fhirpath-subset.ts';

const compile = (expr: string, contextType = 'Observation', rootType = contextType): Branch[] => compileBranches(parseSubset(expr)!, { contextType, rootType });
const collect = (b: Branch, value: unknown, root = value as Record<string, unknown>) => {
  const out: unknown[] = [];
  if (b.compute) {
    const v = b.compute(value, root);
    return v === undefined ? [] : [v];
  }
  walk(value, b.ops, 0, root, (v, o: unknown[]) => o.push(v), out);
  return out;
};

test('choice elements split into typed branches; `as` keeps one', () => {
  const all = compile('Observation.value');
  assert.equal(all.length, 11);
  assert.deepEqual(all.map((b) => b.type).slice(0, 3), ['Quantity', 'CodeableConcept', 'string']);
  const q = compile('(Observation.value as Quantity)');
  assert.deepEqual(q, [{ ops: [{ kind: OpKind.Key, key: 'valueQuantity' }], type: 'Quantity', fromRoot: false, single: true }]);
  assert.deepEqual(compile('Condition.onset.as(Age) | Condition.onset.as(Range)', 'Condition').map((b) => b.ops), [
    [{ kind: OpKind.Key, key: 'onsetAge' }],
    [{ kind: OpKind.Key, key: 'onsetRange' }],
  ]);
  assert.deepEqual(compile('value.as(DateTime) | value.as(Period)', 'Observation').map((b) => b.type), ['dateTime', 'Period']);
});

test('Resource / DomainResource roots, relative paths, %resource', () => {
  assert.deepEqual(compile('Resource.meta.lastUpdated', 'Patient')[0]!.ops, [
    { kind: OpKind.Key, key: 'meta' },
    { kind: OpKind.Key, key: 'lastUpdated' },
  ]);
  assert.equal(compile('name | alias', 'InsurancePlan').length, 2);
  const b = compile('%resource.referenceSeq.chromosome', 'MolecularSequence.variant', 'MolecularSequence');
  assert.equal(b[0]!.fromRoot, true);
  assert.equal(b[0]!.type, 'CodeableConcept');
});

test('walk: arrays flattened, nulls skipped, where() filters, indexer', () => {
  const obs = {
    resourceType: 'Observation',
    component: [{ valueQuantity: { value: 1 } }, null, { valueString: 'x' }, { valueQuantity: { value: 2 } }],
    subject: { reference: 'Patient/1' },
    performer: [{ reference: 'Practitioner/2' }, { reference: '#pat' }, { reference: 'https://x.org/fhir/Patient/9' }, { type: 'Patient', identifier: { value: 'i' } }],
    contained: [{ resourceType: 'Patient', id: 'pat' }],
  };
  assert.deepEqual(collect(compile('(Observation.component.value as Quantity)')[0]!, obs), [{ value: 1 }, { value: 2 }]);
  assert.deepEqual(collect(compile('Observation.subject.where(resolve() is Patient)')[0]!, obs), [{ reference: 'Patient/1' }]);
  assert.deepEqual(collect(compile('Observation.subject.where(resolve() is Group)')[0]!, obs), []);
  assert.deepEqual(collect(compile('Observation.performer.where(resolve() is Patient)')[0]!, obs), [
    { reference: '#pat' },
    { reference: 'https://x.org/fhir/Patient/9' },
    { type: 'Patient', identifier: { value: 'i' } },
  ]);
  const pat = { resourceType: 'Patient', telecom: [{ system: 'phone', value: '1' }, { system: 'email', value: 'a@b' }] };
  assert.deepEqual(collect(compile("Patient.telecom.where(system='email')", 'Patient')[0]!, pat), [{ system: 'email', value: 'a@b' }]);
  const bundle = { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Composition', id: 'c' } }, { resource: { resourceType: 'Patient', id: 'p' } }] };
  const idx = compile('Bundle.entry[0].resource', 'Bundle');
  assert.deepEqual(idx[0]!.ops[0], { kind: OpKind.KeyIndex, key: 'entry', n: 0 });
  assert.deepEqual(collect(idx[0]!, bundle), [{ resourceType: 'Composition', id: 'c' }]);
});

test('boolean expressions: FHIRPath three-valued logic', () => {
  const [b] = compile('Patient.deceased.exists() and Patient.deceased != false', 'Patient');
  assert.equal(b!.type, 'boolean');
  const rows: [Record<string, unknown>, unknown[]][] = [
    [{ resourceType: 'Patient' }, [false]],
    [{ resourceType: 'Patient', deceasedBoolean: false }, [false]],
    [{ resourceType: 'Patient', deceasedBoolean: true }, [true]],
    [{ resourceType: 'Patient', deceasedDateTime: '2020-01-01' }, [true]],
  ];
  for (const [p, want] of rows) assert.deepEqual(collect(b!, p), want, JSON.stringify(p));
  const [or] = compile('Patient.active or Patient.deceased.exists()', 'Patient');
  assert.deepEqual(collect(or!, { resourceType: 'Patient' }), []);
  assert.deepEqual(collect(or!, { resourceType: 'Patient', active: false, deceasedBoolean: true }), [true]);
  const [not] = compile('Patient.active.not()', 'Patient');
  assert.deepEqual(collect(not!, { resourceType: 'Patient', active: true }), [false]);
});

test('unknown elements are invalid; unsupported navigation falls back', () => {
  assert.throws(() => compile('Observation.nope'), CompileInvalid);
  assert.throws(() => compile('Patient.name', 'Observation'), CompileInvalid);
  assert.throws(() => compile('Bundle.entry.resource.id', 'Bundle'), CompileUnsupported);
  assert.throws(() => compile('Observation.component.code.coding[0]'), CompileUnsupported);
  assert.equal(compile('Observation.component[0].code').length, 1);
  assert.throws(() => compile('Observation.code.where(resolve() is Patient)'), CompileUnsupported);
});

test('referenceTargetType: literal, absolute, contained, Reference.type', () => {
  const root = { contained: [{ resourceType: 'Device', id: 'd' }] };
  assert.equal(referenceTargetType({ reference: 'Patient/1' }, root), 'Patient');
  assert.equal(referenceTargetType({ reference: 'http://a/b/Group/1/_history/2' }, root), 'Group');
  assert.equal(referenceTargetType({ reference: '#d' }, root), 'Device');
  assert.equal(referenceTargetType({ reference: 'urn:uuid:1', type: 'Patient' }, root), 'Patient');
  assert.equal(referenceTargetType({ display: 'x' }, root), undefined);
});
