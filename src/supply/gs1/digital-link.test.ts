import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeDlValue, formatDigitalLink, parseDigitalLink } from './digital-link.ts';
import { isDomainError } from '../../shared/errors.ts';

const today = new Date('2026-06-01T00:00:00Z');
const parse = (uri: string, anyQualifierOrder = false) => parseDigitalLink(uri, { today, anyQualifierOrder });
const pairs = (uri: string) => parse(uri).elements.map((e) => `${e.ai}=${e.value}`);

test('the canonical GS1 example: key, qualifiers in the path, expiry in the query', () => {
  const dl = parse('https://id.gs1.org/01/09506000134352/10/ABC/21/123?17=201225');
  assert.equal(dl.base, 'https://id.gs1.org');
  assert.deepEqual(dl.elements, [
    { ai: '01', value: '09506000134352' },
    { ai: '10', value: 'ABC' },
    { ai: '21', value: '123' },
    { ai: '17', value: '201225', date: '2020-12-25' },
  ]);
  assert.deepEqual(dl.params, {});
});

test('any domain and path prefix, short names, GTIN-13 padded, percent-encoding, non-AI parameters, trailing slash', () => {
  const dl = parse('https://Brand.Example.com/products/dl/gtin/4006381333931/lot/L%2F1/ser/A%2521(2)/?linkType=gs1%3Apip&17=270100#frag');
  assert.equal(dl.base, 'https://brand.example.com/products/dl');
  assert.deepEqual(dl.elements.map((e) => [e.ai, e.value]), [['01', '04006381333931'], ['10', 'L/1'], ['21', 'A%21(2)'], ['17', '270100']]);
  assert.equal(dl.elements[3]!.date, '2027-01-31');
  assert.deepEqual(dl.params, { linkType: 'gs1:pip' });
});

test('SSCC, GLN with extension, ITIP', () => {
  assert.deepEqual(pairs('https://id.gs1.org/00/106141411234567897'), ['00=106141411234567897']);
  assert.deepEqual(pairs('http://example.org/414/0614141123452/254/5678'), ['414=0614141123452', '254=5678']);
  assert.deepEqual(pairs('https://id.gs1.org/8006/095060001343520102/21/7'), ['8006=095060001343520102', '21=7']);
});

test('qualifier order: the standard order is required unless anyQualifierOrder', () => {
  assert.throws(() => parse('https://id.gs1.org/01/09506000134352/21/123/10/ABC'), { message: 'GS1 Digital Link: AI (10) must come before AI (21) in the path (order 22, 10, 21)' });
  assert.deepEqual(parse('https://id.gs1.org/01/09506000134352/21/123/10/ABC', true).elements.map((e) => e.ai), ['01', '21', '10']);
});

test('errors: check digit, no primary key, wrong qualifier, qualifier in the query, bad escape, bad date, association', () => {
  const cases: [string, RegExp][] = [
    ['https://id.gs1.org/01/09506000134353/21/1', /^GTIN 09506000134353: check digit 3, expected 2$/],
    ['https://id.gs1.org/21/123', /no primary key/],
    ['https://example.com/', /no primary key/],
    ['ftp://id.gs1.org/01/09506000134352', /is not a GS1 Digital Link URI/],
    ['https://id.gs1.org/00/106141411234567897/21/1', /AI \(21\) is not a key qualifier of AI \(00\)/],
    ['https://id.gs1.org/01/09506000134352?21=5', /AI \(21\) is a key qualifier of AI \(01\) and belongs in the path/],
    ['https://id.gs1.org/01/09506000134352?00=106141411234567897', /AI \(00\) cannot be a query attribute/],
    ['https://id.gs1.org/01/09506000134352/21/%E0%A4%A', /malformed percent-encoding/],
    ['https://id.gs1.org/01/09506000134352/21/1?17=201332', /AI \(17\) 201332: month 13/],
    ['https://id.gs1.org/01/09506000134352/21/ab%7E', /character 3 \("~"\) is not allowed/],
    ['https://id.gs1.org/414/0614141123452?17=201201', /AI \(17\) needs a trade item/],
  ];
  for (const [uri, message] of cases) {
    assert.throws(() => parse(uri), (e) => isDomainError(e, 'invalid') && message.test(e.message), `${uri}: ${(() => { try { parse(uri); return 'no error'; } catch (e) { return (e as Error).message; } })()}`);
  }
});

test('formatDigitalLink writes the canonical form and parseDigitalLink reads it back', () => {
  const elements = [{ ai: '17', value: '201225' }, { ai: '21', value: 'A/B(1)' }, { ai: '01', value: '09506000134352' }, { ai: '10', value: 'ABC' }];
  const uri = formatDigitalLink(elements);
  assert.equal(uri, 'https://id.gs1.org/01/09506000134352/10/ABC/21/A%2FB%281%29?17=201225');
  assert.deepEqual(parse(uri).elements.map((e) => [e.ai, e.value]), [['01', '09506000134352'], ['10', 'ABC'], ['21', 'A/B(1)'], ['17', '201225']]);
  assert.equal(formatDigitalLink([{ ai: '414', value: '0614141123452' }, { ai: '254', value: '5678' }], { base: 'https://dl.example.com/x/' }), 'https://dl.example.com/x/414/0614141123452/254/5678');
  assert.equal(formatDigitalLink([{ ai: '00', value: '106141411234567897' }], { params: { linkType: 'gs1:epcis' } }), 'https://id.gs1.org/00/106141411234567897?linkType=gs1%3Aepcis');
  assert.throws(() => formatDigitalLink([{ ai: '21', value: '1' }]), /no GS1 Digital Link primary key/);
  assert.equal(encodeDlValue("a!'()*~-._"), 'a%21%27%28%29%2A~-._');
});
