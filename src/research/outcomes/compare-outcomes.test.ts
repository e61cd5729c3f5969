import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { compareOutcomes } from './compare-outcomes.ts';
import type { FindingKind, OutcomeFinding, RegisteredOutcome, ReportedOutcome, Severity } from './types.ts';

const hba1c: RegisteredOutcome = { id: 'O1', name: 'Change in HbA1c', measure: 'HbA1c (%), mean change from baseline', timeFrame: '12 weeks', kind: 'primary' };
const weight: RegisteredOutcome = { id: 'O2', name: 'Body weight', measure: 'Weight (kg), mean change from baseline', timeFrame: '12 weeks', kind: 'secondary' };
const hypo: RegisteredOutcome = { id: 'O3', name: 'Hypoglycaemia events', measure: 'Number of events per patient-year', timeFrame: '12 weeks', kind: 'secondary' };
const registered = [hba1c, weight, hypo];
const asReported = (o: RegisteredOutcome, change: Partial<ReportedOutcome> = {}): ReportedOutcome => ({ name: o.name, measure: o.measure, timeFrame: o.timeFrame, kind: o.kind, ...change });
const faithful = () => registered.map((o) => asReported(o));

const kinds = (f: OutcomeFinding[]) => f.map((x) => `${x.kind}:${x.severity}`).sort();

interface Case {
  name: string;
  reported: ReportedOutcome[];
  want: `${FindingKind}:${Severity}`[];
}

describe('compareOutcomes: one table row per finding kind, positive and negative', () => {
  const cases: Case[] = [
    // none
    { name: 'faithful report: no finding', reported: faithful(), want: [] },
    {
      name: 'trivial wording, order, units spelled out: no finding',
      reported: [
        { name: 'HbA1c – change', measure: 'mean change from baseline in HbA1c (percent)', timeFrame: 'Week 12', kind: 'primary' },
        { name: 'body weight', measure: 'weight, kg: mean change from baseline', timeFrame: '84 days', kind: 'secondary' },
        { name: 'Hypoglycaemia event', measure: 'number of events per patient year', timeFrame: 'baseline to 12 weeks', kind: 'secondary' },
      ],
      want: [],
    },
    // omitted
    { name: 'omitted: primary not reported → major', reported: faithful().slice(1), want: ['omitted:major'] },
    { name: 'omitted: secondary not reported → minor', reported: faithful().slice(0, 2), want: ['omitted:minor'] },
    // added
    { name: 'added: undeclared new secondary → minor', reported: [...faithful(), { name: 'Fasting plasma glucose', measure: 'mmol/L', timeFrame: '12 weeks', kind: 'secondary' }], want: ['added:minor'] },
    { name: 'added: undeclared new primary → major', reported: [...faithful(), { name: 'Fasting plasma glucose', measure: 'mmol/L', timeFrame: '12 weeks', kind: 'primary' }], want: ['added:major'] },
    {
      name: 'added but declared as new with a reason → info, not a switch',
      reported: [...faithful(), { name: 'Fasting plasma glucose', measure: 'mmol/L', timeFrame: '12 weeks', kind: 'secondary', declaredAsNew: { reason: 'requested by the DSMB in 2023' } }],
      want: ['added:info'],
    },
    // measure-changed
    { name: 'measure-changed on a primary → major', reported: [asReported(hba1c, { measure: 'HbA1c (mmol/mol), mean change from baseline' }), asReported(weight), asReported(hypo)], want: ['measure-changed:major'] },
    { name: 'measure-changed on a secondary → minor', reported: [asReported(hba1c), asReported(weight, { measure: 'Weight (kg), median change from baseline' }), asReported(hypo)], want: ['measure-changed:minor'] },
    { name: 'measure with the same words in another order: no change', reported: [asReported(hba1c, { measure: 'Mean change from baseline, HbA1c %' }), asReported(weight), asReported(hypo)], want: [] },
    // time-frame-changed
    { name: 'time-frame-changed on a primary → major', reported: [asReported(hba1c, { timeFrame: '24 weeks' }), asReported(weight), asReported(hypo)], want: ['time-frame-changed:major'] },
    { name: 'time-frame-changed: 12 weeks is not 3 months', reported: [asReported(hba1c), asReported(weight, { timeFrame: '3 months' }), asReported(hypo)], want: ['time-frame-changed:minor'] },
    { name: 'time frame written differently: no change', reported: [asReported(hba1c, { timeFrame: 'at week 12' }), asReported(weight, { timeFrame: 'twelve weeks' }), asReported(hypo)], want: [] },
    // primary-to-secondary / secondary-to-primary
    { name: 'primary-to-secondary → major', reported: [asReported(hba1c, { kind: 'secondary' }), asReported(weight), asReported(hypo)], want: ['primary-to-secondary:major'] },
    { name: 'secondary-to-primary → major', reported: [asReported(hba1c), asReported(weight, { kind: 'primary' }), asReported(hypo)], want: ['secondary-to-primary:major'] },
    { name: 'kinds swapped between two outcomes → both', reported: [asReported(hba1c, { kind: 'secondary' }), asReported(weight, { kind: 'primary' }), asReported(hypo)], want: ['primary-to-secondary:major', 'secondary-to-primary:major'] },
    // several at once
    {
      name: 'one outcome with measure, time frame and rank changed → three findings',
      reported: [asReported(hba1c, { measure: 'Proportion with HbA1c < 7%', timeFrame: '26 weeks', kind: 'secondary' }), asReported(weight), asReported(hypo)],
      want: ['measure-changed:major', 'primary-to-secondary:major', 'time-frame-changed:major'],
    },
    // different names are never equated
    {
      name: 'a renamed outcome is omitted + added, not silently matched',
      reported: [asReported(hba1c, { name: 'Change in fasting glucose' }), asReported(weight), asReported(hypo)],
      want: ['added:major', 'omitted:major'],
    },
    {
      name: 'an explicit registeredId pairs a renamed outcome (the report itself links them): no switch',
      reported: [asReported(hba1c, { name: 'Glycated haemoglobin', registeredId: 'O1' }), asReported(weight), asReported(hypo)],
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(kinds(compareOutcomes(registered, c.reported)), [...c.want].sort()));
  }
});

