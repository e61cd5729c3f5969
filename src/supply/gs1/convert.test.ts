import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertGs1, detectGs1Syntax, parseGs1Identifier, toDigitalLinkFrom, toElementStringFrom, toEpcUriFrom } from './convert.ts';
import { GS } from './element-string.ts';
import { identifierFromElements } from './identifier.ts';

// One identifier per scheme in its three syntaxes (company prefix length 7).
const rows: { scheme: string; element: string; brackets: string; dl: string; epc: string }[] = [
  {
    scheme: 'sgtin',
    element: '018061414112345821A/1',
    brackets: '(01)80614141123458(21)A/1',
    dl: 'https://id.gs1.org/01/80614141123458/21/A%2F1',
    epc: 'urn:epc:id:sgtin:0614141.812345.A%2F1',
  },
  {
    scheme: 'lgtin',
    element: '010401234512345610LOT-7',
    brackets: '(01)04012345123456(10)LOT-7',
    dl: 'https://id.gs1.org/01/04012345123456/10/LOT-7',
    epc: 'urn:epc:class:lgtin:4012345.012345.LOT-7',
  },
  {
    scheme: 'sscc',
    element: '00106141411234567897',
    brackets: '(00)106141411234567897',
    dl: 'https://id.gs1.org/00/106141411234567897',
    epc: 'urn:epc:id:sscc:0614141.1123456789',
  },
  {
    scheme: 'sgln',
    element: '4140614141123452254A1',
    brackets: '(414)0614141123452(254)A1',
    dl: 'https://id.gs1.org/414/0614141123452/254/A1',
    epc: 'urn:epc:id:sgln:0614141.12345.A1',
  },
];

test('every syntax converts to every other, for SGTIN, LGTIN, SSCC and SGLN', () => {
  for (const r of rows) {
    for (const input of [r.element, r.brackets, r.dl, r.epc]) {
      assert.equal(parseGs1Identifier(input).id.scheme, r.scheme, input);
      assert.equal(convertGs1(input, 'epc-uri'), r.epc, `${input} -> EPC`);
      assert.equal(convertGs1(input, 'digital-link'), r.dl, `${input} -> DL`);
      assert.equal(convertGs1(input, 'element-string'), r.element, `${input} -> element string`);
      assert.equal(convertGs1(input, 'element-string', { form: 'brackets' }), r.brackets, `${input} -> brackets`);
    }
  }
});

test('a scanned SGTIN with lot and expiry keeps them in the Digital Link, drops them in the EPC URN', () => {
  const scan = `]d201095060001343521720122510ABC${GS}21123`;
  const parsed = parseGs1Identifier(scan);
  assert.deepEqual(parsed.id, { scheme: 'sgtin', gtin: '09506000134352', serial: '123' });
  assert.equal(parsed.syntax, 'element-string');
  assert.equal(toDigitalLinkFrom(scan), 'https://id.gs1.org/01/09506000134352/10/ABC/21/123?17=201225');
  assert.equal(toEpcUriFrom(scan, { companyPrefixLength: 9 }), 'urn:epc:id:sgtin:950600013.0435.123');
  assert.equal(toElementStringFrom('https://id.gs1.org/01/09506000134352/10/ABC/21/123?17=201225', { symbology: ']d2' }), `]d20109506000134352${'10ABC'}${GS}21123${GS}17201225`);
  assert.equal(parseGs1Identifier('urn:epc:id:sgtin:950600013.0435.123').companyPrefixLength, 9);
});

test('detectGs1Syntax and identifierFromElements', () => {
  assert.equal(detectGs1Syntax('urn:epc:id:sscc:0614141.1123456789'), 'epc-uri');
  assert.equal(detectGs1Syntax('HTTPS://id.gs1.org/00/106141411234567897'), 'digital-link');
  assert.equal(detectGs1Syntax('(00)106141411234567897'), 'element-string');
  assert.throws(() => identifierFromElements([{ ai: '01', value: '09506000134352' }, { ai: '17', value: '201225' }]), /a GTIN alone identifies a product class/);
  assert.throws(() => parseGs1Identifier('(01)09506000134352'), /no SGTIN \(01\+21\), LGTIN \(01\+10\), SSCC \(00\) or SGLN \(414\) among AIs 01/);
});
