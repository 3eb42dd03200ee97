import type { Regime } from '../domain/types.js';

export const REGIMES: readonly Regime[] = ['calm', 'converging', 'stressed', 'decoupling'];

/** A contiguous stretch of one regime, in x-axis units (epoch ms). */
export interface RegimeRun {
  regime: Regime;
  /** Index (into the given arrays) of the run's first and last point. */
  first: number;
  last: number;
  /** Band edges: half-way to the neighbouring points, so a one-point run still gets a visible band. */
  from: number;
  to: number;
}

/** Splits per-point regimes into runs. Unknown labels end a run and get no band. */
export function regimeRuns(x: readonly number[], regimes: readonly (Regime | undefined)[]): RegimeRun[] {
  const runs: RegimeRun[] = [];
  let start = 0;
  for (let i = 1; i <= x.length; i++) {
    if (i < x.length && regimes[i] === regimes[start]) continue;
    const r = regimes[start];
    if (r !== undefined && REGIMES.includes(r)) {
      const last = i - 1;
      const from = start > 0 ? (x[start - 1] + x[start]) / 2 : x[start];
      const to = last < x.length - 1 ? (x[last] + x[last + 1]) / 2 : x[last];
      runs.push({ regime: r, first: start, last, from, to });
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