describe('compareOutcomes: evidence', () => {
  it('names the entries and the words that differ', () => {
    const [f] = compareOutcomes(registered, [asReported(hba1c, { measure: 'HbA1c (mmol/mol), mean change from baseline' }), asReported(weight), asReported(hypo)]);
    assert.equal(f!.evidence.registered, hba1c);
    assert.equal(f!.evidence.matchedBy, 'name');
    assert.deepEqual(f!.evidence.differences, [
      { field: 'measure', registered: hba1c.measure, reported: 'HbA1c (mmol/mol), mean change from baseline', onlyRegistered: ['percent'], onlyReported: ['mmol', 'mol'] },
    ]);
  });

  it('points a reviewer at similar names it did not match', () => {
    const f = compareOutcomes([{ name: 'Pain score (VAS)', measure: 'mm', timeFrame: '6 weeks', kind: 'primary' }], [{ name: 'Pain score (NRS)', measure: 'points', timeFrame: '6 weeks', kind: 'primary' }]);
    assert.deepEqual(kinds(f), ['added:major', 'omitted:major']);
    assert.deepEqual(f.find((x) => x.kind === 'omitted')!.evidence.similar, [{ name: 'Pain score (NRS)', similarity: 0.67 }]);
  });

  it('records the reason of a declared new outcome', () => {
    const [f] = compareOutcomes([], [{ name: 'Quality of life', measure: 'EQ-5D', timeFrame: '12 weeks', kind: 'secondary', declaredAsNew: { reason: 'added in protocol v3 after patient input' } }]);
    assert.equal(f!.evidence.declaredReason, 'added in protocol v3 after patient input');
  });

  it('pairs repeated names by time frame, so each time point is checked against its own', () => {
    const at12: RegisteredOutcome = { name: 'HbA1c', measure: '%', timeFrame: '12 weeks', kind: 'primary' };
    const at24: RegisteredOutcome = { name: 'HbA1c', measure: '%', timeFrame: '24 weeks', kind: 'secondary' };
    const reported: ReportedOutcome[] = [
      { name: 'HbA1c', measure: '%', timeFrame: '24 weeks', kind: 'secondary' },
      { name: 'HbA1c', measure: '%', timeFrame: '12 weeks', kind: 'primary' },
    ];
    assert.deepEqual(compareOutcomes([at12, at24], reported), []);
    assert.deepEqual(kinds(compareOutcomes([at12, at24], reported.slice(0, 1))), ['omitted:major']);
  });

  it('accepts a protocol version as the registered side', () => {
    assert.deepEqual(compareOutcomes({ version: '2', effectiveDate: '2020-01-01', outcomes: registered }, faithful()), []);
  });
});

describe('compareOutcomes: input errors', () => {
  const bad: [string, RegisteredOutcome[], ReportedOutcome[]][] = [
    ['declared as new without a reason', [], [{ name: 'x', measure: '', timeFrame: '', kind: 'primary', declaredAsNew: { reason: ' ' } }]],
    ['a kind that is neither primary nor secondary', [{ name: 'x', measure: '', timeFrame: '', kind: 'tertiary' as 'primary' }], []],
    ['an outcome without a name', [{ name: '', measure: '', timeFrame: '', kind: 'primary' }], []],
  ];
  for (const [name, reg, rep] of bad) it(`refuses ${name}`, () => assert.throws(() => compareOutcomes(reg, rep), (e) => isDomainError(e, 'invalid')));
});
