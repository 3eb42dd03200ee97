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
  /** Reach `rho` linearly over this many bars from the previous segment's (a ramp); default: at once. */
  rampBars?: number;
  /** Per-asset volatility multipliers within the segment (one asset's burst); default all 1. */
  assetVol?: Record<number, number>;
}

export interface Scenario {
  name: string;
  assets: number;
  bars: number;
  segments: Segment[];
  /** Degrees of freedom of the innovations (heavy tails); Infinity = Gaussian. */
  df?: number;
  /** GARCH(1,1) volatility clustering per asset: σ²_t = ω + α·r²_{t−1} + β·σ²_{t−1}, scaled so the mean is vol². */
  garch?: { alpha: number; beta: number };
  /**
   * Symbols whose price stops for `bars` bars from bar `from` (zero returns), then jumps to where the market went
   * meanwhile (a suspended stock reopening); with `flat`, it resumes where it stopped (a stablecoin, flat candles).
   */
  halts?: { asset: number; from: number; bars: number; flat?: boolean }[];
  /**
   * Symbols that track another one: r_asset = rho·r_of + √(1−rho²)·(its own return), so their correlation is about
   * rho (BTC on two venues, SPY and VOO); rho 1 is an exact copy (one series listed twice).
   */
  copies?: { asset: number; of: number; rho: number }[];
  /** Bar size and calendar: hourly 24/7 (default) or daily on weekdays only. */
  calendar?: 'hourly' | 'business-daily';
  seed: number;
}

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** Bar times of a scenario: every hour, or every weekday (UTC midnight) from Monday 2024-01-01. */
export function barTimes(s: Scenario): Float64Array {
  const times = new Float64Array(s.bars);
  if (s.calendar === 'business-daily') {
    let t = T0;
    for (let k = 0; k < s.bars; k++) {
      t += DAY;
      while ([0, 6].includes(new Date(t).getUTCDay())) t += DAY;
      times[k] = t;
    }
  } else {
    for (let k = 0; k < s.bars; k++) times[k] = T0 + (k + 1) * HOUR;
  }
  return times;
}

/**
 * Log returns of a one-factor model: r_i,t = σ_i,t·(sqrt(ρ_t)·f_t + sqrt(1−ρ_t)·e_i,t), so every pair has
 * correlation ρ_t within a segment. σ_i,t is the segment's vol (times the asset's multiplier), or a GARCH(1,1)
 * path around it. The true switches are the segment starts (a ramp starts at its segment's start).
 */
export function generate(s: Scenario): ReturnsWindow {
  const u = rng(s.seed);
  const draw = s.df && Number.isFinite(s.df) ? studentT(u, s.df) : normal(u);
  const times = barTimes(s);
  const returns = Array.from({ length: s.assets }, () => new Float64Array(s.bars));
  const g = s.garch;
  const h = new Float64Array(s.assets).fill(1); // GARCH variance relative to the segment's vol²
  let seg = 0;
  for (let t = 0; t < s.bars; t++) {
    while (seg + 1 < s.segments.length && s.segments[seg + 1].from <= t) seg++;
    const cur = s.segments[seg];
    let rho = cur.rho;
    if (cur.rampBars && seg > 0 && t - cur.from < cur.rampBars) {
      const prev = s.segments[seg - 1].rho;
      rho = prev + ((cur.rho - prev) * (t - cur.from + 1)) / cur.rampBars;
    }
    const f = draw();
    const a = Math.sqrt(rho);
    const b = Math.sqrt(1 - rho);
    for (let i = 0; i < s.assets; i++) {
      const z = a * f + b * draw();
      const sigma = cur.vol * (cur.assetVol?.[i] ?? 1) * (g ? Math.sqrt(h[i]) : 1);
      returns[i][t] = sigma * z;
      if (g) h[i] = 1 - g.alpha - g.beta + g.alpha * h[i] * z * z + g.beta * h[i];
    }
  }
  for (const c of s.copies ?? []) {
    const own = returns[c.asset];
    const of = returns[c.of];
    const k = Math.sqrt(1 - c.rho * c.rho);
    for (let t = 0; t < s.bars; t++) own[t] = c.rho * of[t] + k * own[t];
  }
  for (const h of s.halts ?? []) {
    const r = returns[h.asset];
    let missed = 0;
    const end = Math.min(s.bars, h.from + h.bars);
    for (let t = h.from; t < end; t++) {
      missed += r[t];
      r[t] = 0;
    }
    if (!h.flat && end < s.bars) r[end] += missed;
  }
  const timeframe = s.calendar === 'business-daily' ? '1d' : '1h';
  return { symbols: Array.from({ length: s.assets }, (_, i) => `A${i}`), timeframe, times, returns, notes: [] };
}
