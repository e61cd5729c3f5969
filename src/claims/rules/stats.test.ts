import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { binomialUpperTail, incompleteBeta, logGamma, mean, sampleSd } from './stats.ts';

/** P(X ≥ k) by direct summation in log space (the reference for small n). */
function exactTail(k: number, n: number, p: number): number {
  let s = 0;
  for (let i = k; i <= n; i++) s += Math.exp(logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return s;
}

describe('stats', () => {
  test('logGamma matches factorials', () => {
    for (const [x, f] of [
      [1, 1],
      [5, 24],
      [11, 3628800],
    ] as const)
      assert.ok(Math.abs(logGamma(x) - Math.log(f)) < 1e-12);
    assert.ok(Math.abs(logGamma(0.5) - Math.log(Math.sqrt(Math.PI))) < 1e-12);
  });

  test('binomial tail: textbook values', () => {
    assert.ok(Math.abs(binomialUpperTail(8, 10, 0.5) - 56 / 1024) < 1e-12);
    assert.ok(Math.abs(binomialUpperTail(1, 10, 0.5) - 1023 / 1024) < 1e-12);
    assert.equal(binomialUpperTail(0, 10, 0.3), 1);
    assert.equal(binomialUpperTail(11, 10, 0.3), 0);
  });

  test('binomial tail agrees with direct summation across the range', () => {
    for (const [n, p] of [
      [30, 0.1],
      [80, 0.18],
      [200, 0.5],
      [500, 0.02],
    ] as const) {
      for (let k = 0; k <= n; k += Math.max(1, Math.floor(n / 17))) {
        const a = binomialUpperTail(k, n, p);
        const b = exactTail(k, n, p);
        assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, b) || Math.abs(a - b) / b < 1e-8, `n=${n} p=${p} k=${k}: ${a} vs ${b}`);
      }
    }
  });

  test('tiny tails keep relative precision', () => {
    const a = binomialUpperTail(62, 80, 0.18);
    const b = exactTail(62, 80, 0.18);
    assert.ok(b < 1e-20);
    assert.ok(Math.abs(a - b) / b < 1e-8, `${a} vs ${b}`);
  });

  test('incomplete beta: symmetry and bounds', () => {
    assert.equal(incompleteBeta(0, 2, 3), 0);
    assert.equal(incompleteBeta(1, 2, 3), 1);
    assert.ok(Math.abs(incompleteBeta(0.3, 2, 5) + incompleteBeta(0.7, 5, 2) - 1) < 1e-13);
  });

  test('mean and sample sd', () => {
    assert.equal(mean([2, 4, 4, 4, 5, 5, 7, 9]), 5);
    assert.ok(Math.abs(sampleSd([2, 4, 4, 4, 5, 5, 7, 9]) - Math.sqrt(32 / 7)) < 1e-12);
    assert.ok(Number.isNaN(sampleSd([1])));
  });
});
