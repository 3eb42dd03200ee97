import { readFileSync } from 'node:fs';
import { Matrix, determinant, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { DataError, UserError } from '../../src/domain/errors.js';
import {
  COMPOSITE_ABOVE,
  dccCompositeLogLik,
  dccLogLik,
  fitCorrelationForecaster,
  fitDcc,
  forecasterFromModel,
  MIN_DCC_BARS,
  RISKMETRICS_LAMBDA,
  type CorrelationForecaster,
  type CorrelationModel,
} from '../../src/forecast/dcc.js';
import type { GarchParams } from '../../src/forecast/garch.js';
import { choleskyInverse } from '../../src/stats/cholesky.js';
import { expectAllClose, expectRelClose, gaussian, rng } from '../stats/helpers.js';
import { assetGarch, factorCorrelation, simulateDcc } from './simulate.js';

/** Fixture made by scripts/make-forecast-fixtures.py (numpy slogdet/solve, scipy optimizer). */
const FIXTURE = JSON.parse(readFileSync(new URL('../fixtures/forecast_expected.json', import.meta.url), 'utf8')) as {
  dcc: { eps: number[][]; at: { a: number; b: number; logLik: number }[]; fit: { a: number; b: number; logLik: number } };
};

function thrown(f: () => unknown): UserError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  return expect.fail('expected an error');
}

function normalize(m: Float64Array, N: number): Float64Array {
  const out = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) out[i * N + j] = m[i * N + j] / Math.sqrt(m[i * N + i] * m[j * N + j]);
  return out;
}

/**
 * A second, plain implementation of the DCC filter: GARCH variances from h_0 = mean r² of the history, ε = r/√h,
 * Q̄ = mean εεᵀ over the history, Q_0 = Q̄ and the recursion through history and then `more` bars.
 * Returns Q̄ and the last Q (Q_{t+1}: the one-step forecast's).
 */
function naiveDcc(history: Float64Array[], more: Float64Array[], a: number, b: number, garch: GarchParams[]): { qbar: Float64Array; q: Float64Array } {
  const N = history.length;
  const T = history[0].length;
  const bars: number[][] = [];
  for (let t = 0; t < T; t++) bars.push(history.map((x) => x[t]));
  for (const r of more) bars.push(Array.from(r));
  const h = history.map((x) => x.reduce((s, v) => s + v * v, 0) / T);
  const eps: number[][] = [];
  for (const r of bars) {
    eps.push(r.map((v, i) => v / Math.sqrt(h[i])));
    for (let i = 0; i < N; i++) h[i] = garch[i].omega + garch[i].alpha * r[i] ** 2 + garch[i].beta * h[i];
  }
  const qbar = new Float64Array(N * N);
  for (let t = 0; t < T; t++) for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) qbar[i * N + j] += (eps[t][i] * eps[t][j]) / T;
  let q = Float64Array.from(qbar);
  for (const e of eps) q = q.map((v, x) => (1 - a - b) * qbar[x] + a * e[Math.floor(x / N)] * e[x % N] + b * v);
  return { qbar, q };
}

/** Unit diagonal, symmetric, |ρ| ≤ 1 and positive definite (a Cholesky factorization exists). */
function expectCorrelationMatrix(m: Float64Array, N: number): void {
  for (let i = 0; i < N; i++) {
    expect(m[i * N + i]).toBe(1);
    for (let j = 0; j < N; j++) {
      expect(m[i * N + j]).toBe(m[j * N + i]);
      expect(Math.abs(m[i * N + j])).toBeLessThanOrEqual(1);
    }
  }
  expect(choleskyInverse(m, N, new Float64Array(N * N))).toBe(true);
}

function rows(series: Float64Array[], from: number, to: number): Float64Array[] {
  return Array.from({ length: to - from }, (_, k) => Float64Array.from(series, (x) => x[from + k]));
}

