/**
 * Runs the classifier over every resource of the Synthea bundles copied to test/fixtures/synthea
 * (three patients chosen because they carry sensitive codes; see the README there). The per-class
 * counts are a regression snapshot: update them, with the reason, when the value sets change.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Bundle, Resource } from '../types.ts';
import { SENSITIVE_CLASSES, type SensitiveClass } from './classes.ts';
import { sensitivityOf } from './classify.ts';
import { withSecurityLabels } from './labels.ts';

const dir = new URL('../../../test/fixtures/synthea/', import.meta.url);
const bundles = new Map<string, Resource[]>(
  readdirSync(dir)
    .filter((f) => /^(Dominga_Von|Ernie_Rosenbaum|Gilberto_Orosco)_.*\.json$/.test(f)) // chosen for their sensitive codes
    .sort()
    .map((f) => [f.split('_').slice(0, 2).join(' '), ((JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Bundle).entry ?? []).map((e) => e.resource!)]),
);
const all = [...bundles.values()].flat();

const codesOf = (r: Resource): string[] => {
  const out: string[] = [];
  JSON.stringify(r, (_k, v: unknown) => {
    if (v && typeof v === 'object' && 'system' in v && 'code' in v) out.push(String((v as { code: unknown }).code));
    return v;
  });
  return out;
};
/** The resources of a bundle that carry `code` somewhere. */
const withCode = (bundle: string, code: string, type?: string) =>
  bundles.get(bundle)!.filter((r) => (!type || r.resourceType === type) && codesOf(r).includes(code));

describe('Synthea fixtures', () => {
  it('are the three expected bundles', () => {
    assert.deepEqual([...bundles.keys()], ['Dominga Von', 'Ernie Rosenbaum', 'Gilberto Orosco']);
    assert.equal(all.length, 716);
  });

  // [bundle, code, resource type, expected classes]
  const expectations: [string, string, string, SensitiveClass[]][] = [
    ['Gilberto Orosco', '5602001', 'Condition', ['substance-use']], // opioid abuse
    ['Gilberto Orosco', '5602001', 'Claim', ['substance-use']],
    ['Gilberto Orosco', '47505003', 'Encounter', ['mental-health']], // PTSD as reasonCode
    ['Gilberto Orosco', '328670', 'MedicationRequest', ['mental-health']], // sertraline
    ['Gilberto Orosco', '230265002', 'Condition', ['genetics']], // familial early-onset Alzheimer
    ['Gilberto Orosco', '230265002', 'Observation', ['genetics']], // as cause of death
    ['Gilberto Orosco', '856980', 'MedicationRequest', []], // hydrocodone for pain: not classified
    ['Ernie Rosenbaum', '563026', 'MedicationRequest', []], // diazepam for seizures: not classified
    ['Dominga Von', '31676001', 'Procedure', ['hiv']], // HIV antigen test
    ['Dominga Von', '269828009', 'Procedure', ['hiv']], // syphilis test (STD)
    ['Dominga Von', '65200003', 'Procedure', ['reproductive']], // IUD insertion
    ['Dominga Von', '748856', 'MedicationRequest', ['reproductive']], // Yaz
    ['Dominga Von', '443529005', 'Procedure', ['genetics']], // prenatal aneuploidy screening
    ['Dominga Von', '171207006', 'Procedure', ['mental-health']], // depression screening
    ['Dominga Von', '72892002', 'Condition', []], // normal pregnancy: not classified
    ['Ernie Rosenbaum', '55277-8', 'Observation', ['hiv']], // HIV status
    ['Ernie Rosenbaum', '76690-7', 'Observation', ['reproductive']], // sexual orientation
    ['Ernie Rosenbaum', '28245-9', 'Observation', ['reproductive']], // abuse status (SDV)
  ];
  for (const [bundle, code, type, expected] of expectations) {
    it(`${bundle}: every ${type} with ${code} → ${expected.length ? expected.join(', ') : 'not sensitive'}`, () => {
      const found = withCode(bundle, code, type);
      assert.ok(found.length > 0, `no ${type} with code ${code} in ${bundle}`);
      for (const r of found) assert.deepEqual([...sensitivityOf(r)], expected, `${type}/${r.id}`);
    });
  }

  it('the prenatal Claim that bills HIV and STI tests with ordinary pregnancy items is hiv (and only hiv)', () => {
    const claims = withCode('Dominga Von', '31676001', 'Claim');
    assert.equal(claims.length, 1);
    assert.ok(codesOf(claims[0]!).includes('72892002'), 'the claim also bills "Normal pregnancy"');
    assert.deepEqual([...sensitivityOf(claims[0]!)], ['hiv']);
  });

  it('never classifies Patient, Organization, Practitioner, Immunization or Goal resources', () => {
    for (const r of all.filter((r) => ['Patient', 'Organization', 'Practitioner', 'Immunization', 'Goal'].includes(r.resourceType)))
      assert.deepEqual([...sensitivityOf(r)], [], `${r.resourceType}/${r.id}`);
  });

  // Regression snapshot: resources per class in each bundle.
  const snapshot: Record<string, Partial<Record<SensitiveClass, number>> & { sensitive: number }> = {
    'Dominga Von': { sensitive: 22, hiv: 6, 'mental-health': 3, reproductive: 10, genetics: 3 },
    'Ernie Rosenbaum': { sensitive: 6, hiv: 2, reproductive: 4 },
    'Gilberto Orosco': { sensitive: 19, 'substance-use': 4, 'mental-health': 8, genetics: 7 },
  };
  for (const [bundle, expected] of Object.entries(snapshot)) {
    it(`${bundle}: resources per class match the snapshot`, () => {
      const counts: Record<string, number> = { sensitive: 0 };
      for (const r of bundles.get(bundle)!) {
        const classes = sensitivityOf(r);
        if (classes.length) counts.sensitive!++;
        for (const c of classes) counts[c] = (counts[c] ?? 0) + 1;
      }
      const want: Record<string, number> = { sensitive: expected.sensitive };
      for (const c of SENSITIVE_CLASSES) if (expected[c]) want[c] = expected[c]!;
      assert.deepEqual(counts, want);
    });
  }

  it('labelling every resource is idempotent and keeps its classes', () => {
    for (const r of all) {
      const labelled = withSecurityLabels(r);
      assert.equal(withSecurityLabels(labelled), labelled, `${r.resourceType}/${r.id}`);
      assert.deepEqual([...sensitivityOf(labelled)], [...sensitivityOf(r)], `${r.resourceType}/${r.id}`);
      if (sensitivityOf(r).length === 0) assert.equal(labelled, r);
      else assert.ok(labelled.meta?.security?.some((s) => s.code === 'R'), `${r.resourceType}/${r.id} has no R`);
    }
  });
});
