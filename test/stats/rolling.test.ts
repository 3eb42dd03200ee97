import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { correlationMatrix } from '../../src/stats/correlation.js';
import { RollingCorrelation, type RollingOptions } from '../../src/stats/rolling.js';
import { expectAllClose, gaussian, rng } from './helpers.js';

type Kind = 'stationary' | 'varying' | 'offset' | 'flat' | 'randomwalk';

/** steps rows of N returns from a one-factor model r_it = s_t·k_i·(β_i f_t + e_it), shaped per scenario. */
function scenario(kind: Kind, N: number, steps: number, seed: number): Float64Array[] {
  const u = rng(seed);
  const g = gaussian(u);
  const beta = Array.from({ length: N }, () => u() * 1.5 - 0.25);
  // per-series scale: up to 6 orders of magnitude apart in 'varying'
  const k = Array.from({ length: N }, () => (kind === 'varying' ? 10 ** (u() * 6 - 3) : 1));
  const rows: Float64Array[] = [];
  let sigma = 0.01;
  let left = 0;
  const level = new Float64Array(N);
  for (let t = 0; t < steps; t++) {
    if (kind === 'varying' && left-- <= 0) {
      sigma = 10 ** (-6 + 6 * u()); // abrupt volatility regimes from 1e-6 to 1
      left = 20 + Math.floor(u() * 300);
    }
    const f = g();
    const row = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      let r = sigma * k[i] * (beta[i] * f + g());
      if (kind === 'offset') r += 1e4; // returns that sit at a level of 1e4: cancellation in naive one-pass sums
      if (kind === 'randomwalk') r = level[i] += r * 100; // a drifting level, far from the first row
      row[i] = r;
    }
    if (kind === 'flat') {
      if (t % 700 < 250) row[2] = 0; // a stablecoin-like series: 250 zero returns (> W) every 700
      if (t % 500 < 30) row[0] = 0.25; // a constant stretch shorter than W
      if (t % 900 > 820) row[N - 1] = -1e-3;
    }
    rows.push(row);
  }
  return rows;
}

function columns(rows: Float64Array[], N: number): Float64Array[] {
  return Array.from({ length: N }, (_, i) => Float64Array.from(rows, (r) => r[i]));
}

function caught(fn: () => unknown): DataError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
}

/**
 * Push every row and compare with the naive two-pass correlationMatrix over the same window at every step:
 * correlations to 1e-10, covariances to 1e-10·sqrt(c_ii c_jj), and identical zero_variance errors.
 */
function checkAgainstNaive(rows: Float64Array[], N: number, W: number, opts: RollingOptions, minReturns = 20): RollingCorrelation {
  const cols = columns(rows, N);
  const rc = new RollingCorrelation(N, W, { ...opts, minReturns });
  const corr = new Float64Array(N * N);
  const cov = new Float64Array(N * N);
  let compared = 0;
  for (let t = 0; t < rows.length; t++) {
    rc.push(rows[t]);
    const n = Math.min(t + 1, W);
    expect(rc.count).toBe(n);
    expect(rc.isFull).toBe(n === W);
    if (n < minReturns) {
      expect(caught(() => rc.correlation())?.code).toBe('too_few_returns');
      continue;
    }
    let naive: ReturnType<typeof correlationMatrix> | undefined;
    const naiveError = caught(() => (naive = correlationMatrix(cols, t + 1 - n, t + 1, { minReturns })));
    const rollingError = caught(() => rc.correlation(corr));
    rc.covariance(cov);
    if (naiveError || !naive) {
      expect(rollingError?.code).toBe(naiveError?.code);
      expect(rollingError?.series).toBe(naiveError?.series);
      const s = naiveError!.series!;
      for (let j = 0; j < N; j++) expect(cov[s * N + j]).toBe(0); // a flat series has an exactly zero covariance row
      continue;
    }
    expect(rollingError).toBeUndefined();
    expectAllClose(corr, naive.corr, 1e-10);
    for (let i = 0; i < N; i++) {
      expect(corr[i * N + i]).toBe(1);
      for (let j = 0; j < N; j++) {
        const scale = Math.sqrt(naive.cov[i * N + i] * naive.cov[j * N + j]);
        if (!(Math.abs(cov[i * N + j] - naive.cov[i * N + j]) <= 1e-10 * scale)) {
          expect.fail(`step ${t} cov[${i},${j}] ${cov[i * N + j]} vs ${naive.cov[i * N + j]}`);
        }
      }
    }
    compared++;
  }
  expect(compared).toBeGreaterThan(0);
  return rc;
}

