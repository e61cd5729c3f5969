import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { indexAgeSex, parseAgeSex } from './age-sex.ts';
import { loadSyntheticTables } from './claim-tables.ts';
import { describePeriod, parseFrequencyLimits, parsePeriod } from './frequency-limits.ts';
import { parseTimedCodes } from './timed-codes.ts';

const src = { name: 'test.tsv' };

describe('Carechain TSV tables', () => {
  test('timed codes: minutes per unit; bad rows named by line', () => {
    const t = parseTimedCodes('# comment\ncode\tminutes\tbasis\n90837\t60\ttypical\n97110\t15\tper-unit\n', src);
    assert.deepEqual(
      t.rows.map((r) => [r.code, r.minutes, r.basis, r.line]),
      [
        ['90837', 60, 'typical', 3],
        ['97110', 15, 'per-unit', 4],
      ],
    );
    assert.throws(() => parseTimedCodes('code\tminutes\n90837\t0\n', src), /test\.tsv line 2: minutes "0" for 90837 is not a positive whole number/);
    assert.throws(() => parseTimedCodes('code\tmins\n90837\t60\n', src), /header lacks column\(s\) minutes/);
  });

  test('age/sex: sex, open and closed age ranges, ICD-10-CM keys without the dot', () => {
    const t = parseAgeSex(
      'system\tcode\tsex\tmin_age\tmax_age\ncpt-hcpcs\t55700\tmale\t\t\ncpt-hcpcs\t99384\t\t12\t17\nicd-10-cm\tO09.90\tfemale\t10\t60\n',
      src,
    );
    const index = indexAgeSex(t.rows);
    assert.deepEqual(index.procedures.get('55700')?.[0]?.sex, 'male');
    assert.deepEqual([index.procedures.get('99384')?.[0]?.minAge, index.procedures.get('99384')?.[0]?.maxAge], [12, 17]);
    assert.equal(index.diagnoses.get('O0990')?.[0]?.sex, 'female');
    const bad: [string, RegExp][] = [
      ['cpt-hcpcs\t55700\tm\t\t', /sex "m" for 55700 is not female, male or blank/],
      ['cpt-hcpcs\t99384\t\t17\t12', /min_age 17 is above max_age 12/],
      ['cpt-hcpcs\t99384\t\t\t', /restricts neither sex nor age/],
      ['loinc\t1234-5\tmale\t\t', /system "loinc"/],
    ];
    for (const [row, message] of bad) assert.throws(() => parseAgeSex(`system\tcode\tsex\tmin_age\tmax_age\n${row}\n`, src), message);
  });

  test('frequency limits: periods', () => {
    assert.deepEqual(parsePeriod('days:365'), { kind: 'days', days: 365 });
    assert.deepEqual(parsePeriod('calendar-year'), { kind: 'calendar-year' });
    assert.deepEqual(parsePeriod('lifetime'), { kind: 'lifetime' });
    assert.equal(parsePeriod('days:0'), null);
    assert.equal(parsePeriod('yearly'), null);
    assert.equal(describePeriod({ kind: 'days', days: 30 }), '30 days');
    const t = parseFrequencyLimits('code\tmax_units\tperiod\nG0439\t1\tdays:365\nG0438\t1\tyearly\n', src, false);
    assert.equal(t.rows.length, 1);
    assert.deepEqual(t.rejected, [{ line: 3, reason: 'period "yearly" for G0438 is not days:N, calendar-year or lifetime' }]);
  });

  test('the shipped synthetic tables load and are marked synthetic', () => {
    const tables = loadSyntheticTables();
    const ptp = tables.ptp.practitioner!;
    assert.equal(ptp.size, 14);
    assert.equal(ptp.activeEdit('93000', '93005', '2024-01-01')?.source.synthetic, true);
    assert.equal(tables.mue.practitioner?.size, 16);
    assert.equal(tables.mue['outpatient-hospital'], undefined);
    assert.equal(tables.timedCodes.get('90837')?.minutes, 60);
    assert.equal(tables.ageSex.procedures.size + tables.ageSex.diagnoses.size, 28);
    assert.equal(tables.frequency.get('G0438')?.period.kind, 'lifetime');
  });
});
