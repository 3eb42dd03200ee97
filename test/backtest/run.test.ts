import { describe, expect, it } from 'vitest';
import { runBacktest, type BacktestAlert, type PolicyConfig } from '../../src/backtest/run.js';
import type { ReturnsWindow } from '../../src/query/returns-window.js';
import type { DetectorConfig } from '../../src/regime/types.js';
import { generate, HOUR, type Scenario } from '../quality/generate.js';
import { SCENARIOS, shippedSettings } from '../quality/scenarios.js';

/** Entry and exit levels of the convergence evidence as shipped for hourly bars (about 4.9 and 2). */
const THRESHOLDS = { enterZ: 4.9, exitZ: 2, stressProbability: 0.8, decoupleZ: -2 };
const POLICY: PolicyConfig = { barMs: HOUR, forBars: 1, enterZ: 4.9, exitScore: 2, minDwellBars: 6, cooldownBars: 24, staleBars: 3 };

function detector(symbols: string[], window = 48, baseline = 480): DetectorConfig {
  return { symbols, window, baseline, thresholds: THRESHOLDS, states: 2 };
}

/** Two episodes of 0.1 -> 0.85 on 5 assets, hourly. */
const EPISODES: Scenario = {
  name: 'two episodes',
  assets: 5,
  bars: 2200,
  seed: 7,
  df: 5,
  segments: [
    { from: 0, rho: 0.1, vol: 0.01 },
    { from: 900, rho: 0.85, vol: 0.02 },
    { from: 1200, rho: 0.1, vol: 0.01 },
    { from: 1700, rho: 0.85, vol: 0.02 },
    { from: 2000, rho: 0.1, vol: 0.01 },
  ],
};

/** Copy of a ReturnsWindow with the returns from index `from` on moved `extraBars` bars later (a hole in time). */
function withGap(rw: ReturnsWindow, from: number, extraBars: number): ReturnsWindow {
  const times = Float64Array.from(rw.times, (t, k) => (k >= from ? t + extraBars * HOUR : t));
  return { ...rw, times };
}

function slice(rw: ReturnsWindow, end: number): ReturnsWindow {
  return { ...rw, times: rw.times.slice(0, end), returns: rw.returns.map((r) => r.slice(0, end)) };
}

const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

/**
 * The alert kinds without `escalated` (whether an episode escalates depends on the Markov model, not what these
 * tests are about), after checking that every `escalated` sits inside its episode: after its firing, before its end.
 */
function kindsOf(alerts: BacktestAlert[]): string[] {
  alerts.forEach((a, i) => {
    if (a.state !== 'escalated') return;
    const firing = alerts.findLastIndex((b, j) => j < i && b.state === 'firing');
    expect(firing).toBeGreaterThanOrEqual(0);
    expect(alerts[firing].episode).toBe(a.episode);
    expect(alerts.slice(firing + 1, i).some((b) => b.state === 'resolved')).toBe(false);
  });
  return alerts.filter((a) => a.state !== 'escalated').map((a) => a.state);
}

