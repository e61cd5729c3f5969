import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InMemoryClaimFacts } from './in-memory-facts.ts';
import { claim } from './testing.ts';
import type { EmCounts, EmProfile } from './types.ts';
import { upcodingRule } from './upcoding.ts';

const rule = upcodingRule();
const period = { from: '2023-01-01', to: '2023-12-31' };

/** Established-patient counts with `top` 99215s out of `n` (the rest 99213/99214). */
const est = (top: number, n: number): EmCounts => ({ '99213': Math.ceil((n - top) / 2), '99214': Math.floor((n - top) / 2), '99215': top });
/** 40 peers with top-level shares spread around 18%. */
const peers = Array.from({ length: 40 }, (_, i) => est(10 + (i % 9), 80));
const facts = (provider: EmCounts, peerList: readonly EmCounts[] = peers) =>
  new InMemoryClaimFacts({
    emProfiles: [{ provider: 'Practitioner/dr1', profile: { provider, peers: peerList, period, peerGroup: 'family medicine, MA' } satisfies EmProfile }],
  });

describe('em-upcoding', () => {
  test('an outlier billing 99215 on 62 of 80 visits is flagged with the numbers', async () => {
    const flags = await rule.evaluate(claim({ lines: ['99215', '36415'] }), facts(est(62, 80)));
    assert.equal(flags.length, 1);
    const f = flags[0]!;
    assert.equal(f.severity, 'medium');
    assert.deepEqual(f.evidence.lines, [1]);
    const d = f.evidence.details!;
    assert.equal(d.topLevel, 62);
    assert.equal(d.visits, 80);
    assert.equal(d.peers, 40);
    assert.ok((d.z as number) > 10);
    assert.ok((d.binomialP as number) < 1e-20);
    assert.match(
      f.explanation,
      /^Practitioner\/dr1 billed 99215 for 62 of 80 established-patient office\/outpatient E\/M visits \(77\.5%\) from 2023-01-01 to 2023-12-31, against 17\.2% pooled over 40 peers \(family medicine, MA\) \(peer mean 17\.2%, sd 3\.3%: z = 18\.4; one-sided binomial p = 4\.9e-32\); line 1 bills 99215\.$/,
    );
  });

  test('a provider within the peer spread is not flagged', async () => {
    assert.deepEqual(await rule.evaluate(claim({ lines: ['99215'] }), facts(est(17, 80))), []);
  });

  test('significant but small effect (z < 3) is not flagged', async () => {
    // 22% of 4000 visits vs 17.2%: binomial p is tiny, z ≈ 1.5.
    assert.deepEqual(await rule.evaluate(claim({ lines: ['99215'] }), facts(est(880, 4000))), []);
  });

  test('too few visits to judge is not flagged', async () => {
    assert.deepEqual(await rule.evaluate(claim({ lines: ['99215'] }), facts(est(20, 20))), []);
  });

  test('claims without the top level are not flagged even for an outlier', async () => {
    assert.deepEqual(await rule.evaluate(claim({ lines: ['99214'] }), facts(est(62, 80))), []);
  });

  test('with few peers the rule falls back to the ratio to the pooled share', async () => {
    const flags = await rule.evaluate(claim({ lines: ['99215'] }), facts(est(62, 80), peers.slice(0, 3)));
    assert.equal(flags.length, 1);
    assert.equal(flags[0]!.evidence.details?.z, null);
    assert.match(flags[0]!.explanation, /against 13\.8% pooled over 3 peers .*too few or uniform peers for a z-score; 5\.6× the pooled share/);
  });

  test('new-patient visits are a separate family', async () => {
    const newPatient: EmCounts = { '99203': 10, '99204': 10, '99205': 60 };
    const newPeers = Array.from({ length: 20 }, (_, i): EmCounts => ({ '99203': 40, '99204': 30, '99205': 8 + (i % 5) }));
    const f = new InMemoryClaimFacts({ emProfiles: [{ provider: 'Practitioner/dr1', profile: { provider: newPatient, peers: newPeers, period } }] });
    const flags = await rule.evaluate(claim({ lines: ['99205'] }), f);
    assert.equal(flags.length, 1);
    assert.equal(flags[0]!.evidence.codes?.[0], '99205');
  });

  test('no profile, no flag', async () => {
    assert.deepEqual(await rule.evaluate(claim({ lines: ['99215'] }), new InMemoryClaimFacts()), []);
  });
});
