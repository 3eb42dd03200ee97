import { sampleCorrelation, sampleCovariance } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { averageRanks, correlationMatrix, pearson, spearman, spearmanMatrix } from '../../src/stats/correlation.js';
import { MIN_RETURNS } from '../../src/stats/guards.js';
import { expectAllClose, gaussian, rng } from './helpers.js';

const short = { minReturns: 2 };

function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  return expect.fail('expected a DataError');
}

describe('pearson', () => {
  it('matches the hand computation', () => {
    // x̄ = ȳ = 3; dx = [-2,-1,0,1,2], dy = [-1,-2,1,0,2]; Σdxdy = 2+2+0+0+4 = 8; Σdx² = Σdy² = 10; r = 8/10
    expect(pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], short)).toBeCloseTo(0.8, 15);
    // the same pattern repeated 4 times (20 returns, the default minimum) has the same r
    const x = Array.from({ length: 20 }, (_, t) => [1, 2, 3, 4, 5][t % 5]);
    const y = Array.from({ length: 20 }, (_, t) => [2, 1, 4, 3, 5][t % 5]);
    expect(pearson(x, y)).toBeCloseTo(0.8, 15);
  });

  it('agrees with simple-statistics sampleCorrelation on random data (second method)', () => {
    const g = gaussian(rng(1));
    for (let rep = 0; rep < 20; rep++) {
      const x = Array.from({ length: 50 + rep }, g);
      const y = x.map((v) => 0.3 * v + g());
      expect(pearson(x, y)).toBeCloseTo(sampleCorrelation(x, y), 13);
    }
  });

  it('is exactly ±1 for linear relations, never beyond', () => {
    const x = Array.from({ length: 30 }, (_, t) => 0.1 * t + 1e4);
    expect(pearson(x, x.map((v) => 3 * v - 7))).toBe(1);
    expect(pearson(x, x.map((v) => -0.5 * v))).toBe(-1);
  });

  it('throws the documented DataErrors', () => {
    const x = Array.from({ length: 25 }, (_, t) => Math.sin(t));
    expect(dataError(() => pearson(x, x.slice(1))).code).toBe('length_mismatch');
    expect(dataError(() => pearson(x.slice(0, MIN_RETURNS - 1), x.slice(0, MIN_RETURNS - 1))).code).toBe('too_few_returns');
    const flat = x.map(() => 0.1); // 0.1 is not exactly representable: the mean is not exactly 0.1 either
    const e = dataError(() => pearson(x, flat));
    expect([e.code, e.series]).toEqual(['zero_variance', 1]);
    const nan = x.slice();
    nan[3] = NaN;
    const f = dataError(() => pearson(nan, x));
    expect([f.code, f.series]).toEqual(['non_finite_price', 0]);
  });
});

describe('spearman', () => {
  it('matches the hand computation with ties', () => {
    // x = [10,20,20,40,50] → ranks [1,2.5,2.5,4,5]; y = [5,3,8,8,9] → ranks [2,1,3.5,3.5,5]; both mean 3
    // dx = [-2,-.5,-.5,1,2], dy = [-1,-2,.5,.5,2]: Σdxdy = 2+1-.25+.5+4 = 7.25, Σdx² = Σdy² = 9.5
    expect(spearman([10, 20, 20, 40, 50], [5, 3, 8, 8, 9], short)).toBeCloseTo(7.25 / 9.5, 15);
    expect(Array.from(averageRanks([10, 20, 20, 40, 50]))).toEqual([1, 2.5, 2.5, 4, 5]);
  });

  it('ranks agree with O(n²) counting (second method) and spearman is invariant to monotone maps', () => {
    const u = rng(2);
    const x = Array.from({ length: 200 }, () => Math.round(u() * 30)); // many ties
    const r = averageRanks(x);
    for (let k = 0; k < x.length; k++) {
      let less = 0;
      let equal = 0;
      for (const v of x) {
        if (v < x[k]) less++;
        else if (v === x[k]) equal++;
      }
      expect(r[k]).toBe(less + (equal + 1) / 2);
    }
    const y = x.map((v) => v + u() * 40);
    expect(spearman(x.map((v) => Math.exp(v / 3)), y.map((v) => v ** 3))).toBeCloseTo(spearman(x, y), 14);
  });
});

