import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { fitGarch, garchLogLik, garchVariances, MIN_GARCH_RETURNS } from '../../src/forecast/garch.js';
import { expectAllClose, expectRelClose, gaussian, rng } from '../stats/helpers.js';
import { simulateGarch } from './simulate.js';

/** Fixture made by scripts/make-forecast-fixtures.py (numpy + scipy). */
const FIXTURE = JSON.parse(readFileSync(new URL('../fixtures/forecast_expected.json', import.meta.url), 'utf8')) as {
  garch: { r: number[]; fit: { alpha: number; beta: number; omega: number; logLik: number }; at: { alpha: number; beta: number; logLik: number } };
};

function dataErrorCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as DataError).code;
  }
  return undefined;
}

describe('garchVariances', () => {
  it('equals the ARCH(∞) expansion h_t = ω·Σ_{k<t} β^k + α·Σ_{k<t} β^k·r²_{t−1−k} + β^t·h_0 (a second method)', () => {
    const g = gaussian(rng(5));
    const r = Float64Array.from({ length: 300 }, () => 0.02 * g());
    const p = { omega: 3e-6, alpha: 0.12, beta: 0.83 };
    const h = garchVariances(r, p, 4e-4);
    expect(h.length).toBe(r.length + 1);
    const naive = new Float64Array(r.length + 1);
    for (let t = 0; t <= r.length; t++) {
      let s = Math.pow(p.beta, t) * 4e-4;
      for (let k = 0; k < t; k++) s += Math.pow(p.beta, k) * (p.omega + p.alpha * r[t - 1 - k] ** 2);
      naive[t] = s;
    }
    for (let t = 0; t <= r.length; t++) expectRelClose(h[t], naive[t], 1e-12);
  });

  it('starts at the zero-mean sample variance (1/T)·Σ r² unless h0 is given, and checks its parameters', () => {
    const r = Float64Array.from([0.1, -0.2, 0.05]);
    const h = garchVariances(r, { omega: 0.01, alpha: 0.1, beta: 0.8 });
    expect(h[0]).toBeCloseTo((0.01 + 0.04 + 0.0025) / 3, 15);
    expect(() => garchVariances(r, { omega: 0, alpha: 0.1, beta: 0.8 })).toThrow(RangeError);
    expect(() => garchVariances(r, { omega: 0.01, alpha: -0.1, beta: 0.8 })).toThrow(RangeError);
    expect(dataErrorCode(() => garchVariances(new Float64Array(0), { omega: 0.01, alpha: 0.1, beta: 0.8 }))).toBe('too_few_returns');
  });
});

describe('garchLogLik', () => {
  it('matches a hand computation on 3 bars', () => {
    // ω = 0.01, α = 0.1, β = 0.8, h0 = 0.02, r = (0.1, −0.2, 0.05):
    //   h1 = 0.01 + 0.1·0.01 + 0.8·0.02  = 0.027
    //   h2 = 0.01 + 0.1·0.04 + 0.8·0.027 = 0.0356
    //   h3 = 0.01 + 0.1·0.0025 + 0.8·0.0356 = 0.03873 (the forecast; not in the likelihood)
    const r = Float64Array.from([0.1, -0.2, 0.05]);
    const p = { omega: 0.01, alpha: 0.1, beta: 0.8 };
    expectAllClose(garchVariances(r, p, 0.02), [0.02, 0.027, 0.0356, 0.03873], 1e-15);
    const byHand =
      -0.5 *
      (3 * Math.log(2 * Math.PI) + Math.log(0.02) + 0.01 / 0.02 + Math.log(0.027) + 0.04 / 0.027 + Math.log(0.0356) + 0.0025 / 0.0356);
    expect(garchLogLik(r, p, 0.02)).toBeCloseTo(byHand, 12);
  });

  it('matches numpy on an 800-bar series (scripts/make-forecast-fixtures.py)', () => {
    const r = Float64Array.from(FIXTURE.garch.r);
    const { alpha, beta, logLik } = FIXTURE.garch.at;
    const s2 = r.reduce((s, x) => s + x * x, 0) / r.length;
    expectRelClose(garchLogLik(r, { omega: s2 * (1 - alpha - beta), alpha, beta }), logLik, 1e-12);
  });
});

