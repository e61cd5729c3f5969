import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DomainError } from '../../shared/errors.ts';
import { codeSystemOf, normalizeCode } from './code-systems.ts';
import { LABEL_BIT } from './security-labels.ts';
import { CLASS_BIT } from './classes.ts';
import { buildIndex, CODE_INDEX, loadValueSets, parseValueSetFile, VALUE_SET_FILES, type ValueSetFile } from './value-sets.ts';

const files = loadValueSets();
const readme = readFileSync(new URL('./valuesets/README.md', import.meta.url), 'utf8');

describe('shipped value sets', () => {
  it('one file per code class, each declaring its class', () => {
    assert.deepEqual(
      files.map((f) => f.class),
      Object.keys(VALUE_SET_FILES),
    );
  });

  for (const vs of files) {
    describe(vs.class, () => {
      it('has no duplicate code or prefix', () => {
        const seen = new Set<string>();
        for (const e of vs.codes) {
          const k = `${e.system}|${normalizeCode(e.code, codeSystemOf(e.system)!.normalization)}`;
          assert.ok(!seen.has(k), `duplicate ${k}`);
          seen.add(k);
        }
        for (const e of vs.prefixes) {
          const k = `prefix ${e.system}|${normalizeCode(e.prefix, 'icd')}`;
          assert.ok(!seen.has(k), `duplicate ${k}`);
          seen.add(k);
        }
      });
      it('names every source in valuesets/README.md', () => {
        for (const id of Object.keys(vs.sources)) assert.ok(readme.includes(`\`${id}\``), `README.md does not describe source ${id} of ${vs.class}`);
      });
      it('uses every source it declares', () => {
        const used = new Set([...vs.codes, ...vs.prefixes].flatMap((e) => e.source.split(' ')));
        for (const id of Object.keys(vs.sources)) assert.ok(used.has(id), `source ${id} is declared but unused`);
      });
      it('writes ICD-10-CM codes and prefixes in the dotted form', () => {
        const icd = [...vs.codes.map((c) => [c.system, c.code]), ...vs.prefixes.map((p) => [p.system, p.prefix])].filter(([s]) => s!.endsWith('icd-10-cm'));
        for (const [, c] of icd) assert.match(c!, /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/, c);
      });
    });
  }

  it('excludes tobacco (F17), dementia (F01–F03) and the CPT code system', () => {
    const all = files.flatMap((f) => [...f.codes.map((c) => [c.system, c.code]), ...f.prefixes.map((p) => [p.system, p.prefix])]);
    assert.ok(!all.some(([s, c]) => s!.endsWith('icd-10-cm') && /^F(17|0[1-3])/.test(c!)), 'F17 / F01–F03 present');
    assert.ok(!all.some(([s]) => s!.includes('ama-assn')), 'CPT present');
  });

  it('indexes every entry', () => {
    assert.equal(CODE_INDEX.size.codes, files.reduce((n, f) => n + f.codes.length, 0));
    assert.equal(CODE_INDEX.size.prefixes, files.reduce((n, f) => n + f.prefixes.length, 0));
  });
});

describe('parseValueSetFile', () => {
  const good = (): ValueSetFile => ({
    class: 'hiv',
    title: 't',
    description: 'd',
    sources: { s: { name: 'n', via: 'v', licence: 'l' } },
    prefixes: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', prefix: 'B20', display: 'HIV disease', class: 'hiv', labels: ['HIV'], source: 's' }],
    codes: [{ system: 'http://snomed.info/sct', code: '86406008', display: 'HIV infection', class: 'hiv', labels: ['HIV'], source: 's' }],
  });
  it('accepts a well-formed file', () => assert.equal(parseValueSetFile(good(), 'x.json').codes.length, 1));

  const bad: [string, (f: ValueSetFile) => unknown, RegExp][] = [
    ['an entry of another class', (f) => ((f.codes[0]!.class = 'genetics'), f), /class genetics in the hiv file/],
    ['a label of another class', (f) => ((f.codes[0]!.labels = ['PSY']), f), /label PSY is not a hiv label/],
    ['an unknown label', (f) => ((f.codes[0]!.labels = ['XYZ' as never]), f), /labels/],
    ['a non-canonical system', (f) => ((f.codes[0]!.system = 'urn:oid:2.16.840.1.113883.6.96'), f), /canonical/],
    ['an unknown system', (f) => ((f.codes[0]!.system = 'http://example.org'), f), /canonical/],
    ['a prefix on a non-hierarchical system', (f) => ((f.prefixes[0]!.system = 'http://snomed.info/sct'), f), /prefixes are only allowed/],
    ['an undeclared source', (f) => ((f.codes[0]!.source = 's other'), f), /source other is not described/],
    ['an empty code', (f) => ((f.codes[0]!.code = ''), f), /codes\.0\.code/],
    ['an extra field', (f) => ({ ...f, extra: 1 }), /Unrecognized key/],
  ];
  for (const [what, mutate, message] of bad) {
    it(`rejects ${what}`, () =>
      assert.throws(
        () => parseValueSetFile(mutate(good()), 'x.json'),
        (e: unknown) => e instanceof DomainError && /^value set x\.json/.test(e.message) && message.test(e.message),
      ));
  }
});

