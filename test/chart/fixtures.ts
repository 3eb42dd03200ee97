import type { Regime } from '../../src/domain/types.js';

const HOUR = 3_600_000;
export const T0 = Date.UTC(2024, 0, 1);

/** Deterministic pseudo-random numbers (Park–Miller), so every run draws the same charts. */
export function rng(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

export function hours(n: number, step = HOUR): number[] {
  return Array.from({ length: n }, (_, i) => T0 + i * step);
}

/** A bounded random walk in [-1, 1] that looks like a rolling correlation. */
export function walk(n: number, seed: number, start = 0.5): number[] {
  const r = rng(seed);
  let v = start;
  return Array.from({ length: n }, () => (v = Math.max(-0.98, Math.min(0.98, v + (r() - 0.5) * 0.06 + (0.5 - v) * 0.01))));
}

export function pairInput(n: number, seed: number) {
  const short = walk(n, seed);
  const long = walk(n, seed + 1, 0.6).map((v, i) => (v + short[i]) / 2);
  return {
    symbols: ['BTC', 'ETH'] as [string, string],
    timestamps: hours(n),
    rhoShort: short,
    rhoLong: long,
    ciLow: short.map((v) => Math.max(-1, v - 0.12)),
    ciHigh: short.map((v) => Math.min(1, v + 0.1)),
    shortWindow: '24h',
    longWindow: '7d',
    timeframe: '1h',
  };
}

/** A valid correlation-looking matrix: one market factor plus noise, 1 on the diagonal. */
export function correlationMatrix(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const beta = Array.from({ length: n }, () => r() * 1.6 - 0.6);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * n + j] = i === j ? 1 : Math.max(-1, Math.min(1, 0.6 * beta[i] * beta[j] + (r() - 0.5) * 0.2));
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) m[i * n + j] = m[j * n + i];
  return m;
}

export function symbols(n: number): string[] {
  const base = ['BTC', 'ETH', 'SOL', 'BNB', 'XRP', 'ADA', 'DOGE', 'AVAX', 'DOT', 'LINK', 'MATIC', 'LTC'];
  return Array.from({ length: n }, (_, i) => base[i] ?? `ALT${i}`);
}

export function regimeInput(n: number, seed: number) {
  const avg = walk(n, seed, 0.4);
  const regimes: Regime[] = avg.map((v) => (v > 0.7 ? 'stressed' : v > 0.55 ? 'converging' : v < 0.2 ? 'decoupling' : 'calm'));
  return { timestamps: hours(n), avgCorrelation: avg, regimes, entryThreshold: 0.7, exitThreshold: 0.55, basket: 'majors' };
}

/**
 * A forecast chart's input: `n` bars of window ρ̄ history, an exponentially smoothed level with a ±band, and a
 * `steps`-bar path reverting towards 0.5 with an interval that widens like √k.
 */
export function forecastInput(n: number, seed: number, steps = 24) {
  const avg = walk(n, seed, 0.45);
  let level = avg[0];
  const smoothed = avg.map((v) => (level = 0.85 * level + 0.15 * v));
  const last = smoothed[n - 1];
  const path = Array.from({ length: steps }, (_, k) => 0.5 + (last - 0.5) * 0.93 ** (k + 1));
  const width = (k: number) => 0.05 + 0.03 * Math.sqrt(k + 1);
  const timestamps = hours(n);
  return {
    timestamps,
    avgCorrelation: avg,
    smoothed,
    bandLow: smoothed.map((v) => v - 0.05),
    bandHigh: smoothed.map((v) => v + 0.05),
    pathTimestamps: Array.from({ length: steps }, (_, k) => timestamps[n - 1] + (k + 1) * 3_600_000),
    pathMean: path,
    pathLow: path.map((v, k) => Math.max(-1, v - width(k))),
    pathHigh: path.map((v, k) => Math.min(1, v + width(k))),
    coverage: 0.9,
    timeframe: '1h',
    horizon: `${steps}h`,
    basket: 'majors',
  };
}
