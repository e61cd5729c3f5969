import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatElementString, GS, parseElementString } from './element-string.ts';
import { isDomainError } from '../../shared/errors.ts';

const today = new Date('2026-06-01T00:00:00Z');
const parse = (s: string) => parseElementString(s, { today });
const pairs = (s: string) => parse(s).elements.map((e) => [e.ai, e.value]);

test('scanned DataMatrix with ]d2 and FNC1 after the variable-length lot', () => {
  const r = parse(`]d201095060001343521720122510ABC${GS}21123`);
  assert.equal(r.symbology, ']d2');
  assert.deepEqual(r.elements, [
    { ai: '01', value: '09506000134352' },
    { ai: '17', value: '201225', date: '2020-12-25' },
    { ai: '10', value: 'ABC' },
    { ai: '21', value: '123' },
  ]);
});

test('other symbology identifiers, none at all, a leading GS, a GS after a fixed-length AI, a trailing GS', () => {
  const expected = [['01', '09506000134352'], ['21', '123']];
  for (const s of [`]C10109506000134352${'21123'}`, `]Q3010950600013435221123`, '010950600013435221123', `${GS}010950600013435221123`, `0109506000134352${GS}21123`, `010950600013435221123${GS}`]) {
    assert.deepEqual(pairs(s), expected, JSON.stringify(s));
  }
  assert.equal(parse(']C1010950600013435221123').symbology, ']C1');
});

test('bracketed human-readable form, with an escaped bracket inside a value', () => {
  assert.deepEqual(pairs('(01)09506000134352(17)201225(10)ABC(21)123'), [['01', '09506000134352'], ['17', '201225'], ['10', 'ABC'], ['21', '123']]);
  assert.deepEqual(pairs('(01)09506000134352(21)A(B)C'), [['01', '09506000134352'], ['21', 'A(B)C']]);
  assert.deepEqual(pairs('(01)09506000134352(21)X\\(10)Y'), [['01', '09506000134352'], ['21', 'X(10)Y']]);
});

test('expiry with day 00 resolves to the end of the month; SSCC, GLN+extension, NHRN, measures', () => {
  assert.equal(parse('010950600013435217260200').elements[1]!.date, '2026-02-28');
  assert.deepEqual(pairs('00106141411234567897'), [['00', '106141411234567897']]);
  assert.deepEqual(pairs(`4140614141123452254A-1`), [['414', '0614141123452'], ['254', 'A-1']]);
  assert.deepEqual(pairs(`0109506000134352710PZN123${GS}3103000250`), [['01', '09506000134352'], ['710', 'PZN123'], ['3103', '000250']]);
});

test('errors are precise: check digit, lengths, character set, unknown AI, missing FNC1, dates, associations', () => {
  const cases: [string, RegExp][] = [
    ['010950600013435321123', /^GTIN 09506000134353: check digit 3, expected 2$/],
    ['0109506000134352211234567890123456789012345', /^AI \(21\) SERIAL "1234567890123456789012345": 25 characters, at most 20 allowed \(is an FNC1 separator missing after it\?\)$/],
    ['01095060001343522312', /^"2312…" at character 17 does not start a GS1 Application Identifier this system knows/],
    [`(01)09506000134352(21)${'1'.repeat(21)}`, /^AI \(21\) SERIAL "1{21}": 21 characters, at most 20 allowed$/],
    ['010950600013435221AB C', /^AI \(21\) SERIAL "AB C": character 3 \(" "\) is not allowed; only GS1 character set 82$/],
    ['0109506000134352211é', /character 2 \(U\+00E9\)/],
    ['01095060001343', /^AI \(01\) GTIN "095060001343": 12 characters, exactly 14 required \(the data ends early\)$/],
    [`01095060001343${GS}21123`, /exactly 14 required/],
    ['010950600013435217171301', /^AI \(17\) 171301: month 13 is not 01–12/],
    ['010950600013435217170230', /day 30 is past the end of 2017-02/],
    ['21123', /^AI \(21\) needs a trade item: AI \(01\), \(02\) or \(8006\) must be present too$/],
    ['254ABC', /AI \(254\) GLN extension needs AI \(414\)/],
    [`0109506000134352211${GS}212`, /AI \(21\) appears twice with different values \("1", "2"\)/],
    [']d1010950600013435221123', /symbology identifier "\]d1" is not a GS1 one/],
    ['', /empty GS1 element string/],
    ['(01)09506000134352(999)1', /"\(999\)1…" at character 19: expected "\(AI\)"/],
    ['X0109506000134352', /character 1 \("X"\) where an AI/],
    ['0009506000134352', /exactly 18 required/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parse(input), (e) => isDomainError(e, 'invalid') && message.test(e.message), `${JSON.stringify(input)} -> ${(() => { try { parse(input); return 'no error'; } catch (e) { return (e as Error).message; } })()}`);
  }
});

