import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentWords, normaliseText, sameTimeFrame, sameWords, similarity, timeFrameTokens } from './normalise.ts';

describe('normaliseText', () => {
  const cases: [string, string][] = [
    ['  Change in HbA1c (%)  ', 'change in hba1c percent'],
    ['HbA1c ≥ 7.0%', 'hba1c ge 7.0 percent'],
    ['HbA1c <7%', 'hba1c lt 7 percent'],
    ['Qualité-de-vie: EQ-5D', 'qualite de vie eq 5d'],
    ['1,5 mg', '1.5 mg'],
  ];
  for (const [s, want] of cases) it(`${JSON.stringify(s)} → ${JSON.stringify(want)}`, () => assert.equal(normaliseText(s), want));
});

describe('sameWords: trivial differences match, meaningful ones do not', () => {
  const cases: [string, string, boolean][] = [
    ['Change in HbA1c', 'change in HBA1C', true],
    ['Change in HbA1c', 'HbA1c: change', true], // order, punctuation
    ['Major adverse cardiac events', 'Major adverse cardiac event', true], // plural
    ['Time to the first exacerbation', 'time to first exacerbations', true], // article, plural
    ['HbA1c ≥ 7%', 'HbA1c < 7%', false],
    ['HbA1c (%)', 'HbA1c (mmol/mol)', false],
    ['Systolic blood pressure', 'Diastolic blood pressure', false],
    ['Death or myocardial infarction', 'Death and myocardial infarction', false],
    ['Patients with no relapse', 'Patients with relapse', false],
    ['All-cause mortality', 'Cardiovascular mortality', false],
  ];
  for (const [a, b, want] of cases) it(`${JSON.stringify(a)} ${want ? '=' : '≠'} ${JSON.stringify(b)}`, () => assert.equal(sameWords(a, b), want));

  it('drops only stop words', () => assert.deepEqual(contentWords('The proportion of patients with HbA1c < 7% at week 12'), ['12', '7', 'hba1c', 'lt', 'patient', 'percent', 'proportion', 'week']));
  it('measures similarity for hints', () => {
    assert.equal(similarity('Pain score (VAS)', 'Pain score (NRS)'), 2 / 3);
    assert.equal(similarity('a', 'b'), 0);
  });
});

describe('time frames', () => {
  const cases: [string, string, boolean][] = [
    ['12 weeks', 'Week 12', true],
    ['12 weeks', 'at 12 wk', true],
    ['12 weeks', '84 days', true], // exact units convert
    ['twelve weeks', '12 weeks', true],
    ['Baseline and 12 weeks', '12 weeks after randomisation', true], // the start of follow-up is implied
    ['Day 0 and day 28', '4 weeks', true],
    ['1 year', '12 months', true],
    ['12 weeks', '3 months', false], // a month is not 4 weeks
    ['12 weeks', '24 weeks', false],
    ['12 and 24 weeks', '24 weeks', false],
    ['12 and 24 weeks', 'weeks 12 and 24', true],
    ['6, 12 and 24 months', '6 months, 1 year and 2 years', true],
    ['up to 52 weeks', '52 weeks', false],
    ['12 weeks in 3 cohorts', '12 weeks', false], // a stray number does not borrow the unit
    ['end of treatment', 'end of study', false],
    ['6 months', '6 years', false],
  ];
  for (const [a, b, want] of cases) it(`${JSON.stringify(a)} ${want ? '=' : '≠'} ${JSON.stringify(b)}`, () => assert.equal(sameTimeFrame(a, b), want));

  it('canonicalises durations', () => {
    assert.deepEqual(timeFrameTokens('Baseline, 6 months and 1 year'), ['12mo', '6mo']);
    assert.deepEqual(timeFrameTokens('24h'), ['1440min']);
  });
});
