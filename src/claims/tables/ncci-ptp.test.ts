import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { cmsDate, parsePtpFile, ptpFileInfo, PtpIndex, PtpParser } from './ncci-ptp.ts';

const src = { name: 'ccipra-v313r0-f1.txt', version: 'v313r0' };
const HEADER = [
  'CPT only copyright 2024 American Medical Association. All rights reserved.',
  'Column1/Column 2 Edits',
  'Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\tModifier\tPTP Edit Rationale',
  '\t\t\t\t\t0=not allowed\t',
  '\t\t\t\t*=no data\t1=allowed\t',
  '\t\t\t\t\t9=not applicable\t',
];
const file = (...rows: string[]) => [...HEADER, ...rows].join('\r\n') + '\r\n';

describe('NCCI PTP parser', () => {
  test('reads the seven columns after the preamble and the header continuation rows', () => {
    const t = parsePtpFile(
      file(
        '93000\t93005\t*\t19960101\t*\t0\tMisuse of column two code with column one code',
        '12001\t11042\t\t20150101\t20180101\t1\tStandards of medical / surgical practice',
      ),
      src,
    );
    assert.equal(t.rows.length, 2);
    assert.deepEqual(
      { ...t.rows[0]!, source: undefined },
      {
        column1: '93000',
        column2: '93005',
        priorTo1996: true,
        effective: '1996-01-01',
        deletion: null,
        modifierIndicator: 0,
        rationale: 'Misuse of column two code with column one code',
        source: undefined,
        line: 7,
      },
    );
    assert.equal(t.rows[1]!.deletion, '2018-01-01');
    assert.equal(t.rows[1]!.priorTo1996, false);
    assert.equal(t.rows[1]!.line, 8);
    assert.equal(t.rows[0]!.source, src);
  });

  test('a CSV export of the spreadsheet with the same columns parses the same', () => {
    const csv = [
      '"CPT only copyright 2024 American Medical Association, all rights reserved."',
      'Column 1,Column 2,*=in existence prior to 1996,Effective Date,Deletion Date,Modifier,PTP Edit Rationale',
      '93000,93005,*,19960101,*,0,"Misuse of column two code with column one code"',
    ].join('\n');
    const t = parsePtpFile(csv, { name: 'export.csv' });
    assert.equal(t.rows[0]!.column2, '93005');
    assert.equal(t.rows[0]!.rationale, 'Misuse of column two code with column one code');
  });

  const bad: [string, string, RegExp][] = [
    ['a short code', '9300\t93005\t\t19960101\t*\t0\tx', /line 7: column 1 code "9300" is not a 5-character HCPCS\/CPT code/],
    ['an impossible date', '93000\t93005\t\t20230231\t*\t0\tx', /line 7: effective date "20230231" is not a YYYYMMDD date/],
    ['a bad deletion date', '93000\t93005\t\t20230101\t2023\t0\tx', /deletion date "2023" is not a YYYYMMDD date or "\*"/],
    ['deletion before effective', '93000\t93005\t\t20230101\t20220101\t0\tx', /deletion date 2022-01-01 is before effective date 2023-01-01/],
    ['modifier indicator 2', '93000\t93005\t\t20230101\t*\t2\tx', /modifier indicator "2" is not 0, 1 or 9/],
    ['a bad prior-1996 mark', '93000\t93005\tY\t20230101\t*\t0\tx', /"in existence prior to 1996" is "Y"/],
  ];
  for (const [name, row, message] of bad) {
    test(`strict mode refuses ${name}, naming file and line`, () => {
      assert.throws(
        () => parsePtpFile(file(row), src),
        (e: unknown) => isDomainError(e, 'invalid') && e.message.startsWith('ccipra-v313r0-f1.txt line') && message.test(e.message),
      );
    });
  }

  test('lenient mode collects rejected rows and keeps the good ones', () => {
    const t = parsePtpFile(file('93000\t93005\t\t19960101\t*\t0\tok', 'XX\t93005\t\t19960101\t*\t0\tbad'), src, { strict: false });
    assert.equal(t.rows.length, 1);
    assert.deepEqual(t.rejected, [{ line: 8, reason: 'column 1 code "XX" is not a 5-character HCPCS/CPT code' }]);
  });

  test('a file without the header row is refused', () => {
    assert.throws(() => parsePtpFile('93000\t93005\t\t19960101\t*\t0\tx\n', src), /no "Column 1 \/ Column 2" header row/);
  });

  test('line-at-a-time parsing (for streaming importers) gives the same rows', () => {
    const text = file('93000\t93005\t*\t19960101\t*\t0\tA', '20610\t20605\t\t20090101\t*\t1\tB');
    const p = new PtpParser(src);
    text.split(/\r?\n/).forEach((line, i) => p.push(line, i + 1));
    assert.deepEqual(p.finish().rows, parsePtpFile(text, src).rows);
  });

  test('cmsDate and ptpFileInfo', () => {
    assert.equal(cmsDate('20240229'), '2024-02-29');
    assert.equal(cmsDate('20230229'), null);
    assert.deepEqual(ptpFileInfo('ccipra-v313r0-f1.txt'), { setting: 'practitioner', version: 'v313r0' });
    assert.deepEqual(ptpFileInfo('CCIOPH-V322R0-F1.TXT'), { setting: 'outpatient-hospital', version: 'v322r0' });
    assert.equal(ptpFileInfo('mue.csv'), null);
  });
});

describe('PtpIndex', () => {
  const rows = parsePtpFile(
    file('96372\t99211\t\t20100101\t20150101\t0\tA', '96372\t99211\t\t20190101\t*\t1\tB', '17000\t11900\t\t20200101\t20200101\t9\tC'),
    src,
  ).rows;
  const index = new PtpIndex('practitioner', rows);

  test('activeEdit picks the row in force: effective inclusive, deletion exclusive', () => {
    const at = (d: string) => index.activeEdit('96372', '99211', d)?.rationale;
    assert.equal(at('2009-12-31'), undefined);
    assert.equal(at('2010-01-01'), 'A');
    assert.equal(at('2014-12-31'), 'A');
    assert.equal(at('2015-01-01'), undefined);
    assert.equal(at('2019-01-01'), 'B');
    assert.equal(index.activeEdit('99211', '96372', '2019-01-01'), undefined);
  });

  test('an indicator-9 row deleted the day it took effect is never active', () => {
    assert.equal(index.activeEdit('17000', '11900', '2020-01-01'), undefined);
    assert.equal(index.edits('17000', '11900').length, 1);
  });

  test('size and hasCode', () => {
    assert.equal(index.size, 3);
    assert.ok(index.hasCode('99211') && index.hasCode('96372'));
    assert.ok(!index.hasCode('99213'));
  });
});
