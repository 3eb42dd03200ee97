import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { EwmaCorrelation } from '../../src/stats/ewma.js';
import { expectAllClose, gaussian, rng } from './helpers.js';

describe('EwmaCorrelation', () => {
  it('matches the hand computation (λ = 0.5, two rows)', () => {
    // S1 = 0.5·[[1,2],[2,4]]; S2 = 0.5·S1 + 0.5·[[9,−3],[−3,1]] = [[4.75, −1], [−1, 1.5]]
    const e = new EwmaCorrelation(2, 0.5, { minReturns: 2 });
    e.push([1, 2]);
    e.push([3, -1]);
    expectAllClose(e.correlation(), [1, -1 / Math.sqrt(4.75 * 1.5), -1 / Math.sqrt(4.75 * 1.5), 1], 1e-15);
  });

  it('equals a naive recompute of the weighted sums at every step (second method)', () => {
    const g = gaussian(rng(31));
    const N = 5;
    const lambda = 0.97;
    const steps = 2000;
    const rows = Array.from({ length: steps }, (_, t) => {
      const f = g();
      const scale = t % 600 < 300 ? 0.02 : 0.002; // volatility regimes
      return Float64Array.from({ length: N }, (_, i) => scale * ((i + 1) * 0.3 * f + g()));
    });
    const e = new EwmaCorrelation(N, lambda);
    const corr = new Float64Array(N * N);
    for (let t = 0; t < steps; t++) {
      e.push(rows[t]);
      if (t + 1 < 20) continue;
      if (t % 7 !== 0 && t < steps - 1) continue; // naive is O(t): check every 7th step and the last
      // S_t = (1 − λ) Σ_k λ^{t−k} r_k r_kᵀ
      const s = new Float64Array(N * N);
      for (let k = 0; k <= t; k++) {
        const w = (1 - lambda) * Math.pow(lambda, t - k);
        for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) s[i * N + j] += w * rows[k][i] * rows[k][j];
      }
      e.correlation(corr);
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          const ref = s[i * N + j] / Math.sqrt(s[i * N + i] * s[j * N + j]);
          expect(Math.abs(corr[i * N + j] - ref)).toBeLessThanOrEqual(1e-10);
        }
      }
    }
  });

  it('throws zero_variance for a series that never moved, too_few_returns early, and validates rows', () => {
    const e = new EwmaCorrelation(3, 0.94);
    for (let t = 0; t < 19; t++) e.push([Math.sin(t), 0, Math.cos(t)]);
    expect(() => e.correlation()).toThrow(DataError);
    e.push([0.1, 0, 0.2]);
    try {
      e.correlation();
      expect.fail('should throw');
    } catch (err) {
      expect([(err as DataError).code, (err as DataError).series]).toEqual(['zero_variance', 1]);
    }
    expect(() => e.push([1, Infinity, 2])).toThrow(DataError);
    expect(() => e.push([1, 2])).toThrow(DataError);
    expect(e.count).toBe(20);
  });
});
