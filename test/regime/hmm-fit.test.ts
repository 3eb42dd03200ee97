import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { ABSOLUTE_VARIANCE_FLOOR, fitGaussianHmm, hamiltonFilter, type HmmParams } from '../../src/regime/hmm.js';
import { density, simulate } from './hmm-sim.js';

// ---------- independent helpers (no code shared with the module under test) ----------




/** Parameters from means, sds and the stay probabilities; leaving a state goes to the others equally. */
function sticky(means: number[], sds: number[], stay: number[]): HmmParams {
  const k = means.length;
  const transition = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) transition[i * k + j] = i === j ? stay[i] : (1 - stay[i]) / (k - 1);
  return {
    k,
    means: Float64Array.from(means),
    variances: Float64Array.from(sds.map((s) => s * s)),
    transition,
    initial: new Float64Array(k).fill(1 / k),
  };
}


/** Share of t at which argmax_j P(s_t = j | y_1..t) is the true state. */
function hitRate(filtered: Float64Array, s: Int32Array, k: number): number {
  let hits = 0;
  for (let t = 0; t < s.length; t++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (filtered[t * k + j] > filtered[t * k + best]) best = j;
    if (best === s[t]) hits++;
  }
  return hits / s.length;
}

function expectNonDecreasing(trace: Float64Array): void {
  for (let i = 1; i < trace.length; i++) {
    // Exact EM never decreases the objective; allow only floating-point rounding of a sum of T logs.
    expect(trace[i]).toBeGreaterThanOrEqual(trace[i - 1] - 1e-10 * Math.max(1, Math.abs(trace[i - 1])));
  }
}

/**
 * Posterior γ_t(i) and Σ_t ξ_t(i, j) by brute-force enumeration of all 2^T state paths (depth-first, k = 2).
 * The Baum-Welch M-step computed from them is the reference for one EM iteration.
 */
function bruteForcePosteriors(y: Float64Array, p: HmmParams): { gamma: number[][]; xi: number[][] } {
  const T = y.length;
  const k = p.k;
  const gamma = Array.from({ length: T }, () => new Array<number>(k).fill(0));
  const xi = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const path = new Int32Array(T);
  let total = 0;
  const visit = (t: number, w: number): void => {
    if (t === T) {
      total += w;
      for (let u = 0; u < T; u++) gamma[u][path[u]] += w;
      for (let u = 0; u + 1 < T; u++) xi[path[u]][path[u + 1]] += w;
      return;
    }
    for (let j = 0; j < k; j++) {
      path[t] = j;
      const step = t === 0 ? p.initial[j] : p.transition[path[t - 1] * k + j];
      visit(t + 1, w * step * density(y[t], p.means[j], p.variances[j]));
    }
  };
  visit(0, 1);
  for (const g of gamma) for (let j = 0; j < k; j++) g[j] /= total;
  for (const r of xi) for (let j = 0; j < k; j++) r[j] /= total;
  return { gamma, xi };
}

// ---------- tests ----------

describe('fitGaussianHmm: one EM iteration vs brute-force posteriors', () => {
  it('k = 2, T = 20: the M-step equals the Baum-Welch update from enumerated γ and ξ (to 1e-10)', () => {
    const truth = sticky([-0.2, 0.9], [0.3, 0.25], [0.8, 0.7]);
    const { y } = simulate(truth, 20, 5);
    const init = sticky([-0.1, 0.7], [0.4, 0.4], [0.6, 0.6]);
    init.initial = Float64Array.from([0.3, 0.7]);
    const { gamma, xi } = bruteForcePosteriors(y, init);
    const T = y.length;
    const fit = fitGaussianHmm(y, 2, { init, maxIter: 1, minVariance: 1e-12 });
    expect(fit.iterations).toBe(1);
    expect(fit.logLikelihoodTrace.length).toBe(2);
    for (let j = 0; j < 2; j++) {
      let w = 0;
      let wy = 0;
      for (let t = 0; t < T; t++) {
        w += gamma[t][j];
        wy += gamma[t][j] * y[t];
      }
      const mu = wy / w;
      let ss = 0;
      for (let t = 0; t < T; t++) ss += gamma[t][j] * (y[t] - mu) ** 2;
      expect(Math.abs(fit.params.means[j] - mu)).toBeLessThan(1e-10);
      expect(Math.abs(fit.params.variances[j] - ss / w)).toBeLessThan(1e-10);
      expect(Math.abs(fit.params.initial[j] - gamma[0][j])).toBeLessThan(1e-10);
      const rowSum = xi[j][0] + xi[j][1];
      for (let i = 0; i < 2; i++) expect(Math.abs(fit.params.transition[j * 2 + i] - xi[j][i] / rowSum)).toBeLessThan(1e-10);
    }
    // The log-space forward pass inside EM agrees with Hamilton's scaled filter (two implementations).
    expect(fit.logLikelihoodTrace[0]).toBeCloseTo(hamiltonFilter(y, init).logLikelihood, 10);
    expect(fit.logLikelihood).toBeCloseTo(hamiltonFilter(y, fit.params).logLikelihood, 10);
    expect(fit.logLikelihood).toBeGreaterThan(fit.logLikelihoodTrace[0]);
  });
});

