import { mulberry32 } from '../../src/domain/random.js';
import type { ReturnsWindow } from '../../src/query/returns-window.js';

/** mulberry32 (src/domain/random.ts): uniform in [0, 1). */
export const rng = mulberry32;

/** Standard normal by Box-Muller. */
export function normal(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Student t with `df` degrees of freedom, scaled to unit variance. */
export function studentT(u: () => number, df: number): () => number {
  const z = normal(u);
  return () => {
    let chi = 0;
    for (let k = 0; k < df; k++) chi += z() ** 2;
    return (z() / Math.sqrt(chi / df)) * Math.sqrt((df - 2) / df);
  };
}

/** One segment of a scenario: from bar `from` on, pairwise correlation `rho` and volatility `vol` (per bar). */
export interface Segment {
  from: number;
  rho: number;
  vol: number;
}

export interface Scenario {
  name: string;
  assets: number;
  bars: number;
  segments: Segment[];
  /** Degrees of freedom of the innovations (heavy tails); Infinity = Gaussian. */
  df?: number;
  seed: number;
}

export const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/**
 * Hourly log returns of a one-factor model: r_i,t = vol_t·(sqrt(ρ_t)·f_t + sqrt(1−ρ_t)·e_i,t), so every pair has
 * correlation ρ_t and every asset volatility vol_t within a segment. The true switches are the segment starts.
 */
export function generate(s: Scenario): ReturnsWindow {
  const u = rng(s.seed);
  const draw = s.df && Number.isFinite(s.df) ? studentT(u, s.df) : normal(u);
  const times = new Float64Array(s.bars);
  const returns = Array.from({ length: s.assets }, () => new Float64Array(s.bars));
  let seg = 0;
  for (let t = 0; t < s.bars; t++) {
    while (seg + 1 < s.segments.length && s.segments[seg + 1].from <= t) seg++;
    const { rho, vol } = s.segments[seg];
    const f = draw();
    const a = Math.sqrt(rho);
    const b = Math.sqrt(1 - rho);
    for (let i = 0; i < s.assets; i++) returns[i][t] = vol * (a * f + b * draw());
    times[t] = T0 + (t + 1) * HOUR;
  }
  return { symbols: Array.from({ length: s.assets }, (_, i) => `A${i}`), timeframe: '1h', times, returns, notes: [] };
}