test('the century of a two-digit year follows today (§7.12)', () => {
  const in2026 = parseElementString('010950600013435217770101', { today });
  const in2030 = parseElementString('010950600013435217770101', { today: new Date('2030-01-01T00:00:00Z') });
  assert.equal(in2026.elements[1]!.date, '1977-01-01');
  assert.equal(in2030.elements[1]!.date, '2077-01-01');
});

test('formatElementString writes GS only after variable-length values that are not last, and round-trips', () => {
  const elements = [{ ai: '01', value: '09506000134352' }, { ai: '17', value: '201225' }, { ai: '10', value: 'ABC' }, { ai: '21', value: '123' }];
  const scanned = formatElementString(elements, { symbology: ']d2' });
  assert.equal(scanned, `]d201095060001343521720122510ABC${GS}21123`);
  assert.deepEqual(pairs(scanned), elements.map((e) => [e.ai, e.value]));
  const brackets = formatElementString([...elements.slice(0, 3), { ai: '21', value: 'X(10)Y' }], { form: 'brackets' });
  assert.equal(brackets, '(01)09506000134352(17)201225(10)ABC(21)X\\(10)Y');
  assert.equal(parse(brackets).elements[3]!.value, 'X(10)Y');
});

test('composite and less common AI formats: 253 (N13+X..17), 8010 (CSET 39), 8006, 7003, 402, 3103', () => {
  assert.deepEqual(pairs(`2534012345000016ABC${GS}0109506000134352`), [['253', '4012345000016ABC'], ['01', '09506000134352']]);
  assert.throws(() => parse('2534012345000018'), { message: 'GDTI 4012345000018: check digit 8, expected 6' });
  assert.throws(() => parse('2534012345A00016'), /character 8 \("A"\) must be a digit \(the first 13 are digits\)/);
  assert.deepEqual(pairs(`8010ABC#-/123${GS}8011123`), [['8010', 'ABC#-/123'], ['8011', '123']]);
  assert.throws(() => parse('8010abc'), /character 1 \("a"\) is not allowed; only GS1 character set 39/);
  // 8006 is fixed-length but not in the predefined-length table, so FNC1 must follow it.
  assert.deepEqual(pairs(`8006095060001343520102${GS}217`), [['8006', '095060001343520102'], ['21', '7']]);
  assert.throws(() => parse('8006095060001343520102217'), /21 characters, at most 18 allowed \(is an FNC1 separator missing after it\?\)/);
  assert.equal(parse(`0109506000134352${'70032612312359'}`).elements[1]!.date, '2026-12-31T23:59');
  assert.throws(() => parse('010950600013435270032612312460'), /time 24:60 is not a valid HH:MM/);
  assert.deepEqual(pairs('40209506000134352008'), [['402', '09506000134352008']]);
  assert.throws(() => parse('40209506000134352009'), { message: 'GSIN 09506000134352009: check digit 9, expected 8' });
  assert.throws(() => parse('3103ABCDEF'), /AI \(3103\) MEASURE "ABCDEF": character 1 \("A"\) is not allowed; only digits/);
});
