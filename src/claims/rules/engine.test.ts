import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isDomainError } from '../../shared/errors.ts';
import { loadSyntheticTables } from '../tables/claim-tables.ts';
import { fhirDate } from './dates.ts';
import { ALL_RULES, combinedScore, runRules, selectRules } from './engine.ts';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { claimsInBundle } from './normalize.ts';
import { claim, DEFAULT_PATIENT, DEFAULT_PROVIDER, encounterProof } from './testing.ts';
import type { Flag, Rule } from './types.ts';

const tables = loadSyntheticTables();
const flag = (rule: string, score: number): Flag => ({ rule, score, severity: 'medium', explanation: '', evidence: {} });

describe('runRules', () => {
  const goodFacts = () =>
    new InMemoryClaimFacts({
      tables,
      encounters: [{ provider: DEFAULT_PROVIDER, patient: DEFAULT_PATIENT, date: '2024-03-05', proof: encounterProof() }],
      licences: [{ provider: DEFAULT_PROVIDER, status: { status: 'active', since: '2010-01-01', sourceBlock: 3 } }],
      demographics: [{ patient: DEFAULT_PATIENT, demographics: { gender: 'female', birthDate: '1970-01-01' } }],
    });

  test('a clean claim runs every rule and raises nothing', async () => {
    const run = await runRules(claim({ npi: '1234567893', lines: ['99213', '36415'] }), goodFacts());
    assert.deepEqual(run.flags, []);
    assert.equal(run.score, 0);
    assert.equal(run.severity, null);
    assert.equal(run.complete, true);
    assert.equal(run.rulesRun.length, 12);
    assert.equal(new Set(run.rulesRun).size, 12);
  });

  test('a bad claim collects flags from several rules, with a combined score and the top severity', async () => {
    const facts = goodFacts();
    facts.addClaim(claim({ id: 'C-1', lines: ['93000'] }));
    const facts2 = new InMemoryClaimFacts({
      tables,
      claims: [claim({ id: 'C-1', lines: ['93000'] })],
      licences: [{ provider: DEFAULT_PROVIDER, status: { status: 'revoked', since: '2024-01-01', sourceBlock: 9 } }],
    });
    const run = await runRules(claim({ id: 'C-2', lines: ['93000', '93005', { code: '90837', qty: 3 }] }), facts2);
    const rules = [...new Set(run.flags.map((f) => f.rule))];
    assert.deepEqual(rules, ['provider-licence', 'no-encounter-proof', 'duplicate-claim', 'ncci-ptp', 'mue-units']);
    assert.equal(run.severity, 'critical');
    assert.equal(run.score, combinedScore(run.flags));
    assert.ok(run.score > 0.99);
  });

  test('enabled runs only the named rules; an unknown id is refused', async () => {
    const run = await runRules(claim({ lines: ['93000', '93005'] }), goodFacts(), ALL_RULES, { enabled: ['ncci-ptp'] });
    assert.deepEqual(run.rulesRun, ['ncci-ptp']);
    assert.deepEqual(
      run.flags.map((f) => f.rule),
      ['ncci-ptp'],
    );
    assert.throws(
      () => selectRules(ALL_RULES, ['ncci-ptp', 'no-such-rule']),
      (e: unknown) => isDomainError(e, 'invalid') && /unknown claim rule "no-such-rule"; known rules: provider-excluded, /.test(e.message),
    );
  });

  test('a failing rule is reported and does not hide the others', async () => {
    const throwsSync: Rule = {
      id: 'sync-boom',
      title: '',
      description: '',
      evaluate: () => {
        throw new Error('lookup failed');
      },
    };
    const rejects: Rule = { id: 'async-boom', title: '', description: '', evaluate: async () => Promise.reject(new Error('chain unavailable')) };
    const ok: Rule = { id: 'ok', title: '', description: '', evaluate: () => [flag('ok', 0.4)] };
    const run = await runRules(claim({ lines: ['99213'] }), goodFacts(), [throwsSync, rejects, ok]);
    assert.equal(run.complete, false);
    assert.deepEqual(run.errors, [
      { rule: 'sync-boom', message: 'lookup failed' },
      { rule: 'async-boom', message: 'chain unavailable' },
    ]);
    assert.equal(run.flags.length, 1);
    assert.equal(run.score, 0.4);
  });
});

