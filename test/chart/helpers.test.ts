import { describe, expect, it } from 'vitest';
import { divergingRgb, textColorOn } from '../../src/chart/colors.js';
import { fitLines } from '../../src/chart/fit-text.js';
import { barLength, regimeRuns, regimeShares } from '../../src/chart/regime-runs.js';
import { correlationRange, fileSafe, fmt, gap } from '../../src/chart/sanitize.js';
import { formatUtcTick, utcTicks } from '../../src/chart/time-axis.js';

const DAY = 86_400_000;
const t = Date.UTC(2024, 0, 30, 14, 0);

describe('time axis', () => {
  it('formats HH:mm under two days, the date at midnight, MMM dd otherwise, MMM yyyy past a year', () => {
    expect(formatUtcTick(t, DAY)).toBe('14:00');
    expect(formatUtcTick(Date.UTC(2024, 0, 31), DAY)).toBe('Jan 31');
    expect(formatUtcTick(t, 30 * DAY)).toBe('Jan 30');
    expect(formatUtcTick(t, 400 * DAY)).toBe('Jan 2024');
  });

  it('puts ticks on round UTC boundaries, never more than asked', () => {
    const hourly = utcTicks(t + 1234, t + DAY, 12);
    expect(hourly.length).toBeLessThanOrEqual(12);
    expect(hourly.every((v) => v % (3600_000) === 0)).toBe(true);
    const monthly = utcTicks(Date.UTC(2023, 0, 15), Date.UTC(2024, 6, 1), 10);
    expect(monthly.length).toBeLessThanOrEqual(10);
    expect(monthly.every((v) => new Date(v).getUTCDate() === 1)).toBe(true);
  });

  it('steps at least a day from two days on, where labels show only the date', () => {
    const ticks = utcTicks(t, t + 6 * DAY, 12);
    expect(ticks.every((v) => v % DAY === 0)).toBe(true);
    expect(new Set(ticks.map((v) => formatUtcTick(v, 6 * DAY))).size).toBe(ticks.length);
  });
});

describe('colours', () => {
  it('maps -1 to blue, 0 to neutral, +1 to red, and picks readable text', () => {
    const [r1, , b1] = divergingRgb(-1);
    const [r2, , b2] = divergingRgb(1);
    expect(b1).toBeGreaterThan(r1);
    expect(r2).toBeGreaterThan(b2);
    expect(divergingRgb(0)).toEqual([247, 247, 247]);
    expect(divergingRgb(5)).toEqual(divergingRgb(1));
    expect(textColorOn(divergingRgb(1))).toBe('#ffffff');
    expect(textColorOn(divergingRgb(0))).toBe('#111418');
  });
});

describe('regime runs', () => {
  it('groups contiguous regimes; each run covers its bars, from its first bar to the next run (the last: one bar more)', () => {
    const runs = regimeRuns([0, 10, 20, 30], ['calm', 'calm', 'stressed', 'calm']);
    expect(runs).toEqual([
      { regime: 'calm', first: 0, last: 1, from: 0, to: 20 },
      { regime: 'stressed', first: 2, last: 2, from: 20, to: 30 },
      { regime: 'calm', first: 3, last: 3, from: 30, to: 40 },
    ]);
    // The bar an alert fires on is the newest, alone in its regime: a whole bar wide, not the half a bar it used to get.
    expect(regimeRuns([0, 10, 20, 40, 50], ['converging', 'converging', 'converging', 'converging', 'stressed']).at(-1)).toEqual({ regime: 'stressed', first: 4, last: 4, from: 50, to: 60 });
    expect(barLength([0, 10, 20, 40, 50])).toBe(10);
    expect(regimeShares(['calm', 'calm', 'stressed', 'calm']).calm).toBe(0.75);
  });
});

describe('sanitize', () => {
  it('turns non-finite values into gaps and formats with a real minus sign', () => {
    expect([gap(NaN), gap(Infinity), gap(null), gap(0.5)]).toEqual([null, null, null, 0.5]);
    expect(fmt(-0.123)).toBe('−0.12');
    expect(fmt(-0.001)).toBe('0.00');
    expect(fmt(NaN)).toBe('–');
    expect(fileSafe('ETH/BTC')).toBe('ETH_BTC');
    expect(fileSafe('///')).toBe('x');
  });

  it('picks a correlation y range within [-1, 1], at least 0.4 tall', () => {
    expect(correlationRange([0.42, 0.58])).toEqual([0.3, 0.7]);
    expect(correlationRange([0.95, 0.99])).toEqual([0.6, 1]);
    expect(correlationRange([-3, 5])).toEqual([-1, 1]);
    expect(correlationRange([2, 3])).toEqual([0.6, 1]);
    expect(correlationRange([NaN, null])).toEqual([-1, 1]);
  });
});

describe('fitLines', () => {
  it('keeps short text on one line and wraps long subtitles at the separators', () => {
    expect(fitLines('Correlation matrix', 20, 1000, true)).toEqual(['Correlation matrix']);
    const lines = fitLines('now ρ̄ = 0.56 · converging since Jan 17 15:00 UTC · entry 0.63 (adaptive) · exit 0.51 (adaptive)', 14, 300);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join(' · ')).toBe('now ρ̄ = 0.56 · converging since Jan 17 15:00 UTC · entry 0.63 (adaptive) · exit 0.51 (adaptive)');
  });
});