describe('dccLogLik (Engle 2002 eq. 26)', () => {
  it('matches a hand computation: 2 assets, 3 bars', () => {
    // ε_1 = (1, −1, 1), ε_2 = (1, 0, 2), a = 0.1, b = 0.8.
    // Q̄ = (1/3)Σ εεᵀ = [[1, 1], [1, 5/3]] = Q_0                       ρ_0 = 1/√(5/3)
    // Q_1 = 0.1·Q̄ + 0.1·(1,1)(1,1)ᵀ + 0.8·Q_0 = [[1, 1], [1, 1.6]]    ρ_1 = 1/√1.6
    // Q_2 = 0.1·Q̄ + 0.1·(−1,0)(−1,0)ᵀ + 0.8·Q_1 = [[1, 0.9], [0.9, 1/6 + 1.28]]   ρ_2 = 0.9/√(1/6 + 1.28)
    // per bar: ln(1 − ρ²) + (e1² − 2ρ·e1·e2 + e2²)/(1 − ρ²) − e1² − e2²
    const e1 = [1, -1, 1];
    const e2 = [1, 0, 2];
    const rho = [1 / Math.sqrt(5 / 3), 1 / Math.sqrt(1.6), 0.9 / Math.sqrt(1 / 6 + 1.28)];
    let s = 0;
    for (let t = 0; t < 3; t++) {
      const one = 1 - rho[t] ** 2;
      s += Math.log(one) + (e1[t] ** 2 - 2 * rho[t] * e1[t] * e2[t] + e2[t] ** 2) / one - e1[t] ** 2 - e2[t] ** 2;
    }
    const eps = [Float64Array.from(e1), Float64Array.from(e2)];
    expect(dccLogLik(eps, { a: 0.1, b: 0.8 })).toBeCloseTo(-0.5 * s, 12);
    // With two assets the composite likelihood has one pair: the same number.
    expect(dccCompositeLogLik(eps, { a: 0.1, b: 0.8 })).toBeCloseTo(-0.5 * s, 12);
  });

  it('matches numpy (slogdet and solve) on a 3-asset, 600-bar series (scripts/make-forecast-fixtures.py)', () => {
    const eps = FIXTURE.dcc.eps.map((x) => Float64Array.from(x));
    for (const { a, b, logLik } of FIXTURE.dcc.at) expectRelClose(dccLogLik(eps, { a, b }), logLik, 1e-11);
  });

  it('matches determinants and inverses from ml-matrix on 5 assets (a second method)', () => {
    const g = gaussian(rng(8));
    const N = 5;
    const T = 60;
    const eps = Array.from({ length: N }, () => new Float64Array(T));
    for (let t = 0; t < T; t++) {
      const f = g();
      for (let i = 0; i < N; i++) eps[i][t] = 0.7 * f + 0.7 * g();
    }
    const a = 0.07;
    const b = 0.85;
    const Qbar = new Float64Array(N * N);
    for (let t = 0; t < T; t++) for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) Qbar[i * N + j] += (eps[i][t] * eps[j][t]) / T;
    let q = Float64Array.from(Qbar);
    let s = 0;
    for (let t = 0; t < T; t++) {
      const R = normalize(q, N);
      const m = new Matrix(Array.from({ length: N }, (_, i) => Array.from(R.subarray(i * N, (i + 1) * N))));
      const e = eps.map((x) => x[t]);
      const inv = inverse(m);
      let quad = 0;
      for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) quad += e[i] * inv.get(i, j) * e[j];
      s += Math.log(determinant(m)) + quad - e.reduce((acc, v) => acc + v * v, 0);
      q = q.map((v, x) => (1 - a - b) * Qbar[x] + a * e[Math.floor(x / N)] * e[x % N] + b * v);
    }
    expectRelClose(dccLogLik(eps, { a, b }), -0.5 * s, 1e-11);
  });

  it('composite likelihood = the sum over pairs of the bivariate likelihoods (Engle, Shephard & Sheppard 2008)', () => {
    const g = gaussian(rng(21));
    const N = 4;
    const eps = Array.from({ length: N }, () => new Float64Array(80));
    for (let t = 0; t < 80; t++) {
      const f = g();
      for (let i = 0; i < N; i++) eps[i][t] = (0.3 + 0.2 * i) * f + g();
    }
    const p = { a: 0.05, b: 0.9 };
    let sum = 0;
    for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) sum += dccLogLik([eps[i], eps[j]], p);
    expectRelClose(dccCompositeLogLik(eps, p), sum, 1e-12);
  });

  it('refuses parameters outside a ≥ 0, b ≥ 0, a + b < 1', () => {
    const eps = [Float64Array.from([1, -1, 1]), Float64Array.from([1, 0, 2])];
    expect(() => dccLogLik(eps, { a: 0.5, b: 0.5 })).toThrow(RangeError);
    expect(() => dccLogLik(eps, { a: -0.01, b: 0.5 })).toThrow(RangeError);
  });
});

