import { EigenvalueDecomposition, Matrix, determinant, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/domain/random.js';
import { ConvergenceCusum } from '../../src/regime/convergence-cusum.js';
import { choleskyInverse } from '../../src/stats/cholesky.js';

/** log of the angular central Gaussian density of direction u under shape C, up to the constant (Tyler 1987). */
function logAcg(u: number[], C: number[][]): number {
  const M = new Matrix(C);
  const q = new Matrix([u]).mmul(inverse(M)).mmul(Matrix.columnVector(u)).get(0, 0);
  return -0.5 * Math.log(determinant(M)) - (u.length / 2) * Math.log(q);
}

function equicorrelation(n: number, r: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : r)));
}

function randomCorrelation(n: number, seed: number): number[][] {
  const u = mulberry32(seed);
  const F = Array.from({ length: n }, () => Array.from({ length: n + 3 }, () => u() - 0.5));
  const S = new Matrix(F).mmul(new Matrix(F).transpose());
  const d = Array.from({ length: n }, (_, i) => Math.sqrt(S.get(i, i)));
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => S.get(i, j) / (d[i] * d[j])));
}

function cusumFor(C0: number[][], shifts: number[], cap = 1e9, barCap = Infinity): ConvergenceCusum {
  const n = C0.length;
  const inv = new Float64Array(n * n);
  expect(choleskyInverse(Float64Array.from(C0.flat()), n, inv)).toBe(true);
  const c = new ConvergenceCusum(n, shifts, cap, barCap);
  c.setBaselineInverse(inv);
  return c;
}