describe('runBacktest', () => {
  const rw = generate(EPISODES);
  const cfg = detector(rw.symbols);
  const full = runBacktest(rw, cfg, POLICY);

  it('finds both episodes: one firing inside each, each resolved after it ends, nothing else', () => {
    expect(kindsOf(full.alerts)).toEqual(['firing', 'resolved', 'firing', 'resolved']);
    const main = full.alerts.filter((a) => a.state !== 'escalated');
    const bar = (a: BacktestAlert) => Math.round((Date.parse(a.at) - rw.times[0]) / HOUR);
    const [f1, r1, f2, r2] = main.map(bar);
    expect(f1).toBeGreaterThanOrEqual(900);
    expect(f1).toBeLessThan(900 + 48);
    expect(r1).toBeGreaterThan(1200);
    expect(f2).toBeGreaterThanOrEqual(1700);
    expect(f2).toBeLessThan(1700 + 48);
    expect(r2).toBeGreaterThan(2000);
    expect(main.map((a) => a.episode)).toEqual([1, 1, 2, 2]);
    // A resolved alert's duration covers the bars it fired; its peak is the highest ρ̄ of the episode's bars (its
    // pending bars, forBars − 1 = 1 before the firing bar, included; the resolving bar excluded).
    const r = main[1];
    expect(r.durationHours!).toBeGreaterThanOrEqual(r1 - f1);
    const during = full.readings.filter((x) => x.at >= Date.parse(main[0].at) - HOUR && x.at < Date.parse(r.at)).map((x) => x.avgCorrelation);
    expect(r.peakAvgCorrelation).toBe(Math.max(...during));
  });

  it('summary counts agree with the alerts and the readings', () => {
    const s = full.summary;
    expect(s.returns).toBe(rw.times.length);
    expect(s.episodes).toBe(full.alerts.filter((a) => a.state === 'firing').length);
    for (const k of ['firing', 'escalated', 'resolved', 'stale', 'recovered'] as const) expect(s.notifications[k]).toBe(full.alerts.filter((a) => a.state === k).length);
    expect(Object.values(s.regimeBars).reduce((a, b) => a + b, 0)).toBe(full.readings.length);
    for (const g of ['calm', 'converging', 'stressed', 'decoupling'] as const) expect(s.regimeBars[g]).toBe(full.readings.filter((x) => x.regime === g).length);
    expect(s.firstDecisionAt).toBe(iso(full.readings[0].at));
    // Readings: one per return after the first, consecutive.
    const first = rw.times.indexOf(full.readings[0].at);
    expect(full.readings.length).toBe(rw.times.length - first);
  });

  // BUG (src/regime/detector.ts:66, warmupReturns = 2W + 20): the first decision comes with return 3W + 19, so the
  // summary's `warmupReturns` (and the CLI text "after N returns of warm-up") under-states the warm-up by W − 1.
  it('summary.warmupReturns is the number of returns replayed up to and including the first decision', () => {
    const first = rw.times.indexOf(full.readings[0].at);
    expect(full.summary.warmupReturns).toBe(first + 1);
  });

  it('is deterministic: two runs give identical results', () => {
    expect(runBacktest(rw, cfg, POLICY)).toEqual(full);
  });

  it('keepReadings: false drops the readings and changes nothing else', () => {
    const lean = runBacktest(rw, cfg, POLICY, { keepReadings: false });
    expect(lean.readings).toEqual([]);
    expect(lean.alerts).toEqual(full.alerts);
    expect(lean.summary).toEqual(full.summary);
  });

  it('has no look-ahead: a run on a prefix gives the same alerts up to the prefix end (cut inside an episode)', () => {
    const main = full.alerts.filter((a) => a.state !== 'escalated');
    const firing1 = Date.parse(main[0].at);
    for (const cutAt of [firing1 + 10 * HOUR, Date.parse(main[1].at), Date.parse(main[2].at) + HOUR]) {
      const end = rw.times.findIndex((t) => t > cutAt);
      const pre = runBacktest(slice(rw, end), cfg, POLICY);
      const upTo = full.alerts.filter((a) => Date.parse(a.at) <= cutAt);
      expect(upTo.length).toBeGreaterThan(0);
      expect(pre.alerts).toEqual(upTo);
      expect(pre.readings).toEqual(full.readings.filter((x) => x.at <= cutAt));
    }
  });

  it('a gap longer than staleBars inside an episode: `stale` (at the last bar before it), then `recovered` (first bar after), and the episode goes on', () => {
    const firing = Date.parse(full.alerts[0].at); // alerts[0] is the first firing (an escalation follows one)
    const k = rw.times.indexOf(firing) + 20; // 20 bars into the firing episode
    // 4 bars missing (times jump by 5 bars): more than staleBars = 3.
    const gapped = runBacktest(withGap(rw, k, 4), cfg, POLICY);
    expect(kindsOf(gapped.alerts)).toEqual(['firing', 'stale', 'recovered', 'resolved', 'firing', 'resolved']);
    const main = gapped.alerts.filter((a) => a.state !== 'escalated');
    expect(main[1].at).toBe(iso(rw.times[k - 1]));
    expect(main[1].reason).toBe('stale');
    expect(main[2].at).toBe(iso(rw.times[k] + 4 * HOUR));
    expect(main[2].reason).toBe('recovered');
    // Stale and recovered belong to the firing episode; the resolution is still the same episode's.
    expect(main.slice(0, 4).map((a) => a.episode)).toEqual([1, 1, 1, 1]);
  });

  it('a gap of exactly staleBars missing bars is not stale (boundary: now ≤ last + (1 + staleBars) bars)', () => {
    const k = rw.times.indexOf(Date.parse(full.alerts[0].at)) + 20;
    const gapped = runBacktest(withGap(rw, k, 3), cfg, POLICY);
    expect(kindsOf(gapped.alerts)).toEqual(['firing', 'resolved', 'firing', 'resolved']);
  });

  it('a gap during a calm stretch: stale then recovered, no episode', () => {
    const k = 600;
    const gapped = runBacktest(withGap(rw, k, 10), cfg, POLICY);
    const first = gapped.alerts.slice(0, 2);
    expect(first.map((a) => [a.state, a.at, a.episode])).toEqual([
      ['stale', iso(rw.times[k - 1]), 0],
      ['recovered', iso(rw.times[k] + 10 * HOUR), 0],
    ]);
  });

  it('a symbol flat for 120 bars in a calm stretch: those bars have no reading, counted and named in the summary; stale then recovered, no episode', () => {
    const k = 600;
    const halted = { ...rw, returns: rw.returns.map((r, i) => (i === 4 ? Float64Array.from(r, (x, t) => (t >= k && t < k + 120 ? 0 : x)) : r)) };
    const res = runBacktest(halted, cfg, POLICY);
    // windows of 48 bars with no move: the ones ending at bars k + 47 .. k + 120 (the first move after the halt
    // spans it, a missing return: src/regime/halts.ts)
    expect(res.summary.noReading).toEqual({
      bars: 121 - 47,
      from: iso(rw.times[k + 47]),
      to: iso(rw.times[k + 120]),
      why: `${rw.symbols[4]} did not move over the window's 48 bars: its correlation, and so the basket's regime, is undefined until it does`,
    });
    expect(res.readings.filter((x) => x.at >= rw.times[k + 47] && x.at <= rw.times[k + 120])).toEqual([]);
    expect(res.alerts.slice(0, 2).map((a) => [a.state, a.at, a.episode])).toEqual([
      ['stale', iso(rw.times[k + 46]), 0],
      ['recovered', iso(rw.times[k + 121]), 0],
    ]);
    expect(full.summary.noReading).toBeUndefined();
  });

  it('replays 6 assets × 6,000 bars with the shipped 1h defaults (W 168, baseline 2160)', () => {
    const big = generate(SCENARIOS[0].scenario);
    expect(big.symbols.length).toBe(6);
    expect(big.times.length).toBe(6000);
    const shipped = shippedSettings(big);
    const res = runBacktest(big, shipped.detector, shipped.policy, { keepReadings: false });
    expect(res.summary.returns).toBe(6000);
    // 20 seeding returns, the guard (W = 168), then a third of the 2,160-bar baseline.
    expect(res.summary.warmupReturns).toBe(20 + 168 + 720);
    expect(Object.values(res.summary.regimeBars).reduce((a, b) => a + b, 0)).toBe(6000 - res.summary.warmupReturns + 1);
    expect(res.summary.episodes).toBe(2);
  });
});