describe('fitDcc and fitCorrelationForecaster', () => {
  it("reaches scipy's maximum of eq. 26 on the fixture (a second optimizer)", () => {
    const eps = FIXTURE.dcc.eps.map((x) => Float64Array.from(x));
    const fit = fitDcc(eps);
    expect(fit.likelihood).toBe('full');
    expect(fit.converged).toBe(true);
    expect(fit.logLik).toBeGreaterThanOrEqual(FIXTURE.dcc.fit.logLik - 1e-6);
    expect(Math.abs(fit.params.a - FIXTURE.dcc.fit.a)).toBeLessThan(1e-5);
    expect(Math.abs(fit.params.b - FIXTURE.dcc.fit.b)).toBeLessThan(1e-5);
  });

  it('recovers a = 0.05, b = 0.90 from a simulated 3-asset DCC with GARCH volatilities (T = 3,000) within 4 sd', () => {
    // Two-step estimates over 200 seeds (scripts/forecast-recovery.ts): sd(â) = 0.0062, sd(b̂) = 0.0162, means
    // 0.0503, 0.8970; the worst of 200 seeds was 3.7 sd from the truth.
    const returns = simulateDcc({ T: 3000, a: 0.05, b: 0.9, qbar: factorCorrelation(3), garch: assetGarch(3), seed: 4242 });
    const f = fitCorrelationForecaster(returns);
    if (f.model.kind !== 'dcc') return expect.fail(`fell back to EWMA: ${f.model.reason}`);
    expect(f.model.likelihood).toBe('full');
    expect(Math.abs(f.model.a - 0.05)).toBeLessThan(4 * 0.0062);
    expect(Math.abs(f.model.b - 0.9)).toBeLessThan(4 * 0.0162);
    expect(f.model.garch).toHaveLength(3);
  });

  it(`uses the composite likelihood above ${COMPOSITE_ABOVE} assets and still recovers a, b (N = 12, T = 2,000)`, () => {
    // Over 200 seeds: sd(â) = 0.0032, sd(b̂) = 0.0075, means 0.0504, 0.8964; the worst seed was 4.3 sd off (b̂'s
    // distribution has a long lower tail), hence 4.5 sd here.
    const returns = simulateDcc({ T: 2000, a: 0.05, b: 0.9, qbar: factorCorrelation(12), garch: assetGarch(12), seed: 99 });
    const f = fitCorrelationForecaster(returns);
    if (f.model.kind !== 'dcc') return expect.fail(`fell back to EWMA: ${f.model.reason}`);
    expect(f.model.likelihood).toBe('composite');
    expect(Math.abs(f.model.a - 0.05)).toBeLessThan(4.5 * 0.0032);
    expect(Math.abs(f.model.b - 0.9)).toBeLessThan(4.5 * 0.0075);
    for (const R of f.forecast(3)) expectCorrelationMatrix(R, 12);
  });
});

