import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkCbv, normaliseCbv, requireCbv } from './cbv.ts';
import { BIZ_STEPS, BIZ_TRANSACTION_TYPES, COMPONENTS, DISPOSITIONS, ERROR_REASONS, MEASUREMENT_TYPES, SENSOR_ALERT_TYPES, SOURCE_DESTINATION_TYPES } from './cbv-vocabulary.ts';

test('bare word, Web URI, URN and compact IRI normalise to the Web URI', () => {
  for (const v of ['shipping', 'https://ref.gs1.org/cbv/BizStep-shipping', 'urn:epcglobal:cbv:bizstep:shipping', 'cbv:BizStep-shipping']) {
    assert.deepEqual(normaliseCbv('bizStep', v), { uri: 'https://ref.gs1.org/cbv/BizStep-shipping', word: 'shipping', standard: true }, v);
  }
  assert.equal(normaliseCbv('disposition', 'urn:epcglobal:cbv:disp:in_transit').uri, 'https://ref.gs1.org/cbv/Disp-in_transit');
  assert.equal(normaliseCbv('bizTransactionType', 'po').uri, 'https://ref.gs1.org/cbv/BTT-po');
  assert.equal(normaliseCbv('sourceDestinationType', 'urn:epcglobal:cbv:sdt:owning_party').uri, 'https://ref.gs1.org/cbv/SDT-owning_party');
  assert.equal(normaliseCbv('errorReason', 'incorrect_data').uri, 'https://ref.gs1.org/cbv/ER-incorrect_data');
});

test('user vocabulary URIs are kept; unknown CBV words are problems, with a suggestion when close', () => {
  assert.deepEqual(normaliseCbv('bizStep', 'https://example.com/bizstep/relabelling'), { uri: 'https://example.com/bizstep/relabelling', standard: false });
  assert.match(normaliseCbv('bizStep', 'Shipping').problem!, /"Shipping" is not a CBV 2.0 business step \(did you mean "shipping"\?\)/);
  assert.match(normaliseCbv('bizStep', 'https://ref.gs1.org/cbv/BizStep-teleporting').problem!, /not a CBV 2.0 business step/);
  assert.match(normaliseCbv('disposition', 'urn:epcglobal:cbv:bizstep:shipping').problem!, /in the CBV namespace but is not a disposition/);
  assert.throws(() => requireCbv('disposition', 'in-transit'), /did you mean "in_transit"/);
  assert.equal(requireCbv('disposition', 'in_transit'), 'https://ref.gs1.org/cbv/Disp-in_transit');
});

test('checkCbv reports each bad value with its path, and nothing for a clean event', () => {
  const issues = checkCbv({
    bizStep: 'shipping',
    disposition: 'in_transitt',
    persistentDisposition: { set: ['completeness_verified'], unset: ['bogus'] },
    bizTransactionList: [{ type: 'po', bizTransaction: 'x' }, { type: 'purchase_order', bizTransaction: 'y' }],
    sourceList: [{ type: 'owning_party', source: 'a' }],
    destinationList: [{ type: 'owner', destination: 'b' }],
    errorDeclaration: { declarationTime: '2026-01-01T00:00:00Z', reason: 'did_not_occur' },
  });
  assert.deepEqual(issues.map((i) => `${i.path}=${i.value}`), ['disposition=in_transitt', 'persistentDisposition.unset[0]=bogus', 'bizTransactionList[1].type=purchase_order', 'destinationList[0].type=owner']);
  assert.deepEqual(checkCbv({ bizStep: 'urn:epcglobal:cbv:bizstep:receiving', disposition: 'https://example.com/disp/quarantined' }), []);
});

test('the vocabulary lists agree with GS1 EPCIS 2.0 JSON-LD context', () => {
  const ctx = JSON.parse(readFileSync(new URL('./gs1/epcis-context.jsonld', import.meta.url), 'utf8'))['@context'];
  const terms = (o: Record<string, unknown>) => Object.keys(o).filter((k) => !k.startsWith('@')).sort();
  const sensor = ctx.sensorElementList['@context'].sensorReport['@context'];
  assert.deepEqual([...BIZ_STEPS].sort(), terms(ctx.bizStep['@context']));
  assert.deepEqual([...DISPOSITIONS].sort(), terms(ctx.disposition['@context']));
  assert.deepEqual([...BIZ_TRANSACTION_TYPES].sort(), terms(ctx.bizTransactionList['@context'].type['@context']));
  assert.deepEqual([...SOURCE_DESTINATION_TYPES].sort(), terms(ctx.sourceList['@context'].type['@context']));
  assert.deepEqual([...ERROR_REASONS].sort(), terms(ctx.errorDeclaration['@context'].reason['@context']));
  assert.deepEqual([...SENSOR_ALERT_TYPES].sort(), terms(sensor.exception['@context']));
  assert.deepEqual([...COMPONENTS].sort(), terms(sensor.component['@context']));
  assert.deepEqual([...MEASUREMENT_TYPES].sort(), terms(sensor.type['@context']));
  assert.equal(BIZ_STEPS.length, 41);
  assert.equal(DISPOSITIONS.length, 33);
});