describe('combinedScore', () => {
  const cases: [string, Flag[], number][] = [
    ['no flags', [], 0],
    ['one flag', [flag('a', 0.6)], 0.6],
    ['two rules combine as independent signals', [flag('a', 0.5), flag('b', 0.5)], 0.75],
    ['one rule counts once, at its strongest', [flag('a', 0.5), flag('a', 0.9), flag('a', 0.2)], 0.9],
    ['a certain flag makes the claim certain', [flag('a', 1), flag('b', 0.1)], 1],
  ];
  for (const [name, flags, expected] of cases) test(name, () => assert.equal(combinedScore(flags), expected));
});

describe('Synthea bundles end to end', () => {
  const dir = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'synthea');
  const bundles = readdirSync(dir)
    .filter((f) => /^(Alfreda_Wyman|Denny_Bins|Eddy_Fadel)_.*\.json$/.test(f)) // the three bundles these expectations were written for
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { entry: { fullUrl: string; resource: Record<string, unknown> }[] });

  /** Facts as a node would derive them from the records: every finished Encounter anchored, deaths from Patient. */
  function factsFrom(skipEncounter?: string) {
    const encounters = [];
    const deaths = [];
    const demographics = [];
    for (const b of bundles) {
      for (const { fullUrl, resource: r } of b.entry) {
        if (r.resourceType === 'Encounter' && fullUrl !== skipEncounter) {
          const period = r.period as { start: string };
          encounters.push({
            provider: (r.serviceProvider as { reference: string }).reference,
            patient: (r.subject as { reference: string }).reference,
            date: fhirDate(period.start)!,
            proof: encounterProof(encounters.length),
          });
        }
        if (r.resourceType === 'Patient') {
          demographics.push({ patient: fullUrl, demographics: { gender: r.gender as 'male' | 'female', birthDate: r.birthDate as string } });
          if (typeof r.deceasedDateTime === 'string')
            deaths.push({ patient: fullUrl, death: { date: fhirDate(r.deceasedDateTime)!, source: `${fullUrl} deceasedDateTime` } });
        }
      }
    }
    const claims = bundles.flatMap((b) => claimsInBundle(b));
    return { claims, facts: new InMemoryClaimFacts({ tables, claims, encounters, deaths, demographics }) };
  }

  test('every Synthea claim runs through all rules, complete and without flags', async () => {
    const { claims, facts } = factsFrom();
    assert.equal(claims.length, 37);
    for (const c of claims) {
      const run = await runRules(c, facts);
      assert.equal(run.complete, true, c.id);
      assert.deepEqual(
        run.flags.map((f) => f.explanation),
        [],
        c.id,
      );
    }
  });

  test('removing the anchored Encounter behind one claim flags exactly that claim as phantom billing', async () => {
    const bundle = bundles[0]!;
    const encounterUrl = bundle.entry.find(
      (e) => e.resource.resourceType === 'Claim' && (e.resource.type as { coding: { code: string }[] }).coding[0]!.code === 'institutional',
    )!;
    const target = (encounterUrl.resource.item as { encounter?: { reference: string }[] }[])[0]!.encounter![0]!.reference;
    const { claims, facts } = factsFrom(target);
    const flagged: string[] = [];
    for (const c of claims) for (const f of (await runRules(c, facts)).flags) flagged.push(`${c.id}:${f.rule}`);
    assert.deepEqual(flagged, [`${encounterUrl.resource.id as string}:no-encounter-proof`]);
  });
});
