import type { Regime } from '../domain/types.js';
import { REGIMES, regimeShares } from './regime-runs.js';
import { fmt } from './sanitize.js';
import { formatUtc, formatUtcShort } from './time-axis.js';

/** Threshold descriptions: `0.70`, `adaptive, now 0.72`, or empty when not given. */
export interface ThresholdInfo {
  entry: string;
  exit: string;
}

/** Start time of the run the last point belongs to. */
function since(x: number[], regimes: (Regime | undefined)[]): number | undefined {
  const last = regimes.length - 1;
  if (last < 0 || regimes[last] === undefined) return undefined;
  let i = last;
  while (i > 0 && regimes[i - 1] === regimes[last]) i--;
  return x[i];
}

export function regimeSubtitle(
  current: number | undefined,
  regime: Regime | undefined,
  t: ThresholdInfo,
  x: number[],
  regimes: (Regime | undefined)[],
  date: (ms: number) => string = formatUtcShort,
): string {
  const parts = [`now ρ̄ = ${fmt(current)}`];
  const start = since(x, regimes);
  if (regime) parts.push(`${regime}${start !== undefined && start > x[0] ? ` since ${date(start)}` : ''}`);
  if (t.entry) parts.push(`entry ${t.entry}`);
  if (t.exit) parts.push(`exit ${t.exit}`);
  return parts.join(' · ');
}

export function regimeAlt(
  basket: string | undefined,
  points: number,
  t0: number,
  t1: number,
  current: number | undefined,
  regime: Regime | undefined,
  t: ThresholdInfo,
  x: number[],
  regimes: (Regime | undefined)[],
): string {
  const shares = regimeShares(regimes);
  const time = REGIMES.filter((r) => shares[r] > 0).map((r) => `${r} ${Math.round(shares[r] * 100)}%`).join(', ');
  return (
    `Line chart of the average pairwise correlation ρ̄${basket ? ` of basket ${basket}` : ''} from ${formatUtc(t0)} to ${formatUtc(t1)} ` +
    `(${points} points), background shaded by regime. ${regimeSubtitle(current, regime, t, x, regimes, formatUtc).replace(/ · /g, ', ')}.` +
    ` Time in regime: ${time || 'none'}.`
  );
}