describe('fitGarch', () => {
  it("reaches scipy's maximum of the same variance-targeted likelihood (a second optimizer)", () => {
    const r = Float64Array.from(FIXTURE.garch.r);
    const fit = fitGarch(r);
    const ref = FIXTURE.garch.fit;
    expect(fit.converged).toBe(true);
    // Both maximize one smooth function: the maxima agree to the optimizers' tolerances.
    expect(fit.logLik).toBeGreaterThanOrEqual(ref.logLik - 1e-6);
    expect(Math.abs(fit.params.alpha - ref.alpha)).toBeLessThan(1e-5);
    expect(Math.abs(fit.params.beta - ref.beta)).toBeLessThan(1e-5);
    expectRelClose(fit.params.omega, ref.omega, 1e-4);
    expectRelClose(fit.logLik, garchLogLik(r, fit.params), 1e-12);
    expectAllClose(fit.variances, garchVariances(r, fit.params), 0);
  });

  it('recovers α = 0.08, β = 0.90 from simulated GARCH(1,1) data (T = 2,000) within 4 sd of the estimates', () => {
    // sd over 200 seeds at T = 2,000 (scripts/forecast-recovery.ts): sd(α̂) = 0.0133, sd(β̂) = 0.0180, means 0.0786
    // and 0.8978 (the worst of the 200 was 3.6 sd from the truth). Each of 10 seeds must be within 4 sd, and their
    // mean within 4 sd/√10 + |bias| of the truth, which a misspecified likelihood would miss.
    const p = { omega: 1e-4 * 0.02, alpha: 0.08, beta: 0.9 };
    const SD_A = 0.0133;
    const SD_B = 0.018;
    let ma = 0;
    let mb = 0;
    for (let s = 0; s < 10; s++) {
      const r = simulateGarch(2000, p, 500 + s);
      const fit = fitGarch(r);
      expect(fit.converged).toBe(true);
      expect(Math.abs(fit.params.alpha - p.alpha)).toBeLessThan(4 * SD_A);
      expect(Math.abs(fit.params.beta - p.beta)).toBeLessThan(4 * SD_B);
      // Variance targeting: the fitted unconditional variance ω/(1 − α − β) is the sample's mean square.
      expectRelClose(fit.params.omega / (1 - fit.params.alpha - fit.params.beta), r.reduce((m, x) => m + x * x, 0) / r.length, 1e-9);
      ma += fit.params.alpha / 10;
      mb += fit.params.beta / 10;
    }
    expect(Math.abs(ma - p.alpha)).toBeLessThan((4 * SD_A) / Math.sqrt(10) + 0.0014);
    expect(Math.abs(mb - p.beta)).toBeLessThan((4 * SD_B) / Math.sqrt(10) + 0.0022);
  });

  it('keeps ω > 0, α ≥ 0, β ≥ 0, α + β < 1 on data with no volatility clustering', () => {
    const g = gaussian(rng(77));
    const r = Float64Array.from({ length: 500 }, () => 0.01 * g());
    const { params, converged } = fitGarch(r);
    expect(converged).toBe(true);
    expect(params.omega).toBeGreaterThan(0);
    expect(params.alpha).toBeGreaterThanOrEqual(0);
    expect(params.beta).toBeGreaterThanOrEqual(0);
    expect(params.alpha + params.beta).toBeLessThan(1);
    expect(params.alpha).toBeLessThan(0.05); // i.i.d. returns: no ARCH effect to find
  });

  it('refuses too few returns, a constant series and non-finite values with DataErrors', () => {
    const g = gaussian(rng(3));
    const short = Float64Array.from({ length: MIN_GARCH_RETURNS - 1 }, () => g());
    expect(dataErrorCode(() => fitGarch(short))).toBe('too_few_returns');
    expect(() => fitGarch(short)).toThrow(/only 99 returns; a GARCH\(1,1\) fit needs at least 100/);
    expect(dataErrorCode(() => fitGarch(new Float64Array(200).fill(0.001)))).toBe('zero_variance');
    const bad = Float64Array.from({ length: 200 }, () => g());
    bad[17] = NaN;
    expect(dataErrorCode(() => fitGarch(bad))).toBe('non_finite_price');
    expect(fitGarch(Float64Array.from({ length: MIN_GARCH_RETURNS }, () => g())).params.omega).toBeGreaterThan(0);
  });
});