describe('forecasts', () => {
  const N = 3;
  const model: CorrelationModel = { kind: 'dcc', a: 0.04, b: 0.93, garch: assetGarch(N) };
  const data = simulateDcc({ T: 240, a: 0.04, b: 0.93, qbar: factorCorrelation(N), garch: assetGarch(N), seed: 7 });
  const history = data.map((x) => x.slice(0, 200));

  function expectFormula(f: CorrelationForecaster, more: Float64Array[], horizon: number): void {
    if (model.kind !== 'dcc') throw new Error('unreachable');
    const { qbar, q } = naiveDcc(history, more, model.a, model.b, model.garch);
    const fc = f.forecast(horizon);
    expect(fc).toHaveLength(horizon);
    const phi = model.a + model.b;
    for (let k = 1; k <= horizon; k++) {
      const m = qbar.map((v, x) => v + Math.pow(phi, k - 1) * (q[x] - v));
      expectAllClose(fc[k - 1], normalize(m, N), 1e-12);
    }
  }

  it('are Q̄ + (a+b)^{k−1}·(Q_{t+1} − Q̄) normalized, with Q filtered by a plain second implementation, before and after updates', () => {
    const f = forecasterFromModel(model, history);
    expect(f.n).toBe(N);
    expect(f.model).toBe(model);
    expectFormula(f, [], 40);
    const more = rows(data, 200, 240);
    for (const r of more) f.update(r);
    expectFormula(f, more, 40);
    // Far out the forecast is Q̄'s correlation; the gap to it shrinks by about a + b per step.
    const { qbar } = naiveDcc(history, more, 0.04, 0.93, assetGarch(N));
    const far = f.forecast(2000)[1999];
    expectAllClose(far, normalize(qbar, N), 1e-12);
    const fc = f.forecast(60);
    const limit = normalize(qbar, N);
    const gap = (k: number) => fc[k - 1][1] - limit[1];
    expect(gap(60) / gap(59)).toBeCloseTo(0.97, 2);
  });

  it('track the simulated mean of R_{t+k} (Monte Carlo of the DCC process) within the approximation error of Engle & Sheppard (2001)', () => {
    // Two assets whose last bars moved together, so Q_{t+1} sits far above Q̄. From that state, 20,000 paths of the
    // true process (ε ~ N(0, R_t)) give E[ρ_{t+k}]; the forecast approximates E[εεᵀ] by E[Q], which here runs up to
    // 0.014 above the simulated mean at k = 20–30 (its known small bias; the Monte Carlo standard error is 0.002).
    // k = 1 is exact (to 1e-12: an off-by-one exponent fails there); a wrong rate (b for a + b, say) drifts more than
    // 0.05 away within 10 steps.
    const g2 = [assetGarch(2)[0], assetGarch(2)[1]];
    const m2: CorrelationModel = { kind: 'dcc', a: 0.05, b: 0.9, garch: g2 };
    const sim = simulateDcc({ T: 200, a: 0.05, b: 0.9, qbar: Float64Array.from([1, 0.3, 0.3, 1]), garch: g2, seed: 11 });
    for (let t = 170; t < 200; t++) {
      sim[0][t] = 0.03 * (t % 2 ? 1 : -1);
      sim[1][t] = 0.03 * (t % 2 ? 1 : -1);
    }
    const f = forecasterFromModel(m2, sim);
    const { qbar, q } = naiveDcc(sim, [], 0.05, 0.9, g2);
    const K = 30;
    const fc = f.forecast(K).map((R) => R[1]);
    expect(fc[0]).toBeGreaterThan(0.7);
    const u = gaussian(rng(5));
    const P = 20000;
    const mean = new Float64Array(K);
    for (let p = 0; p < P; p++) {
      let q11 = q[0];
      let q12 = q[1];
      let q22 = q[3];
      for (let k = 0; k < K; k++) {
        const r = q12 / Math.sqrt(q11 * q22);
        mean[k] += r / P;
        const z1 = u();
        const e1 = z1;
        const e2 = r * z1 + Math.sqrt(1 - r * r) * u();
        q11 = 0.05 * qbar[0] + 0.05 * e1 * e1 + 0.9 * q11;
        q12 = 0.05 * qbar[1] + 0.05 * e1 * e2 + 0.9 * q12;
        q22 = 0.05 * qbar[3] + 0.05 * e2 * e2 + 0.9 * q22;
      }
    }
    expect(fc[0]).toBeCloseTo(mean[0], 12);
    for (let k = 0; k < K; k++) expect(Math.abs(fc[k] - mean[k])).toBeLessThan(0.02);
    expect(fc[K - 1]).toBeLessThan(fc[0] - 0.2); // it does revert
  });

  it('are valid correlation matrices (unit diagonal, symmetric, |ρ| ≤ 1, positive definite), DCC and EWMA', () => {
    const returns = simulateDcc({ T: 600, a: 0.06, b: 0.9, qbar: factorCorrelation(5, 0.7, 0.95), garch: assetGarch(5), seed: 3 });
    const dcc = fitCorrelationForecaster(returns);
    expect(dcc.model.kind).toBe('dcc');
    for (const R of dcc.forecast(100)) expectCorrelationMatrix(R, 5);
    const ewma = forecasterFromModel({ kind: 'ewma', lambda: 0.94, reason: 'test' }, returns);
    for (const R of ewma.forecast(5)) expectCorrelationMatrix(R, 5);
  });

  it('EWMA fallback: flat forecasts equal to the RiskMetrics weighted sum (1−λ)Σ λ^{T−1−t} r_t r_tᵀ, normalized', () => {
    const returns = simulateDcc({ T: 60, a: 0.05, b: 0.9, qbar: factorCorrelation(3), garch: assetGarch(3), seed: 5 });
    const f = fitCorrelationForecaster(returns);
    if (f.model.kind !== 'ewma') return expect.fail('expected the EWMA fallback below 100 bars');
    expect(f.model.lambda).toBe(RISKMETRICS_LAMBDA);
    const naive = (T: number) => {
      const s = new Float64Array(9);
      for (let t = 0; t < T; t++) {
        const w = 0.06 * Math.pow(0.94, T - 1 - t);
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s[i * 3 + j] += w * returns[i][t] * returns[j][t];
      }
      return normalize(s, 3);
    };
    const before = f.forecast(4);
    for (const R of before) expectAllClose(R, naive(60), 1e-12);
    expect(before[0]).not.toBe(before[1]); // separate arrays: a caller may modify one
    const early = forecasterFromModel(f.model, returns.map((x) => x.slice(0, 40)));
    for (const r of rows(returns, 40, 60)) early.update(r);
    expectAllClose(early.forecast(1)[0], naive(60), 1e-12);
  });
});

