import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDomainError, type ErrorKind } from '../../shared/errors.ts';
import { dateRange } from './date-range.ts';
import { parseSearch, supportedParameterNames, type Criterion, type ParamCriterion, type ParsedSearch } from './query.ts';

const NOW = Date.parse('2024-01-01T00:00:00Z');
const parse = (type: string, query: string) => parseSearch(type, new URLSearchParams(query), { now: NOW, localBases: ['https://node.example/fhir'] });
const d = (v: string) => dateRange(v)!;

/** A criterion without its SearchParamDef objects, for compact comparison. */
function shape(c: Criterion): unknown {
  switch (c.kind) {
    case 'param':
      return { param: `${c.param.resourceType}.${c.param.code}`, ...(c.modifier ? { modifier: c.modifier } : {}), ...(c.targetType ? { targetType: c.targetType } : {}), values: c.values };
    case 'missing':
      return { param: `${c.param.resourceType}.${c.param.code}`, missing: c.missing };
    case 'chain':
      return { chain: `${c.param.resourceType}.${c.param.code}`, targetType: c.targetType, criterion: shape(c.criterion) };
    case 'has':
      return { has: `${c.referenceParam.resourceType}.${c.referenceParam.code}`, criterion: shape(c.criterion) };
  }
}
const criteria = (s: ParsedSearch) => s.criteria.map(shape);

test('US Core 6.1 Patient searches: name, family, given, identifier, gender, birthdate, _id', () => {
  const rows: [string, unknown[]][] = [
    ['name=Smith', [{ param: 'Patient.name', values: [{ kind: 'string', value: 'Smith' }] }]],
    ['family=Shaw&given=Amy', [{ param: 'Patient.family', values: [{ kind: 'string', value: 'Shaw' }] }, { param: 'Patient.given', values: [{ kind: 'string', value: 'Amy' }] }]],
    ['identifier=http://hospital.smarthealthit.org|1032702', [{ param: 'Patient.identifier', values: [{ kind: 'token', match: 'system-code', system: 'http://hospital.smarthealthit.org', code: '1032702' }] }]],
    ['identifier=1032702', [{ param: 'Patient.identifier', values: [{ kind: 'token', match: 'code', code: '1032702' }] }]],
    ['gender=female&name=Shaw', [{ param: 'Patient.gender', values: [{ kind: 'token', match: 'code', code: 'female' }] }, { param: 'Patient.name', values: [{ kind: 'string', value: 'Shaw' }] }]],
    ['birthdate=2007-10-10&name=Shaw', [{ param: 'Patient.birthdate', values: [{ kind: 'date', prefix: 'eq', ...d('2007-10-10') }] }, { param: 'Patient.name', values: [{ kind: 'string', value: 'Shaw' }] }]],
    ['birthdate=ge2007-10-10&birthdate=lt2008&family=Shaw', [
      { param: 'Patient.birthdate', values: [{ kind: 'date', prefix: 'ge', ...d('2007-10-10') }] },
      { param: 'Patient.birthdate', values: [{ kind: 'date', prefix: 'lt', ...d('2008') }] },
      { param: 'Patient.family', values: [{ kind: 'string', value: 'Shaw' }] },
    ]],
    ['_id=erXuFYUfucBZaryVksYEcMg3', [{ param: 'Patient._id', values: [{ kind: 'token', match: 'code', code: 'erXuFYUfucBZaryVksYEcMg3' }] }]],
    ['name:exact=Amy&given:contains=my', [{ param: 'Patient.name', modifier: 'exact', values: [{ kind: 'string', value: 'Amy' }] }, { param: 'Patient.given', modifier: 'contains', values: [{ kind: 'string', value: 'my' }] }]],
    ['death-date=gt2020-01-01T10:00:00+01:00', [{ param: 'Patient.death-date', values: [{ kind: 'date', prefix: 'gt', ...d('2020-01-01T10:00:00+01:00') }] }]],
  ];
  for (const [q, want] of rows) assert.deepEqual(criteria(parse('Patient', q)), want, q);
});