describe('ConvergenceCusum', () => {
  it('the per-bar log-likelihood ratio is log ACG(C1) − log ACG(C0) with C1 = (1−κ)C0 + κ11ᵀ (2 assets, by hand)', () => {
    // N = 2, ρ0 = 0.5, κ = 0.5 → ρ1 = 0.75. det C0 = 0.75, det C1 = 0.4375; u = (1, 0.2):
    // uᵀC0⁻¹u = (1 − 2·0.5·0.2 + 0.04)/0.75 = 1.12, uᵀC1⁻¹u = (1 − 2·0.75·0.2 + 0.04)/0.4375 = 1.691429
    // ℓ = −½ ln(0.4375/0.75) − (2/2)·ln(1.691429/1.12) = 0.269499 − 0.412245 = −0.142747
    const c = cusumFor(equicorrelation(2, 0.5), [0.5]);
    c.step([1, 0.2]);
    const byHand = -0.5 * Math.log(0.4375 / 0.75) - Math.log(0.74 / 0.4375 / (0.84 / 0.75));
    expect(c.lastIncrement[0]).toBeCloseTo(byHand, 12);
    expect(c.lastIncrement[0]).toBeCloseTo(-0.142747, 5);
    expect(c.max()).toBe(0); // a negative first increment leaves S at 0
  });

  it('matches the ACG densities computed with ml-matrix on random baselines and bars (N = 3..12)', () => {
    const u = mulberry32(4);
    for (const n of [3, 5, 8, 12]) {
      const C0 = randomCorrelation(n, n);
      for (const kappa of [0.2, 0.5, 0.8]) {
        const C1 = C0.map((row, i) => row.map((v, j) => (i === j ? 1 : (1 - kappa) * v + kappa)));
        const c = cusumFor(C0, [kappa]);
        for (let k = 0; k < 5; k++) {
          const x = Array.from({ length: n }, () => u() - 0.5);
          c.step(x);
          expect(c.lastIncrement[0]).toBeCloseTo(logAcg(x, C1) - logAcg(x, C0), 9);
        }
      }
    }
  });

  it('with missing returns: the ACG log-likelihood ratio of the other assets under the restricted baselines (ml-matrix), whatever the missing ones hold', () => {
    const u = mulberry32(21);
    for (const n of [3, 6, 10]) {
      const C0 = randomCorrelation(n, 40 + n);
      for (const lost of [[0], [n - 1], [1, n - 2], n > 3 ? [0, 2, n - 1] : [2]]) {
        const kept = Array.from({ length: n }, (_, i) => i).filter((i) => !lost.includes(i));
        const sub = (M: number[][]) => kept.map((i) => kept.map((j) => M[i][j]));
        const missing = Uint8Array.from({ length: n }, (_, i) => (lost.includes(i) ? 1 : 0));
        for (const kappa of [0.3, 0.75]) {
          const C1 = C0.map((row, i) => row.map((v, j) => (i === j ? 1 : (1 - kappa) * v + kappa)));
          const c = cusumFor(C0, [kappa]);
          // A second method: a CUSUM of the kept assets alone, built from the inverse of the restricted baseline.
          const alone = cusumFor(sub(C0), [kappa]);
          for (let k = 0; k < 5; k++) {
            const x = Array.from({ length: n }, () => u() - 0.5);
            // What a missing asset holds does not matter.
            for (const i of lost) x[i] = k % 2 ? 1e6 : 0;
            c.step(x, missing);
            const xs = kept.map((i) => x[i]);
            alone.step(xs);
            expect(c.lastIncrement[0]).toBeCloseTo(logAcg(xs, sub(C1)) - logAcg(xs, sub(C0)), 9);
            expect(c.lastIncrement[0]).toBeCloseTo(alone.lastIncrement[0], 9);
            expect(c.max()).toBeCloseTo(alone.max(), 9);
          }
        }
      }
    }
  });

  it('with a baseline inverse over k of N eigen-directions: the ACG log-likelihood ratio of the bar projected on them (ml-matrix)', () => {
    const u = mulberry32(31);
    for (const n of [4, 7]) {
      // A random baseline, its eigen-decomposition by ml-matrix (a second method).
      const base = randomCorrelation(n, 70 + n);
      const M = new Matrix(base);
      const e = new EigenvalueDecomposition(M);
      const values = e.realEigenvalues;
      const V = e.eigenvectorMatrix;
      // Keep the k largest directions.
      const order = values.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
      for (const k of [n, n - 1, 2]) {
        const keep = order.slice(0, k).map(([, i]) => i);
        const pinv = new Float64Array(n * n);
        for (const c of keep) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) pinv[i * n + j] += (V.get(i, c) * V.get(j, c)) / values[c];
        for (const kappa of [0.35, 0.75]) {
          const cusum = new ConvergenceCusum(n, [kappa], 1e9);
          cusum.setBaselineInverse(pinv, k);
          // The projected model: y = Vₖᵀu with shape Dₖ before, (1−κ)Dₖ + κ·bbᵀ after (b = Vₖᵀ1).
          const D = keep.map((c, a) => keep.map((_, b) => (a === b ? values[c] : 0)));
          const bvec = keep.map((c) => Array.from({ length: n }, (_, i) => V.get(i, c)).reduce((x, y) => x + y, 0));
          const D1 = D.map((row, a) => row.map((v, b) => (1 - kappa) * v + kappa * bvec[a] * bvec[b]));
          for (let t = 0; t < 4; t++) {
            const x = Array.from({ length: n }, () => u() - 0.5);
            const y = keep.map((c) => x.reduce((acc, xi, i) => acc + xi * V.get(i, c), 0));
            cusum.step(x);
            expect(cusum.lastIncrement[0]).toBeCloseTo(logAcg(y, D1) - logAcg(y, D), 8);
          }
        }
      }
    }
  });

  it('refuses a rank outside [2, N]; with fewer directions than assets, a bar with missing returns adds nothing', () => {
    const inv = new Float64Array(9);
    const c = new ConvergenceCusum(3, [0.5], 10);
    expect(() => c.setBaselineInverse(inv, 1)).toThrow(RangeError);
    expect(() => c.setBaselineInverse(inv, 4)).toThrow(RangeError);
    const d = cusumFor(equicorrelation(3, 0.2), [0.5]);
    const full = new Float64Array(9);
    expect(choleskyInverse(Float64Array.from(equicorrelation(3, 0.2).flat()), 3, full)).toBe(true);
    d.setBaselineInverse(full, 2);
    for (let t = 0; t < 3; t++) d.step([1, 1, 1]);
    const before = d.max();
    expect(d.step([1, 1, 1], Uint8Array.from([0, 0, 1]))).toBe(before);
    expect(Array.from(d.lastIncrement)).toEqual([0]);
  });

  it('with fewer than two assets left, a bar adds nothing', () => {
    const c = cusumFor(equicorrelation(3, 0.2), [0.5]);
    for (let t = 0; t < 5; t++) c.step([1, 1, 1]);
    const before = c.max();
    expect(before).toBeGreaterThan(0);
    expect(c.step([1, 5, 5], Uint8Array.from([0, 1, 1]))).toBe(before);
    expect(Array.from(c.lastIncrement)).toEqual([0]);
    // Nothing missing in the mask: the usual step.
    const d = cusumFor(equicorrelation(3, 0.2), [0.5]);
    for (let t = 0; t < 5; t++) d.step([1, 1, 1], new Uint8Array(3));
    expect(d.max()).toBe(before);
  });

  it('Page recursion: S_t = min(cap, max(0, S_{t−1} + ℓ_t)), per design shift', () => {
    const C0 = equicorrelation(4, 0.3);
    const c = cusumFor(C0, [0.3, 0.7], 6);
    const u = mulberry32(9);
    const S = [0, 0];
    for (let t = 0; t < 200; t++) {
      const f = u() - 0.5;
      const x = Array.from({ length: 4 }, () => f + 0.02 * (u() - 0.5)); // strongly co-moving bars: S climbs to the cap
      c.step(x);
      for (let m = 0; m < 2; m++) S[m] = Math.min(6, Math.max(0, S[m] + c.lastIncrement[m]));
      expect(Array.from(c.statistics())).toEqual(S);
    }
    expect(c.max()).toBe(6);
    expect(c.argmax()).toBe(c.statistics()[1] > c.statistics()[0] ? 1 : 0); // ties go to the smaller shift
  });

  it('uses only the direction of a bar: a volatility shock common to all assets changes nothing', () => {
    const a = cusumFor(randomCorrelation(6, 2), [0.35, 0.75]);
    const b = cusumFor(randomCorrelation(6, 2), [0.35, 0.75]);
    const u = mulberry32(3);
    for (let t = 0; t < 50; t++) {
      const x = Array.from({ length: 6 }, () => u() - 0.5);
      a.step(x);
      b.step(x.map((v) => v * (t % 2 ? 40 : 0.01)));
      expect(b.lastIncrement[0]).toBeCloseTo(a.lastIncrement[0], 10);
      expect(b.max()).toBeCloseTo(a.max(), 9);
    }
  });

  it('keeps every increment within its bounds −½ln(1+γs) ≤ ℓ ≤ ((N−1)/2)ln(1+γs), and within the per-bar cap', () => {
    const n = 5;
    const kappa = 0.6;
    const g = kappa / (1 - kappa);
    const C0 = equicorrelation(n, 0.2);
    const s = n / (1 + (n - 1) * 0.2); // 1ᵀC0⁻¹1 for an equicorrelation matrix
    const c = cusumFor(C0, [kappa]);
    const capped = cusumFor(C0, [kappa], 1e9, 1.5);
    const lo = -0.5 * Math.log1p(g * s);
    const hi = ((n - 1) / 2) * Math.log1p(g * s);
    c.step([1, 1, 1, 1, 1]); // along the market mode: the largest possible increment
    expect(c.lastIncrement[0]).toBeCloseTo(hi, 10);
    c.step([1, -1, 0, 0, 0]); // orthogonal to it: the smallest
    expect(c.lastIncrement[0]).toBeCloseTo(lo, 10);
    capped.step([1, 1, 1, 1, 1]);
    expect(capped.lastIncrement[0]).toBe(1.5);
  });

  it('ignores a bar with no movement and reports 0 before a baseline exists', () => {
    const fresh = new ConvergenceCusum(3, [0.5], 10);
    expect(fresh.step([1, 2, 3])).toBe(0);
    expect(fresh.hasBaseline).toBe(false);
    const c = cusumFor(equicorrelation(3, 0.1), [0.5]);
    c.step([1, 1, 1]);
    const before = c.max();
    expect(c.step([0, 0, 0])).toBe(before);
    c.reset();
    expect(c.max()).toBe(0);
  });

  it('refuses invalid arguments', () => {
    expect(() => new ConvergenceCusum(1, [0.5], 1)).toThrow(RangeError);
    expect(() => new ConvergenceCusum(3, [1], 1)).toThrow(RangeError);
    expect(() => new ConvergenceCusum(3, [], 1)).toThrow(RangeError);
    expect(() => new ConvergenceCusum(3, [0.5], 0)).toThrow(RangeError);
  });
});