describe('fitGaussianHmm: EM never decreases its objective', () => {
  // Overlapping states make EM take many small steps: a demanding test of monotonicity.
  const truth = sticky([0, 0.35], [0.2, 0.15], [0.9, 0.85]);
  const { y } = simulate(truth, 600, 21);

  it('log-likelihood trace, 2 states', () => {
    const fit = fitGaussianHmm(y, 2, { tol: 1e-12, maxIter: 500 });
    expect(fit.iterations).toBeGreaterThan(5);
    expect(fit.logLikelihoodTrace.length).toBe(fit.iterations + 1);
    expectNonDecreasing(fit.logLikelihoodTrace);
    expect(fit.logLikelihoodTrace[fit.iterations]).toBe(fit.logLikelihood);
  });

  it('3 states on 2-state data (weakly identified), and a variance floor that binds', () => {
    const fit = fitGaussianHmm(y, 3, { maxIter: 300 });
    expectNonDecreasing(fit.logLikelihoodTrace);
    const floored = fitGaussianHmm(y, 3, { maxIter: 300, minVariance: 0.03 });
    expectNonDecreasing(floored.logLikelihoodTrace);
    expect(Math.min(...floored.params.variances)).toBeGreaterThanOrEqual(0.03);
    expect(floored.params.variances.some((v) => v === 0.03)).toBe(true);
  });

  it('with a sticky prior the penalised objective ln L + κ Σ ln p_ii never decreases', () => {
    const fit = fitGaussianHmm(y, 2, { stickiness: 50, maxIter: 300 });
    expectNonDecreasing(fit.objectiveTrace);
    const plain = fitGaussianHmm(y, 2, { maxIter: 300 });
    // The prior pulls the diagonal up relative to maximum likelihood.
    expect(fit.params.transition[0] + fit.params.transition[3]).toBeGreaterThan(plain.params.transition[0] + plain.params.transition[3]);
    // And its objective trace is the log-likelihood plus the log-prior of the diagonal.
    const last = fit.iterations;
    expect(fit.objectiveTrace[last]).toBeCloseTo(
      fit.logLikelihood + 50 * (Math.log(fit.params.transition[0]) + Math.log(fit.params.transition[3])),
      8,
    );
  });
});

describe('fitGaussianHmm: recovers known parameters from simulated data', () => {
  for (const seed of [101, 202, 303]) {
    it(`2 states (means −0.2/0.9, sds 0.15/0.1, p_stay 0.97/0.95, T = 3000), seed ${seed}`, () => {
      const truth = sticky([-0.2, 0.9], [0.15, 0.1], [0.97, 0.95]);
      const { y, s } = simulate(truth, 3000, seed);
      const fit = fitGaussianHmm(y, 2);
      expect(fit.converged).toBe(true);
      expectNonDecreasing(fit.logLikelihoodTrace);
      for (let j = 0; j < 2; j++) {
        expect(Math.abs(fit.params.means[j] - truth.means[j])).toBeLessThan(0.05);
        const sdRatio = Math.sqrt(fit.params.variances[j] / truth.variances[j]);
        expect(Math.abs(sdRatio - 1)).toBeLessThan(0.25);
        expect(Math.abs(fit.params.transition[j * 2 + j] - truth.transition[j * 2 + j])).toBeLessThan(0.03);
      }
      const f = hamiltonFilter(y, fit.params);
      expect(hitRate(f.filtered, s, 2)).toBeGreaterThan(0.9);
      // The fit beats the true parameters on its own sample (it is the maximum), but only by a little.
      const llTrue = hamiltonFilter(y, truth).logLikelihood;
      expect(fit.logLikelihood).toBeGreaterThanOrEqual(llTrue);
      expect(fit.logLikelihood - llTrue).toBeLessThan(20);
    });
  }

  for (const seed of [404, 505]) {
    it(`3 states (means −0.3/0.3/0.9, sds 0.12/0.1/0.1, p_stay 0.96/0.95/0.94, T = 3000), seed ${seed}`, () => {
      const truth = sticky([-0.3, 0.3, 0.9], [0.12, 0.1, 0.1], [0.96, 0.95, 0.94]);
      const { y, s } = simulate(truth, 3000, seed);
      const fit = fitGaussianHmm(y, 3);
      expect(fit.converged).toBe(true);
      expectNonDecreasing(fit.logLikelihoodTrace);
      for (let j = 0; j < 3; j++) {
        expect(Math.abs(fit.params.means[j] - truth.means[j])).toBeLessThan(0.05);
        const sdRatio = Math.sqrt(fit.params.variances[j] / truth.variances[j]);
        expect(Math.abs(sdRatio - 1)).toBeLessThan(0.25);
        expect(Math.abs(fit.params.transition[j * 3 + j] - truth.transition[j * 3 + j])).toBeLessThan(0.03);
      }
      expect(hitRate(hamiltonFilter(y, fit.params).filtered, s, 3)).toBeGreaterThan(0.9);
    });
  }

  it('states come out sorted by mean and the fit is deterministic', () => {
    const truth = sticky([0.9, -0.2], [0.1, 0.15], [0.95, 0.97]); // stress state listed first in the truth
    const { y } = simulate(truth, 800, 9);
    const a = fitGaussianHmm(y, 2);
    const b = fitGaussianHmm(y, 2);
    expect(a.params.means[0]).toBeLessThan(a.params.means[1]);
    expect(a.params.means[1]).toBeCloseTo(0.9, 1);
    expect(a).toEqual(b);
  });

  it('a warm start from a previous fit converges at once to the same optimum', () => {
    const truth = sticky([-0.2, 0.9], [0.15, 0.1], [0.97, 0.95]);
    const { y } = simulate(truth, 1500, 77);
    const cold = fitGaussianHmm(y, 2, { tol: 1e-12, maxIter: 1000 });
    const warm = fitGaussianHmm(y, 2, { init: cold.params, maxIter: 1000 });
    expect(warm.iterations).toBeLessThanOrEqual(2);
    expect(warm.logLikelihood).toBeCloseTo(cold.logLikelihood, 6);
  });
});