test('US Core 6.1 clinical searches: patient + category / code / status / intent / date', () => {
  const lab = 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory';
  const rows: [string, string, unknown[]][] = [
    ['Observation', `patient=1134281&category=${encodeURIComponent(lab)}`, [
      { param: 'Observation.patient', values: [{ kind: 'reference', candidates: ['Patient/1134281'] }] },
      { param: 'Observation.category', values: [{ kind: 'token', match: 'system-code', system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
    ]],
    ['Observation', 'patient=Patient/1134281&category=vital-signs&date=ge2019-01-01T00:00:00Z', [
      { param: 'Observation.patient', values: [{ kind: 'reference', candidates: ['Patient/1134281'] }] },
      { param: 'Observation.category', values: [{ kind: 'token', match: 'code', code: 'vital-signs' }] },
      { param: 'Observation.date', values: [{ kind: 'date', prefix: 'ge', ...d('2019-01-01T00:00:00Z') }] },
    ]],
    ['Observation', 'patient=1134281&code=http://loinc.org|2339-0,http://loinc.org|4548-4&date=le2020-12', [
      { param: 'Observation.patient', values: [{ kind: 'reference', candidates: ['Patient/1134281'] }] },
      { param: 'Observation.code', values: [
        { kind: 'token', match: 'system-code', system: 'http://loinc.org', code: '2339-0' },
        { kind: 'token', match: 'system-code', system: 'http://loinc.org', code: '4548-4' },
      ] },
      { param: 'Observation.date', values: [{ kind: 'date', prefix: 'le', ...d('2020-12') }] },
    ]],
    ['Observation', 'patient=1&category=laboratory&status=final,amended&_lastUpdated=gt2023-06-01', [
      { param: 'Observation.patient', values: [{ kind: 'reference', candidates: ['Patient/1'] }] },
      { param: 'Observation.category', values: [{ kind: 'token', match: 'code', code: 'laboratory' }] },
      { param: 'Observation.status', values: [{ kind: 'token', match: 'code', code: 'final' }, { kind: 'token', match: 'code', code: 'amended' }] },
      { param: 'Observation._lastUpdated', values: [{ kind: 'date', prefix: 'gt', ...d('2023-06-01') }] },
    ]],
    ['Condition', 'patient=1&clinical-status=http://terminology.hl7.org/CodeSystem/condition-clinical|active', [
      { param: 'Condition.patient', values: [{ kind: 'reference', candidates: ['Patient/1'] }] },
      { param: 'Condition.clinical-status', values: [{ kind: 'token', match: 'system-code', system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    ]],
    ['Condition', 'patient=1&category=problem-list-item,health-concern', [
      { param: 'Condition.patient', values: [{ kind: 'reference', candidates: ['Patient/1'] }] },
      { param: 'Condition.category', values: [{ kind: 'token', match: 'code', code: 'problem-list-item' }, { kind: 'token', match: 'code', code: 'health-concern' }] },
    ]],
    ['Encounter', 'patient=1&date=ge2019-01-01&date=le2019-12-31', [
      { param: 'Encounter.patient', values: [{ kind: 'reference', candidates: ['Patient/1'] }] },
      { param: 'Encounter.date', values: [{ kind: 'date', prefix: 'ge', ...d('2019-01-01') }] },
      { param: 'Encounter.date', values: [{ kind: 'date', prefix: 'le', ...d('2019-12-31') }] },
    ]],
    ['MedicationRequest', 'patient=1&intent=order,plan&status=active', [
      { param: 'MedicationRequest.patient', values: [{ kind: 'reference', candidates: ['Patient/1'] }] },
      { param: 'MedicationRequest.intent', values: [{ kind: 'token', match: 'code', code: 'order' }, { kind: 'token', match: 'code', code: 'plan' }] },
      { param: 'MedicationRequest.status', values: [{ kind: 'token', match: 'code', code: 'active' }] },
    ]],
    ['Procedure', 'patient=1&date=ge2010-01-01', [
      { param: 'Procedure.patient', values: [{ kind: 'reference', candidates: ['Patient/1'] }] },
      { param: 'Procedure.date', values: [{ kind: 'date', prefix: 'ge', ...d('2010-01-01') }] },
    ]],
    ['DiagnosticReport', 'patient=1&category=LAB&date=ge2020', [
      { param: 'DiagnosticReport.patient', values: [{ kind: 'reference', candidates: ['Patient/1'] }] },
      { param: 'DiagnosticReport.category', values: [{ kind: 'token', match: 'code', code: 'LAB' }] },
      { param: 'DiagnosticReport.date', values: [{ kind: 'date', prefix: 'ge', ...d('2020') }] },
    ]],
    ['AllergyIntolerance', 'patient=1&clinical-status=active', [
      { param: 'AllergyIntolerance.patient', values: [{ kind: 'reference', candidates: ['Patient/1'] }] },
      { param: 'AllergyIntolerance.clinical-status', values: [{ kind: 'token', match: 'code', code: 'active' }] },
    ]],
    ['DocumentReference', 'patient=1&type=http://loinc.org|34133-9&period=ge2019', [
      { param: 'DocumentReference.patient', values: [{ kind: 'reference', candidates: ['Patient/1'] }] },
      { param: 'DocumentReference.type', values: [{ kind: 'token', match: 'system-code', system: 'http://loinc.org', code: '34133-9' }] },
      { param: 'DocumentReference.period', values: [{ kind: 'date', prefix: 'ge', ...d('2019') }] },
    ]],
  ];
  for (const [type, q, want] of rows) assert.deepEqual(criteria(parse(type, q)), want, `${type}?${q}`);
});

test('token forms, :text, :not, :of-type, :missing, escaping', () => {
  const rows: [string, unknown[]][] = [
    ['code=|1234-5', [{ param: 'Observation.code', values: [{ kind: 'token', match: 'no-system-code', code: '1234-5' }] }]],
    ['code=http://loinc.org|', [{ param: 'Observation.code', values: [{ kind: 'token', match: 'system', system: 'http://loinc.org' }] }]],
    ['code:text=headache', [{ param: 'Observation.code', modifier: 'text', values: [{ kind: 'token', match: 'text', text: 'headache' }] }]],
    ['status:not=final', [{ param: 'Observation.status', modifier: 'not', values: [{ kind: 'token', match: 'code', code: 'final' }] }]],
    ['code=a\\,b,c', [{ param: 'Observation.code', values: [{ kind: 'token', match: 'code', code: 'a,b' }, { kind: 'token', match: 'code', code: 'c' }] }]],
    ['code=x\\|y|z', [{ param: 'Observation.code', values: [{ kind: 'token', match: 'system-code', system: 'x|y', code: 'z' }] }]],
    ['status:missing=true', [{ param: 'Observation.status', missing: true }]],
    ['value-quantity:missing=false', [{ param: 'Observation.value-quantity', missing: false }]],
  ];
  for (const [q, want] of rows) assert.deepEqual(criteria(parse('Observation', q)), want, q);
  assert.deepEqual(criteria(parse('Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|446053')), [
    { param: 'Patient.identifier', modifier: 'of-type', values: [{ kind: 'token', match: 'of-type', system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', value: '446053' }] },
  ]);
  assert.deepEqual(criteria(parse('Patient', 'active=true&deceased=false')), [
    { param: 'Patient.active', values: [{ kind: 'token', match: 'code', code: 'true' }] },
    { param: 'Patient.deceased', values: [{ kind: 'token', match: 'code', code: 'false' }] },
  ]);
});

test('number and quantity prefixes and implicit ranges (search.html#number, #quantity)', () => {
  const v = (q: string, type = 'Observation') => (parse(type, q).criteria[0] as ParamCriterion).values;
  assert.deepEqual(v('value-quantity=5.4|http://unitsofmeasure.org|mg'), [{ kind: 'quantity', prefix: 'eq', value: 5.4, low: 5.35, high: 5.45, system: 'http://unitsofmeasure.org', code: 'mg' }]);
  assert.deepEqual(v('value-quantity=5.40e-3|http://unitsofmeasure.org|g'), [{ kind: 'quantity', prefix: 'eq', value: 0.0054, low: 0.005395, high: 0.005405, system: 'http://unitsofmeasure.org', code: 'g' }]);
  assert.deepEqual(v('value-quantity=5.4||mg'), [{ kind: 'quantity', prefix: 'eq', value: 5.4, low: 5.35, high: 5.45, codeOrUnit: 'mg' }]);
  assert.deepEqual(v('value-quantity=5.4'), [{ kind: 'quantity', prefix: 'eq', value: 5.4, low: 5.35, high: 5.45 }]);
  assert.deepEqual(v('value-quantity=le5.4|http://unitsofmeasure.org|mg'), [{ kind: 'quantity', prefix: 'le', value: 5.4, low: 5.4, high: 5.4, system: 'http://unitsofmeasure.org', code: 'mg' }]);
  assert.deepEqual(v('value-quantity=ap5.4|http://unitsofmeasure.org|mg'), [{ kind: 'quantity', prefix: 'ap', value: 5.4, low: 4.86, high: 5.94, system: 'http://unitsofmeasure.org', code: 'mg' }]);
  assert.deepEqual(v('probability=gt0.8', 'RiskAssessment'), [{ kind: 'number', prefix: 'gt', value: 0.8, low: 0.8, high: 0.8 }]);
  assert.deepEqual(v('probability=gt8e-1', 'RiskAssessment'), [{ kind: 'number', prefix: 'gt', value: 0.8, low: 0.8, high: 0.8 }]);
  assert.deepEqual(v('variant-start=2', 'MolecularSequence'), [{ kind: 'number', prefix: 'eq', value: 2, low: 1.5, high: 2.5 }]);
  // ap on a date: 10% of the gap between now (2024-01-01) and the date, either side (~21 days).
  const day = d('2023-06-01');
  const gap = Math.round((NOW - (day.low + day.high) / 2) * 0.1);
  assert.deepEqual(v('date=ap2023-06-01'), [{ kind: 'date', prefix: 'ap', low: day.low - gap, high: day.high + gap }]);
  assert.ok(gap > 21 * 86_400_000 && gap < 22 * 86_400_000);
});

test('references: id, Type/id, absolute URL, :Type, :identifier, canonical', () => {
  const rows: [string, string, unknown[]][] = [
    ['Observation', 'subject=123', [{ param: 'Observation.subject', values: [{ kind: 'reference', candidates: ['Device/123', 'Group/123', 'Location/123', 'Patient/123'] }] }]],
    ['Observation', 'subject=Patient/23', [{ param: 'Observation.subject', values: [{ kind: 'reference', candidates: ['Patient/23'] }] }]],
    ['Observation', 'subject:Patient=23', [{ param: 'Observation.subject', modifier: 'type', targetType: 'Patient', values: [{ kind: 'reference', candidates: ['Patient/23'] }] }]],
    ['Observation', 'subject=https://node.example/fhir/Patient/23', [{ param: 'Observation.subject', values: [{ kind: 'reference', candidates: ['Patient/23'] }] }]],
    ['Observation', 'subject=http://example.org/fhir/Patient/123/_history/2', [{ param: 'Observation.subject', values: [{ kind: 'reference', candidates: ['http://example.org/fhir/Patient/123'] }] }]],
    ['Observation', 'subject:identifier=http://acme.org/fhir/identifier/mrn|123456', [
      { param: 'Observation.subject', modifier: 'identifier', values: [{ kind: 'token', match: 'system-code', system: 'http://acme.org/fhir/identifier/mrn', code: '123456' }] },
    ]],
    ['QuestionnaireResponse', 'questionnaire=http://hl7.org/fhir/Questionnaire/phq-9|1.0', [
      { param: 'QuestionnaireResponse.questionnaire', values: [{ kind: 'reference', candidates: ['http://hl7.org/fhir/Questionnaire/phq-9'], version: '1.0' }] },
    ]],
    ['ValueSet', 'url:below=http://acme.org/fhir/', [{ param: 'ValueSet.url', modifier: 'below', values: [{ kind: 'uri', value: 'http://acme.org/fhir' }] }]],
    ['ValueSet', 'url=urn:oid:1.2.3.4.5', [{ param: 'ValueSet.url', values: [{ kind: 'uri', value: 'urn:oid:1.2.3.4.5' }] }]],
  ];
  for (const [type, q, want] of rows) assert.deepEqual(criteria(parse(type, q)), want, `${type}?${q}`);
});

test('composite and special parameters', () => {
  assert.deepEqual(criteria(parse('Observation', 'component-code-value-quantity=http://loinc.org|8480-6$lt60')), [
    { param: 'Observation.component-code-value-quantity', values: [{ kind: 'composite', components: [
      { kind: 'token', match: 'system-code', system: 'http://loinc.org', code: '8480-6' },
      { kind: 'quantity', prefix: 'lt', value: 60, low: 60, high: 60 },
    ] }] },
  ]);
  assert.deepEqual(criteria(parse('Group', 'characteristic-value=gender$mixed,owner$Eve')), [
    { param: 'Group.characteristic-value', values: [
      { kind: 'composite', components: [{ kind: 'token', match: 'code', code: 'gender' }, { kind: 'token', match: 'code', code: 'mixed' }] },
      { kind: 'composite', components: [{ kind: 'token', match: 'code', code: 'owner' }, { kind: 'token', match: 'code', code: 'Eve' }] },
    ] },
  ]);
  assert.deepEqual(criteria(parse('Questionnaire', 'context-type-value=focus$http://snomed.info/sct|408934002')), [
    { param: 'Questionnaire.context-type-value', values: [{ kind: 'composite', components: [
      { kind: 'token', match: 'code', code: 'focus' },
      { kind: 'token', match: 'system-code', system: 'http://snomed.info/sct', code: '408934002' },
    ] }] },
  ]);
  assert.deepEqual(criteria(parse('Location', 'near=-83.694810|42.256500|11.20|km')), [
    { param: 'Location.near', values: [{ kind: 'near', latitude: -83.69481, longitude: 42.2565, distance: 11.2, units: 'km' }] },
  ]);
});

test('chains (one level) and _has (one level)', () => {
  assert.deepEqual(criteria(parse('DiagnosticReport', 'subject:Patient.name=peter')), [
    { chain: 'DiagnosticReport.subject', targetType: 'Patient', criterion: { param: 'Patient.name', values: [{ kind: 'string', value: 'peter' }] } },
  ]);
  assert.deepEqual(criteria(parse('Observation', 'patient.birthdate=ge1980&patient.gender=female')), [
    { chain: 'Observation.patient', targetType: 'Patient', criterion: { param: 'Patient.birthdate', values: [{ kind: 'date', prefix: 'ge', ...d('1980') }] } },
    { chain: 'Observation.patient', targetType: 'Patient', criterion: { param: 'Patient.gender', values: [{ kind: 'token', match: 'code', code: 'female' }] } },
  ]);
  assert.deepEqual(criteria(parse('Patient', 'general-practitioner:Practitioner.name:exact=Joe')), [
    { chain: 'Patient.general-practitioner', targetType: 'Practitioner', criterion: { param: 'Practitioner.name', modifier: 'exact', values: [{ kind: 'string', value: 'Joe' }] } },
  ]);
  assert.deepEqual(criteria(parse('Patient', '_has:Observation:patient:code=1234-5')), [
    { has: 'Observation.patient', criterion: { param: 'Observation.code', values: [{ kind: 'token', match: 'code', code: '1234-5' }] } },
  ]);
  assert.deepEqual(criteria(parse('Patient', '_has:Observation:subject:code:text=glucose')), [
    { has: 'Observation.subject', criterion: { param: 'Observation.code', modifier: 'text', values: [{ kind: 'token', match: 'text', text: 'glucose' }] } },
  ]);
});

test('result parameters: _include(:iterate), _revinclude, _sort, _count, _offset, _total, _summary, _elements, _format', () => {
  const s = parse('MedicationDispense', '_include=MedicationDispense:prescription&_include:iterate=MedicationRequest:intended-performer&_revinclude=Provenance:target&_sort=-whenhandedover,_id&_count=20&_offset=40&_total=accurate&_summary=data&_elements=status,medication&_format=json&_pretty=true');
  assert.deepEqual(s.include.map((i) => [i.sourceType, i.param.code, i.iterate]), [['MedicationDispense', 'prescription', false], ['MedicationRequest', 'intended-performer', true]]);
  assert.deepEqual(s.revinclude.map((i) => [i.sourceType, i.param.code, i.iterate]), [['Provenance', 'target', false]]);
  assert.deepEqual(s.sort.map((k) => [k.param.code, k.descending]), [['whenhandedover', true], ['_id', false]]);
  assert.deepEqual([s.count, s.offset, s.total, s.summary, s.elements, s.format, s.pretty], [20, 40, 'accurate', 'data', ['status', 'medication'], 'json', true]);
  assert.equal(parse('Observation', '_include=Observation:subject:Patient').include[0]!.targetType, 'Patient');
  assert.equal(parse('Patient', '_count=100000').count, 1000, 'capped at maxCount');
  assert.equal(parse('Patient', '_count=0').summary, 'count', '_count=0 is _summary=count');
  assert.deepEqual(parse('Patient', '').criteria, []);
});

function rejects(type: string, query: string, kind: ErrorKind, pattern: RegExp) {
  assert.throws(() => parse(type, query), (e) => isDomainError(e, kind) && pattern.test(e.message), `${type}?${query} → ${kind} ${pattern}`);
}

test('unknown parameters and modifiers are invalid, with the supported ones listed alphabetically', () => {
  rejects('Patient', 'foo=bar', 'invalid', /Unknown search parameter "foo" for Patient\. Supported: _count, _elements, _format, _has, _id, _include, _lastUpdated, _offset, _pretty, _profile, _revinclude, _security, _sort, _source, _summary, _tag, _total, active, address, address-city,/);
  rejects('Patient', 'name:bogus=x', 'invalid', /Unknown modifier ":bogus" on Patient\.name \(string\)\. Supported modifiers: contains, exact, missing/);
  rejects('Patient', 'name:text=x', 'not-supported', /":text" on Patient\.name .* not supported/);
  rejects('Observation', 'code:below=http://snomed.info/sct|123', 'not-supported', /":below" on Observation\.code \(token\) is not supported.*Supported modifiers: missing, not, text/);
  rejects('Observation', 'code:in=http://x/vs', 'not-supported', /":in"/);
  rejects('Observation', 'subject:above=1', 'not-supported', /":above"/);
  rejects('Observation', 'subject:Practitioner=1', 'invalid', /cannot refer to "Practitioner"; its targets are Device, Group, Location, Patient/);
  rejects('Observation', 'code:exact=x', 'invalid', /Unknown modifier ":exact" on Observation\.code/);
  rejects('Patient', 'gender:of-type=a|b|c', 'invalid', /Unknown modifier ":of-type"/);
  rejects('Observation', 'combo-code-value-quantity:missing=true', 'invalid', /Unknown modifier ":missing".*none/);
  rejects('Nope', 'a=b', 'invalid', /"Nope" is not a FHIR R4 resource type/);
  assert.ok(supportedParameterNames('Observation').includes('code-value-quantity'));
  assert.ok(!supportedParameterNames('Observation').includes('_text'));
});

test('malformed values are invalid, naming the parameter and the expected form', () => {
  rejects('Patient', 'birthdate=1974-13-01', 'invalid', /birthdate: "1974-13-01" is not a FHIR date/);
  rejects('Patient', 'birthdate=xx2000', 'invalid', /not a FHIR date/);
  rejects('Observation', 'value-quantity=abc', 'invalid', /value-quantity: "abc" is not a quantity/);
  rejects('Observation', 'value-quantity=5|http://unitsofmeasure.org', 'invalid', /\[prefix\]\[number\]\|\[system\]\|\[code\]/);
  rejects('Observation', 'code=a|b|c', 'invalid', /more than one unescaped "\|"/);
  rejects('Observation', 'code=|', 'invalid', /"\|" alone/);
  rejects('Observation', 'code=a\\b', 'invalid', /must be followed by/);
  rejects('Observation', 'code=a,,b', 'invalid', /empty value/);
  rejects('Observation', 'code=', 'invalid', /no value/);
  rejects('Patient', 'active=yes', 'invalid', /boolean: true or false/);
  rejects('Patient', 'active=http://x|true', 'invalid', /without "\|"/);
  rejects('Patient', 'phone=tel|123', 'invalid', /without "\|"/);
  rejects('Patient', '_id=a/b', 'invalid', /not a FHIR id/);
  rejects('Patient', 'gender:missing=maybe', 'invalid', /:missing takes true or false/);
  rejects('Patient', 'identifier:of-type=MR|446053', 'invalid', /all three present/);
  rejects('Observation', 'subject=Encounter/1', 'invalid', /refers to a Encounter/);
  rejects('Observation', 'component-code-value-quantity=http://loinc.org|8480-6', 'invalid', /takes 2 joined by "\$"/);
  rejects('Location', 'near=91|0', 'invalid', /latitude/);
  rejects('ValueSet', 'url:below=urn:oid:1.2.3', 'invalid', /applies to URLs/);
  rejects('Patient', '_count=-1', 'invalid', /_count must be a non-negative integer/);
  rejects('Patient', '_count=1&_count=2', 'invalid', /_count may appear only once/);
  rejects('Patient', '_total=some', 'invalid', /_total must be none, estimate or accurate/);
  rejects('Patient', '_summary=yes', 'invalid', /_summary must be true, false, text, data or count/);
  rejects('Patient', '_elements=nope', 'invalid', /Patient has no element "nope"/);
  rejects('Patient', '_summary=text&_include=Patient:organization', 'invalid', /cannot be mixed with _summary=text/);
});

test('chains, _has, includes and sorts: errors', () => {
  rejects('Observation', 'subject.name=peter', 'invalid', /can refer to Location, Patient, which all have "name"; name the type, e.g\. subject:Location\.name/);
  rejects('Observation', 'patient.nope=1', 'invalid', /none of the targets of Observation\.patient \(Patient\) has a search parameter "nope"/);
  rejects('Observation', 'code.text=1', 'invalid', /only reference parameters can be chained/);
  rejects('Observation', 'patient.organization.name=x', 'not-supported', /one level/);
  rejects('Patient', '_has:Observation:patient:_has:AuditEvent:entity:user=x', 'not-supported', /nested _has/);
  rejects('Patient', '_has:Observation:encounter:code=1', 'invalid', /Observation\.encounter cannot refer to Patient \(it refers to Encounter, EpisodeOfCare\)/);
  rejects('Patient', 'general-practitioner.name=Joe', 'invalid', /can refer to Organization, Practitioner, PractitionerRole|can refer to Organization, Practitioner/);
  rejects('Patient', '_has:Encounter:service-provider:status=x', 'invalid', /cannot refer to Patient/);
  rejects('Patient', '_has:Observation:code=1', 'invalid', /expected _has:\[type\]/);
  rejects('Patient', '_include=Observation:subject', 'invalid', /source type must be Patient/);
  rejects('Patient', '_include=Patient:name', 'invalid', /is a string, not a reference/);
  rejects('Patient', '_include=*', 'not-supported', /wildcard/);
  rejects('Patient', '_include:deep=Patient:organization', 'invalid', /Unknown modifier ":deep"/);
  rejects('Patient', '_revinclude=Encounter:service-provider', 'invalid', /cannot refer to Patient/);
  rejects('Patient', '_sort=name', 'not-supported', /_sort by "name" \(string\) is not supported/);
  rejects('Patient', '_sort=nope', 'invalid', /_sort: unknown search parameter "nope" for Patient\. Sortable: _id, _lastUpdated, birthdate, death-date/);
  rejects('Patient', '_text=cancer', 'not-supported', /_text.*not supported/);
  rejects('Patient', '_content=cancer', 'not-supported', /_content/);
  rejects('Patient', '_filter=name eq x', 'not-supported', /_filter/);
  rejects('Patient', '_list=42', 'not-supported', /_list/);
  rejects('Patient', '_type=Patient', 'not-supported', /_type/);
  rejects('Patient', '_contained=true', 'not-supported', /_contained/);
});
