import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { MueIndex, mueSettingOf, parseMueFile } from './mue.ts';

const src = { name: 'MCR_MUE_PractitionerServices.csv' };
const PREAMBLE =
  '"CPT codes, descriptions and other data only are copyright 2024 American Medical Association.\nAll rights reserved. Applicable FARS/DFARS apply."';
const csv = (...rows: string[]) =>
  [PREAMBLE, 'HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale', ...rows].join('\n') + '\n';

describe('MUE parser', () => {
  test('reads code, value, MAI and rationale after a quoted multi-line preamble', () => {
    const t = parseMueFile(csv('20610,2,1 Line Edit,Anatomic Consideration', '90837,1,2 Date of Service Edit: Policy,Code Descriptor / CPT Instruction'), src);
    assert.equal(t.setting, 'practitioner');
    assert.deepEqual(
      t.rows.map((r) => [r.code, r.value, r.mai, r.maiText, r.rationale, r.line]),
      [
        ['20610', 2, 1, '1 Line Edit', 'Anatomic Consideration', 4],
        ['90837', 1, 2, '2 Date of Service Edit: Policy', 'Code Descriptor / CPT Instruction', 5],
      ],
    );
  });

  test('columns are found by name, and the setting from the value header', () => {
    const text = [
      'MUE Rationale\tMUE Adjudication Indicator\tHCPCS/CPT Code\tOutpatient Hospital Services MUE Values',
      'Clinical: Data\t3 Date of Service Edit: Clinical\t97110\t8',
    ].join('\n');
    // The header must start with the code column to be found; a reordered file keeps it first.
    assert.throws(() => parseMueFile(text, src), /no "HCPCS\/CPT Code" header row/);
    const ok = [
      'HCPCS/CPT Code\tMUE Rationale\tOutpatient Hospital Services MUE Values\tMUE Adjudication Indicator',
      '97110\tClinical: Data\t8\t3 Date of Service Edit: Clinical',
    ].join('\n');
    const t = parseMueFile(ok, src);
    assert.equal(t.setting, 'outpatient-hospital');
    assert.deepEqual([t.rows[0]!.value, t.rows[0]!.mai, t.rows[0]!.rationale], [8, 3, 'Clinical: Data']);
  });

  test('mueSettingOf', () => {
    assert.equal(mueSettingOf('Practitioner Services MUE Values'), 'practitioner');
    assert.equal(mueSettingOf('Outpatient Hospital Services MUE Values'), 'outpatient-hospital');
    assert.equal(mueSettingOf('DME Supplier Services MUE Values'), 'dme');
    assert.equal(mueSettingOf('Units'), null);
  });

  const bad: [string, string, RegExp][] = [
    ['a non-numeric value', '20610,two,1 Line Edit,x', /line 4: MUE value "two" for 20610 is not a whole number/],
    ['an unknown MAI', '20610,2,4 Other,x', /MUE adjudication indicator "4 Other" for 20610 does not start with 1, 2 or 3/],
    ['a bad code', '2061,2,1 Line Edit,x', /code "2061" is not a 5-character HCPCS\/CPT code/],
  ];
  for (const [name, row, message] of bad) {
    test(`strict mode refuses ${name}`, () => {
      assert.throws(
        () => parseMueFile(csv(row), src),
        (e: unknown) => isDomainError(e, 'invalid') && message.test(e.message),
      );
    });
  }

  test('lenient mode collects rejected rows', () => {
    const t = parseMueFile(csv('20610,2,1 Line Edit,x', '2061,2,1 Line Edit,x'), src, { strict: false });
    assert.equal(t.rows.length, 1);
    assert.equal(t.rejected[0]!.line, 5);
  });

  test('MueIndex looks codes up', () => {
    const index = new MueIndex('practitioner', parseMueFile(csv('20610,2,1 Line Edit,x'), src).rows);
    assert.equal(index.get('20610')?.value, 2);
    assert.equal(index.get('99999'), undefined);
    assert.equal(index.size, 1);
  });
});