describe('RollingCorrelation against the naive two-pass correlationMatrix at every step', () => {
  it.each<Kind>(['stationary', 'varying', 'offset', 'flat', 'randomwalk'])('%s data, default options', (kind) => {
    checkAgainstNaive(scenario(kind, 5, 3000, 11), 5, 60, {});
  });

  it('N = 20, W = 168 over 2000 steps of varying-scale data', () => {
    checkAgainstNaive(scenario('varying', 20, 2000, 12), 20, 168, {});
  });

  it('pure incremental updates (no recompute at all) stay within 1e-10 over 5000 steps', () => {
    for (const kind of ['stationary', 'offset'] as const) {
      const rc = checkAgainstNaive(scenario(kind, 6, 5000, 13), 6, 50, { recomputeEvery: Infinity, driftLimit: Infinity });
      expect(rc.exactRecomputes).toBe(0);
    }
  });

  it('volatility collapses trigger the drift recompute even with periodic recompute off', () => {
    const rc = checkAgainstNaive(scenario('varying', 5, 3000, 14), 5, 60, { recomputeEvery: Infinity });
    expect(rc.exactRecomputes).toBeGreaterThan(0);
  });

  it('the comparison has teeth: without any recompute, varying-scale data drifts far beyond 1e-10', () => {
    const rows = scenario('varying', 5, 3000, 11);
    const cols = columns(rows, 5);
    const rc = new RollingCorrelation(5, 60, { recomputeEvery: Infinity, driftLimit: Infinity });
    let worst = 0;
    for (let t = 0; t < rows.length; t++) {
      rc.push(rows[t]);
      if (t < 59) continue;
      const naive = correlationMatrix(cols, t - 59, t + 1).corr;
      const c = rc.correlation();
      for (let q = 0; q < 25; q++) worst = Math.max(worst, Math.abs(c[q] - naive[q]));
    }
    expect(worst).toBeGreaterThan(1e-8);
  });

  it('honours recomputeEvery and a lowered minReturns', () => {
    const rc = checkAgainstNaive(scenario('stationary', 3, 500, 15), 3, 25, { recomputeEvery: 7, driftLimit: Infinity }, 3);
    expect(rc.exactRecomputes).toBe(Math.floor(500 / 7));
  });
});

describe('RollingCorrelation contract', () => {
  it('matches a hand computation on a tiny window', () => {
    // window of 3 after pushing 4 rows: x = [2,3,5], y = [1,1,4]; x̄ = 10/3, ȳ = 2
    // dx = [-4/3,-1/3,5/3], dy = [-1,-1,2]: Σdxdy = 4/3+1/3+10/3 = 5, Σdx² = (16+1+25)/9 = 14/3, Σdy² = 6
    const rc = new RollingCorrelation(2, 3, { minReturns: 3 });
    for (const row of [[9, -9], [2, 1], [3, 1], [5, 4]]) rc.push(row);
    expect(rc.correlation()[1]).toBeCloseTo(5 / Math.sqrt((14 / 3) * 6), 14);
    expectAllClose(rc.covariance(), [7 / 3, 2.5, 2.5, 3], 1e-14);
  });

  it('rejects bad rows without changing its state', () => {
    const rows = scenario('stationary', 3, 40, 16);
    const a = new RollingCorrelation(3, 30);
    const b = new RollingCorrelation(3, 30);
    for (const r of rows) {
      a.push(r);
      b.push(r);
    }
    const bad = caught(() => a.push([0.1, NaN, 0.2]));
    expect([bad?.code, bad?.series]).toEqual(['non_finite_price', 1]);
    expect(caught(() => a.push([0.1, 0.2]))?.code).toBe('length_mismatch');
    expect(Array.from(a.correlation())).toEqual(Array.from(b.correlation()));
    expect(a.count).toBe(30);
    expect(caught(() => a.correlation(new Float64Array(4)))?.code).toBe('length_mismatch');
  });

  it('validates its options', () => {
    expect(() => new RollingCorrelation(0, 10)).toThrow(RangeError);
    expect(() => new RollingCorrelation(3, 1)).toThrow(RangeError);
    expect(() => new RollingCorrelation(3, 10, { recomputeEvery: 0 })).toThrow(RangeError);
    expect(() => new RollingCorrelation(3, 10, { driftLimit: 0.5 })).toThrow(RangeError);
  });
});
