import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { forecastBasket, minForecastReturns } from '../../src/forecast/basket-forecast.js';
import { mulberry32 } from '../../src/domain/random.js';
import { plainPearson } from '../helpers/reference-stats.js';

const HOUR = 3_600_000;

/** n one-factor series with pairwise correlation rho, T bars. */
function oneFactor(n: number, T: number, rho: number, seed: number): Float64Array[] {
  const u = mulberry32(seed);
  const z = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const cols = Array.from({ length: n }, () => new Float64Array(T));
  for (let t = 0; t < T; t++) {
    const f = z();
    for (const c of cols) c[t] = 0.01 * (Math.sqrt(rho) * f + Math.sqrt(1 - rho) * z());
  }
  return cols;
}

const times = (T: number) => Float64Array.from({ length: T }, (_, t) => t * HOUR);

describe('forecastBasket', () => {
  it('on constant correlation: the path stays near it; shape and times as documented', () => {
    const T = 1500;
    const f = forecastBasket({ symbols: ['A', 'B', 'C', 'D'], times: times(T), returns: oneFactor(4, T, 0.5, 9), window: 100, horizon: 50, barMs: HOUR, regime: null });
    const a = f.avgCorrelation;
    expect(a.path).toHaveLength(50);
    expect(a.path[49].at).toBe((T - 1 + 50) * HOUR);
    for (const p of a.path) {
      expect(Math.abs(p.mean - 0.5)).toBeLessThan(0.15);
      expect(p.lo).toBeLessThan(p.mean);
      expect(p.hi).toBeGreaterThan(p.mean);
    }
    expect(a.band[0]).toBeLessThan(a.smoothed);
    expect(a.band[1]).toBeGreaterThan(a.smoothed);
    expect(f.pairs).toHaveLength(6);
    expect(f.regime).toBeNull();
    expect(a.history.length).toBeGreaterThanOrEqual(100);
    expect(a.history[a.history.length - 1].value).toBe(a.now);
  });

  it('90% intervals: the realized window average H bars later falls inside about 90% of the time (120 simulated baskets)', () => {
    const W = 60;
    const H = 30;
    const T = 700;
    let insidePath = 0;
    let insideBand = 0;
    const runs = 120;
    for (let s = 0; s < runs; s++) {
      const rho = 0.2 + 0.5 * (s / runs);
      const cols = oneFactor(3, T + H, rho, 1000 + s);
      const f = forecastBasket({ symbols: ['A', 'B', 'C'], times: times(T), returns: cols.map((c) => c.subarray(0, T)), window: W, horizon: H, barMs: HOUR, regime: null });
      // realized: ρ̄ of the W returns ending at bar T + H − 1
      const win = cols.map((c) => Array.from(c.subarray(T + H - W, T + H)));
      const realized = (plainPearson(win[0], win[1]) + plainPearson(win[0], win[2]) + plainPearson(win[1], win[2])) / 3;
      const end = f.avgCorrelation.path[H - 1];
      if (realized >= end.lo && realized <= end.hi) insidePath++;
      if (rho >= f.avgCorrelation.band[0] && rho <= f.avgCorrelation.band[1]) insideBand++;
    }
    if (process.env.SHOW_COVERAGE) console.log(`coverage: path ${insidePath / runs}, band ${insideBand / runs}`);
    // binomial sd at 0.9 over 120 runs is 0.027: ±3 sd
    expect(insidePath / runs).toBeGreaterThan(0.82);
    expect(insidePath / runs).toBeLessThan(0.98);
    expect(insideBand / runs).toBeGreaterThan(0.82);
    expect(insideBand / runs).toBeLessThan(0.98);
  });

  it('refuses too little history and a flat series with clear errors', () => {
    const W = 100;
    const short = minForecastReturns(W) - 1;
    expect(() => forecastBasket({ symbols: ['A', 'B'], times: times(short), returns: oneFactor(2, short, 0.3, 1), window: W, horizon: 5, barMs: HOUR, regime: null })).toThrow(
      new DataError('too_few_returns', `a forecast over a window of 100 returns needs at least ${minForecastReturns(W)} returns of history; only ${short} are available`),
    );
    const cols = oneFactor(2, 600, 0.3, 2);
    cols.push(new Float64Array(600));
    expect(() => forecastBasket({ symbols: ['A', 'B', 'C'], times: times(600), returns: cols, window: W, horizon: 5, barMs: HOUR, regime: null })).toThrow(DataError);
  });
});
