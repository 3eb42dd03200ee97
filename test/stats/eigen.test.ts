import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { absorptionRatio, largestEigenShare, mlMatrixEigenvalues, symmetricEigenvalues } from '../../src/stats/eigen.js';
import { jacobiEigenvalues } from '../helpers/eigen.js';
import { expectAllClose, gaussian, rng } from './helpers.js';

function equicorrelated(N: number, rho: number): Float64Array {
  const m = new Float64Array(N * N).fill(rho);
  for (let i = 0; i < N; i++) m[i * N + i] = 1;
  return m;
}

describe('symmetric eigenvalues', () => {
  it('match hand results, descending, for both methods', () => {
    for (const f of [jacobiEigenvalues, mlMatrixEigenvalues, symmetricEigenvalues]) {
      // [[2,1],[1,2]]: (2−λ)² = 1 → λ = 3, 1
      expectAllClose(f(Float64Array.of(2, 1, 1, 2), 2), [3, 1], 1e-14);
      // tridiagonal(1, 4, 1) of order 3: λ = 4 + 2cos(kπ/4) = 4 + √2, 4, 4 − √2
      expectAllClose(f(Float64Array.of(4, 1, 0, 1, 4, 1, 0, 1, 4), 3), [4 + Math.SQRT2, 4, 4 - Math.SQRT2], 1e-14);
      // equicorrelation ρ: 1 + (N−1)ρ once, 1 − ρ (N−1 times)
      expectAllClose(f(equicorrelated(5, 0.3), 5), [2.2, 0.7, 0.7, 0.7, 0.7], 1e-14);
    }
  });

  it('Jacobi agrees with ml-matrix on random symmetric matrices (second method)', () => {
    const g = gaussian(rng(21));
    for (const N of [7, 20, 60]) {
      const m = new Float64Array(N * N);
      for (let i = 0; i < N; i++) for (let j = i; j < N; j++) m[i * N + j] = m[j * N + i] = g();
      const a = jacobiEigenvalues(m, N);
      const b = mlMatrixEigenvalues(m, N);
      const scale = Math.max(Math.abs(b[0]), Math.abs(b[N - 1]));
      expectAllClose(a, b, 1e-12 * scale);
      let trace = 0;
      for (let i = 0; i < N; i++) trace += m[i * N + i];
      expect(a.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 10);
    }
  });

  it('does not modify its input', () => {
    const m = Float64Array.of(2, 1, 1, 2);
    jacobiEigenvalues(m, 2);
    mlMatrixEigenvalues(m, 2);
    expect(Array.from(m)).toEqual([2, 1, 1, 2]);
  });
});

describe('absorption ratio and λ1/N', () => {
  it('match hand computations', () => {
    // diagonal cov (4,1,1,1,1): trace 8, k = round(5/5) = 1 → 4/8; k = 2 → 5/8
    const cov = new Float64Array(25);
    [4, 1, 1, 1, 1].forEach((v, i) => (cov[i * 5 + i] = v));
    expect(absorptionRatio(cov, 5)).toBeCloseTo(0.5, 15);
    expect(absorptionRatio(cov, 5, 2)).toBeCloseTo(0.625, 15);
    // 10 equicorrelated series at ρ = 0.5: k = 2, λ = 5.5, 0.5, ... → (5.5 + 0.5)/10; λ1/N = 0.55
    expect(absorptionRatio(equicorrelated(10, 0.5), 10)).toBeCloseTo(0.6, 14);
    expect(largestEigenShare(equicorrelated(10, 0.5), 10)).toBeCloseTo(0.55, 14);
  });

  it('refuses an all-flat covariance and a bad k', () => {
    expect(() => absorptionRatio(new Float64Array(4), 2)).toThrow(DataError);
    expect(() => absorptionRatio(equicorrelated(3, 0.1), 3, 4)).toThrow(RangeError);
  });
});