describe('degenerate inputs', () => {
  const g = gaussian(rng(1));
  const series = (T: number) => Float64Array.from({ length: T }, () => 0.01 * g());

  it('falls back to EWMA, with the reason in words, below 100 bars', () => {
    const f = fitCorrelationForecaster([series(50), series(50)]);
    expect(f.model).toEqual({ kind: 'ewma', lambda: 0.94, reason: `only 50 bars of history; a DCC fit needs at least ${MIN_DCC_BARS}` });
    expect(f.forecast(3)).toHaveLength(3);
  });

  it('falls back to EWMA when the fitted DCC is integrated (data simulated with a + b = 1)', () => {
    // With a + b = 1 there is no Q̄ to revert to; on 5 of 5 seeds tried at T = 2,000 the fit reached a + b ≥ 0.9996.
    const returns = simulateDcc({ T: 2000, a: 0.03, b: 0.97, qbar: factorCorrelation(3), garch: assetGarch(3), seed: 1 });
    const f = fitCorrelationForecaster(returns);
    if (f.model.kind !== 'ewma') return expect.fail(`expected the EWMA fallback, got a = ${f.model.a}, b = ${f.model.b}`);
    expect(f.model.reason).toMatch(/^the fitted DCC is integrated \(a \+ b = 0\.99\d\d, at least 0\.999\): correlation shocks would take over 693 bars to fade by half/);
    for (const R of f.forecast(2)) expectCorrelationMatrix(R, 3);
  });

  it('falls back to EWMA when two series are identical (singular Q̄)', () => {
    const x = series(300);
    const f = fitCorrelationForecaster([x, series(300), Float64Array.from(x)]);
    if (f.model.kind !== 'ewma') return expect.fail('expected the EWMA fallback');
    expect(f.model.reason).toMatch(/linearly dependent/);
    expect(f.forecast(1)[0][2]).toBeCloseTo(1, 12);
  });

  it('throws DataError when even EWMA cannot run: a constant series, too few bars, unequal lengths, NaN; UserError for one series', () => {
    const c = thrown(() => fitCorrelationForecaster([series(300), new Float64Array(300).fill(0.002)]));
    expect(c).toBeInstanceOf(DataError);
    expect([c.code, (c as DataError).series, c.message]).toEqual(['zero_variance', 1, 'series 1 does not move over the 300 bars: its correlation is undefined']);
    const few = thrown(() => fitCorrelationForecaster([series(19), series(19)]));
    expect([few.code, few.message]).toEqual(['too_few_returns', 'only 19 returns; a correlation forecast needs at least 20']);
    expect(fitCorrelationForecaster([series(20), series(20)]).model.kind).toBe('ewma');
    expect(thrown(() => fitCorrelationForecaster([series(200), series(199)])).code).toBe('length_mismatch');
    const bad = series(200);
    bad[3] = Infinity;
    const nf = thrown(() => fitCorrelationForecaster([series(200), bad]));
    expect([nf.code, (nf as DataError).series]).toEqual(['non_finite_price', 1]);
    const one = thrown(() => fitCorrelationForecaster([series(200)]));
    expect([one.code, one.message]).toEqual(['too_few_series', 'a correlation forecast needs at least 2 series, got 1']);
  });

  it('checks horizons, bars and models', () => {
    const f = fitCorrelationForecaster([series(200), series(200)]);
    expect(thrown(() => f.forecast(0)).code).toBe('invalid_horizon');
    expect(thrown(() => f.forecast(1.5)).code).toBe('invalid_horizon');
    expect(thrown(() => f.update(Float64Array.from([0.01]))).code).toBe('length_mismatch');
    expect(thrown(() => f.update(Float64Array.from([0.01, NaN]))).code).toBe('non_finite_price');
    const h = [series(100), series(100)];
    expect(() => forecasterFromModel({ kind: 'dcc', a: 0.05, b: 0.9, garch: assetGarch(3) }, h)).toThrow(RangeError);
    expect(() => forecasterFromModel({ kind: 'dcc', a: 0.5, b: 0.5, garch: assetGarch(2) }, h)).toThrow(RangeError);
    expect(() => forecasterFromModel({ kind: 'ewma', lambda: 1, reason: '' }, h)).toThrow(RangeError);
  });
});