describe('buildIndex', () => {
  const vs = (cls: 'hiv' | 'mental-health', entries: { code?: string; prefix?: string; labels: string[] }[]): ValueSetFile => ({
    class: cls,
    title: 't',
    description: 'd',
    sources: { s: { name: 'n', via: 'v', licence: 'l' } },
    prefixes: entries.filter((e) => e.prefix).map((e) => ({ system: 'http://hl7.org/fhir/sid/icd-10-cm', prefix: e.prefix!, display: 'x', class: cls, labels: e.labels as never, source: 's' })),
    codes: entries.filter((e) => e.code).map((e) => ({ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: e.code!, display: 'x', class: cls, labels: e.labels as never, source: 's' })),
  });
  const index = buildIndex([vs('hiv', [{ prefix: 'Z69', labels: ['HIV'] }, { code: 'A00.1', labels: ['STD'] }]), vs('mental-health', [{ prefix: 'Z69.1', labels: ['PSY'] }])]);
  const cases: [string, number, number][] = [
    ['Z69', CLASS_BIT.hiv, LABEL_BIT.HIV],
    ['Z69.11', CLASS_BIT.hiv | CLASS_BIT['mental-health'], LABEL_BIT.HIV | LABEL_BIT.PSY],
    ['z6911', CLASS_BIT.hiv | CLASS_BIT['mental-health'], LABEL_BIT.HIV | LABEL_BIT.PSY],
    ['Z69.0', CLASS_BIT.hiv, LABEL_BIT.HIV],
    ['A00.1', CLASS_BIT.hiv, LABEL_BIT.STD],
    ['A001', CLASS_BIT.hiv, LABEL_BIT.STD],
  ];
  for (const [code, classes, labels] of cases) {
    it(`merges prefix and exact hits of several files: ${code}`, () => assert.deepEqual(index.lookup('http://hl7.org/fhir/sid/icd-10-cm', code), { classes, labels }));
  }
  it('an exact code is not a prefix', () => assert.equal(index.lookup('http://hl7.org/fhir/sid/icd-10-cm', 'A00.12'), undefined));
  it('a code shorter than the prefix does not match', () => assert.equal(index.lookup('http://hl7.org/fhir/sid/icd-10-cm', 'Z6'), undefined));
  it('a system without entries does not match', () => assert.equal(index.lookup('http://loinc.org', 'Z69'), undefined));
});

describe('normalizeCode', () => {
  const cases: [string, Parameters<typeof normalizeCode>[1], string][] = [
    ['F11.20', 'icd', 'F1120'],
    ['f11.20', 'icd', 'F1120'],
    [' F11.20 ', 'icd', 'F1120'],
    ['F1120', 'icd', 'F1120'],
    ['h0020', 'upper', 'H0020'],
    ['86406008', 'none', '86406008'],
  ];
  for (const [code, n, expected] of cases) it(`${n}: ${JSON.stringify(code)} → ${expected}`, () => assert.equal(normalizeCode(code, n), expected));
  it('resolves aliases to the canonical system', () => {
    assert.equal(codeSystemOf('urn:oid:2.16.840.1.113883.6.96')?.canonical, 'http://snomed.info/sct');
    assert.equal(codeSystemOf('http://hl7.org/fhir/sid/icd-10')?.canonical, 'http://hl7.org/fhir/sid/icd-10-cm');
    assert.equal(codeSystemOf('http://example.org'), undefined);
  });
});