describe('correlationMatrix', () => {
  it('matches the hand computation', () => {
    // x = [1,2,3,4]: dx = [-1.5,-.5,.5,1.5], Σdx² = 5
    // y = [2,4,6,9]: ȳ = 5.25, dy = [-3.25,-1.25,.75,3.75], Σdy² = 26.75, Σdxdy = 4.875+.625+.375+5.625 = 11.5
    // z = [4,3,2,1] = 5 − x: ρ_xz = −1, ρ_yz = −ρ_xy
    const { corr, cov, n } = correlationMatrix([[1, 2, 3, 4], [2, 4, 6, 9], [4, 3, 2, 1]], 0, 4, short);
    const rxy = 11.5 / Math.sqrt(5 * 26.75);
    expect(n).toBe(4);
    expectAllClose(corr, [1, rxy, -1, rxy, 1, -rxy, -1, -rxy, 1], 1e-15);
    expectAllClose(cov, [5 / 3, 11.5 / 3, -5 / 3, 11.5 / 3, 26.75 / 3, -11.5 / 3, -5 / 3, -11.5 / 3, 5 / 3], 1e-14);
  });

  it('agrees with simple-statistics pair by pair on a sub-range (second method)', () => {
    const g = gaussian(rng(3));
    const N = 6;
    const len = 300;
    const f = Array.from({ length: len }, g);
    const series = Array.from({ length: N }, (_, i) => Float64Array.from(f, (v) => (i + 1) * 1e-3 * (v + g())));
    const { corr, cov, n } = correlationMatrix(series, 40, 240);
    expect(n).toBe(200);
    for (let i = 0; i < N; i++) {
      expect(corr[i * N + i]).toBe(1);
      for (let j = 0; j < N; j++) {
        const x = Array.from(series[i].subarray(40, 240));
        const y = Array.from(series[j].subarray(40, 240));
        if (i !== j) expect(corr[i * N + j]).toBeCloseTo(sampleCorrelation(x, y), 13);
        expect(cov[i * N + j] / 1e-6).toBeCloseTo(sampleCovariance(x, y) / 1e-6, 12);
        expect(corr[i * N + j]).toBe(corr[j * N + i]);
      }
    }
  });

  it('names the zero-variance series, and checks lengths, range and finiteness', () => {
    const a = Float64Array.from({ length: 30 }, (_, t) => Math.cos(t));
    const flat = new Float64Array(30).fill(1e-3);
    const e = dataError(() => correlationMatrix([a, a, flat]));
    expect([e.code, e.series]).toEqual(['zero_variance', 2]);
    // flat only outside the range used is fine
    const partly = Float64Array.from(a);
    partly.fill(0, 0, 10);
    expect(correlationMatrix([a, partly], 10, 30).corr[1]).toBe(1);
    expect(dataError(() => correlationMatrix([a, a.subarray(1)])).code).toBe('length_mismatch');
    expect(dataError(() => correlationMatrix([a, a], 0, 19)).code).toBe('too_few_returns');
    const bad = Float64Array.from(a);
    bad[5] = Infinity;
    const f = dataError(() => correlationMatrix([a, bad]));
    expect([f.code, f.series]).toEqual(['non_finite_price', 1]);
    expect(() => correlationMatrix([a, a], 5, 40)).toThrow(RangeError);
  });

  it('spearmanMatrix equals pairwise spearman', () => {
    const u = rng(4);
    const series = Array.from({ length: 4 }, () => Float64Array.from({ length: 60 }, () => Math.floor(u() * 10)));
    const { corr } = spearmanMatrix(series);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j) expect(corr[i * 4 + j]).toBeCloseTo(spearman(series[i], series[j]), 14);
    const e = dataError(() => spearmanMatrix([series[0], new Float64Array(60).fill(2)]));
    expect([e.code, e.series]).toEqual(['zero_variance', 1]);
  });
});
