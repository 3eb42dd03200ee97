import type { Regime } from '../domain/types.js';

export const REGIMES: readonly Regime[] = ['calm', 'converging', 'stressed', 'decoupling'];

/** A contiguous stretch of one regime, in x-axis units (epoch ms). */
export interface RegimeRun {
  regime: Regime;
  /** Index (into the given arrays) of the run's first and last point. */
  first: number;
  last: number;
  /**
   * Band edges. Each point is a bar that holds from its own time until the next point's, so a run covers exactly
   * [time of its first bar, time of the bar after its last); the newest run ends `barMs` after its last bar. The band
   * starts at the time a subtitle gives as "since", and a one-bar run at the right edge (the bar an alert fired on)
   * is a whole bar wide.
   */
  from: number;
  to: number;
}

/**
 * The bar length of a series: the smallest positive step between neighbouring points (a weekend or an outage makes
 * some steps longer, never shorter). 0 for fewer than two distinct times.
 */
export function barLength(x: readonly number[]): number {
  let best = Infinity;
  for (let i = 1; i < x.length; i++) {
    const d = x[i] - x[i - 1];
    if (d > 0 && d < best) best = d;
  }
  return Number.isFinite(best) ? best : 0;
}

/** Splits per-point regimes into runs. Unknown labels end a run and get no band. `x` is ascending. */
export function regimeRuns(x: readonly number[], regimes: readonly (Regime | undefined)[], barMs: number = barLength(x)): RegimeRun[] {
  const runs: RegimeRun[] = [];
  let start = 0;
  for (let i = 1; i <= x.length; i++) {
    if (i < x.length && regimes[i] === regimes[start]) continue;
    const r = regimes[start];
    if (r !== undefined && REGIMES.includes(r)) {
      const last = i - 1;
      const to = last < x.length - 1 ? x[last + 1] : x[last] + barMs;
      runs.push({ regime: r, first: start, last, from: x[start], to });
    }
    start = i;
  }
  return runs;
}

/** Share of points in each regime (0..1), for the alt text. */
export function regimeShares(regimes: readonly (Regime | undefined)[]): Record<Regime, number> {
  const counts: Record<Regime, number> = { calm: 0, converging: 0, stressed: 0, decoupling: 0 };
  for (const r of regimes) if (r !== undefined && r in counts) counts[r]++;
  const total = regimes.length || 1;
  for (const r of REGIMES) counts[r] /= total;
  return counts;
}