describe('fitGaussianHmm: degenerate inputs', () => {
  it('constant series: variances sit on the floor, means on the value, no NaN', () => {
    const y = new Float64Array(60).fill(0.42);
    const fit = fitGaussianHmm(y, 2);
    for (let j = 0; j < 2; j++) {
      expect(fit.params.means[j]).toBeCloseTo(0.42, 14);
      expect(fit.params.variances[j]).toBe(ABSOLUTE_VARIANCE_FLOOR);
    }
    expect(fit.minVariance).toBe(ABSOLUTE_VARIANCE_FLOOR);
    // Every point sits on the mean: ln L = −T/2 · ln(2π σ²_floor).
    expect(fit.logLikelihood).toBeCloseTo(-30 * Math.log(2 * Math.PI * ABSOLUTE_VARIANCE_FLOOR), 8);
    const f = hamiltonFilter(y, fit.params);
    expect(f.filtered.every((v) => Number.isFinite(v))).toBe(true);
    expect(fitGaussianHmm(new Float64Array(60).fill(-1), 3).params.variances.every((v) => v === ABSOLUTE_VARIANCE_FLOOR)).toBe(true);
  });

  it('near-constant series with one outlier: finite, floored, outlier state found', () => {
    const y = new Float64Array(50).fill(0.1);
    y[25] = 0.9;
    const fit = fitGaussianHmm(y, 2);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(fit.params.variances.every((v) => v >= fit.minVariance && Number.isFinite(v))).toBe(true);
    expect(fit.params.means[1]).toBeCloseTo(0.9, 6);
    expectNonDecreasing(fit.logLikelihoodTrace);
  });

  it('too short, non-finite, or bad options: errors', () => {
    const y = Float64Array.from({ length: 30 }, (_, i) => Math.sin(i));
    expect(() => fitGaussianHmm(y.subarray(0, 19), 2)).toThrow(DataError);
    expect(() => fitGaussianHmm(y.subarray(0, 19), 2)).toThrow(/needs at least 20/);
    expect(() => fitGaussianHmm(y.subarray(0, 29), 3)).toThrow(expect.objectContaining({ code: 'too_few_returns' }));
    expect(fitGaussianHmm(y.subarray(0, 20), 2).params.k).toBe(2);
    const bad = Float64Array.from(y);
    bad[7] = Number.NaN;
    expect(() => fitGaussianHmm(bad, 2)).toThrow(expect.objectContaining({ code: 'non_finite_price' }));
    expect(() => fitGaussianHmm(y, 4 as 2)).toThrow(RangeError);
    expect(() => fitGaussianHmm(y, 2, { minVariance: 0 })).toThrow(RangeError);
    expect(() => fitGaussianHmm(y, 2, { init: sticky([0, 1, 2], [1, 1, 1], [0.9, 0.9, 0.9]) })).toThrow(RangeError);
  });
});
