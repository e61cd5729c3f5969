import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseDlFully, normaliseIdentifier } from './dl-normaliser.ts';

test('EPC URIs, class and pattern URIs become canonical Digital Links', () => {
  const cases: [string, string][] = [
    ['urn:epc:id:sgtin:0614141.107346.2017', 'https://id.gs1.org/01/10614141073464/21/2017'],
    ['urn:epc:id:sgtin:4012345.011111.A!(x)', 'https://id.gs1.org/01/04012345111118/21/A%21%28x%29'],
    ['urn:epc:id:sscc:0614141.1234567890', 'https://id.gs1.org/00/106141412345678908'],
    ['urn:epc:id:sgln:0614141.00777.0', 'https://id.gs1.org/414/0614141007776'],
    ['urn:epc:id:sgln:0614141.12345.5678', 'https://id.gs1.org/414/0614141123452/254/5678'],
    ['urn:epc:class:lgtin:4012345.012345.998877', 'https://id.gs1.org/01/04012345123456/10/998877'],
    ['urn:epc:idpat:sgtin:4012345.098765.*', 'https://id.gs1.org/01/04012345987652'],
    ['urn:epc:id:pgln:0614141.00001', 'https://id.gs1.org/417/0614141000012'],
    ['urn:epc:id:giai:4000001.111', 'https://id.gs1.org/8004/4000001111'],
    ['urn:epc:id:gdti:0614141.12345.400', 'https://id.gs1.org/253/0614141123452400'],
  ];
  for (const [input, want] of cases) assert.equal(normaliseIdentifier(input), want, input);
});

test('Digital Links: canonical domain, numeric AIs, GTIN-14, serial drops lot, CPV and query dropped', () => {
  const cases: [string, string][] = [
    ['https://example.com/products/gtin/9506000134352/lot/L1/ser/S1?17=271231', 'https://id.gs1.org/01/09506000134352/21/S1'],
    ['https://id.gs1.org/01/09506000134352/22/2A/10/L1', 'https://id.gs1.org/01/09506000134352/10/L1'],
    ['https://id.gs1.org/01/09506000134352/22/2A', 'https://id.gs1.org/01/09506000134352'],
    ['http://id.gs1.org/00/106141412345678908', 'https://id.gs1.org/00/106141412345678908'],
  ];
  for (const [input, want] of cases) assert.equal(normaliseIdentifier(input), want, input);
});

test('values that are not GS1 identifiers, or whose canonical form is not constrained-safe, give null', () => {
  for (const v of ['shipping', '4.5', 'urn:epcglobal:cbv:bt:0614141073467:1152', 'https://example.com/x.y', 'https://id.gs1.org/01/09506000134352/21/A%2F1', 'urn:epc:id:sgtin:0614141.10734.1'])
    assert.equal(normaliseIdentifier(v), null, v);
});

test('the shortcut for Digital Links already canonical gives what the full normalisation gives', () => {
  // Serials of every length and character the canonical form allows, GTIN-14s and SSCCs at random,
  // and near misses (a 13-digit GTIN, a slash or a percent in the serial, a CPV, a lot, a query).
  const allowed = `"'-.0123456789;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
  const pick = (chars: string, n: number) => Array.from({ length: n }, () => chars[Math.floor(Math.random() * chars.length)]).join('');
  const digits = (n: number) => pick('0123456789', n);
  const inputs: string[] = [];
  for (let i = 0; i < 5000; i++) {
    inputs.push(`https://id.gs1.org/01/${digits(14)}/21/${pick(allowed, i % 21)}`, `https://id.gs1.org/00/${digits(18)}`);
    inputs.push(`https://id.gs1.org/01/${digits(13)}/21/${pick(allowed, 1 + (i % 20))}`, `https://id.gs1.org/01/${digits(14)}/21/${pick(allowed + '/%!', 1 + (i % 20))}`);
    inputs.push(`https://id.gs1.org/01/${digits(14)}/22/${pick(allowed, 2)}/21/${pick(allowed, 5)}`, `https://id.gs1.org/01/${digits(14)}/10/${pick(allowed, 4)}/21/${pick(allowed, 5)}`);
    inputs.push(`https://id.gs1.org/01/${digits(14)}/21/${pick(allowed, 5)}?17=271231`, `https://id.gs1.org/00/${digits(17)}`, `https://id.gs1.org/00/${digits(19)}`);
  }
  for (const input of inputs) assert.equal(normaliseIdentifier(input), normaliseDlFully(input), input);
  // The shortcut's own cases really are unchanged by the full path.
  assert.equal(normaliseDlFully('https://id.gs1.org/01/09506000134352/21/S1'), 'https://id.gs1.org/01/09506000134352/21/S1');
  assert.equal(normaliseDlFully('https://id.gs1.org/00/106141412345678908'), 'https://id.gs1.org/00/106141412345678908');
});
