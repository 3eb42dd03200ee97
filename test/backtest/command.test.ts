import { basketFromConfig } from '../../src/config/baskets.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, dispatch } from '../../commands/index.js';
import type { CommandContext } from '../../commands/types.js';
import { runBacktest } from '../../src/backtest/run.js';
import { loadConfig } from '../../src/config/load.js';
import { createCsvSource } from '../../src/market/csv-source.js';
import { silentLogger } from '../../src/log.js';
import type { ReturnsWindow } from '../../src/query/returns-window.js';
import { generate, HOUR } from '../quality/generate.js';

const config = loadConfig({});
const T0 = Date.UTC(2024, 0, 1);
const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corrwatch-backtest-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Hourly closes of 4 assets (a switch 0.1 -> 0.85 at bar 900 and back at 1150), as a wide CSV with the bars in
 * `missing` left out (a hole in every symbol). Returns the file and the ReturnsWindow computed by hand from the
 * same closes: log returns of consecutive kept bars only (a return across the hole spans several bars: dropped).
 */
async function csvFixture(name: string, bars: number, missing: Set<number>) {
  const gen = generate({
    name,
    assets: 4,
    bars,
    seed: 41,
    df: 5,
    segments: [{ from: 0, rho: 0.1, vol: 0.01 }, { from: 900, rho: 0.85, vol: 0.02 }, { from: 1150, rho: 0.1, vol: 0.01 }],
  });
  const symbols = ['AAA', 'BBB', 'CCC', 'DDD'];
  const closes = gen.returns.map((r) => {
    const p = [100];
    for (let k = 0; k < r.length; k++) p.push(p[k] * Math.exp(r[k]));
    return p;
  });
  const kept = Array.from({ length: bars + 1 }, (_, k) => k).filter((k) => !missing.has(k));
  const lines = ['timestamp,' + symbols.join(',')];
  for (const k of kept) lines.push([iso(T0 + k * HOUR), ...closes.map((p) => String(p[k]))].join(','));
  const path = join(dir, `${name}.csv`);
  await writeFile(path, lines.join('\n') + '\n');
  const pairs = kept.slice(1).map((k, i) => [kept[i], k]).filter(([a, b]) => b - a === 1);
  const rw: ReturnsWindow = {
    symbols,
    timeframe: '1h',
    times: Float64Array.from(pairs, ([, b]) => T0 + b * HOUR),
    returns: closes.map((p) => Float64Array.from(pairs, ([a, b]) => Math.log(p[b] / p[a]))),
    notes: [],
  };
  return { path, rw, symbols, kept };
}

function context(path: string): CommandContext {
  return {
    invocation: { platform: 'cli', userId: 'tester', channelId: 'cli', isAdmin: true },
    config,
    clock: { now: () => Date.UTC(2030, 0, 1) },
    log: silentLogger,
    market: createCsvSource(path),
    services: { version: 'test' },
    renderCharts: false,
    surface: 'cli',
  };
}

describe('backtest command through dispatch (CSV source in a temp dir)', () => {
  it('--json data: shape, values and alerts equal to runBacktest on returns computed by hand; the hole gives stale/recovered', async () => {
    const missing = new Set([1000, 1001, 1002, 1003, 1004]); // 5 bars missing inside the episode: > staleBars 3
    const { path, rw, symbols, kept } = await csvFixture('episode', 1500, missing);
    const res = await dispatch(commands, ['backtest', ...symbols, '--window', '48', '--source', `csv:${path}`, '--json'], context(path));
    expect(res.outcome).toBe('ok');
    expect(res.command).toBe('backtest');
    const data = res.reply.data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(['alerts', 'bars', 'baseline', 'basket', 'from', 'summary', 'symbols', 'timeframe', 'to', 'window']);
    expect(data.basket).toBe('ad-hoc');
    expect(data.symbols).toEqual(symbols);
    expect(data.timeframe).toBe('1h');
    expect(data.window).toBe(48);
    expect(data.baseline).toBe(90 * 24); // config detector.baseline 90d of 1h bars
    expect(data.bars).toBe(kept.length);
    expect(data.from).toBe(iso(rw.times[0]));
    expect(data.to).toBe(iso(rw.times[rw.times.length - 1]));
    // JSON-safe: a round trip through JSON gives the same object (no NaN, Infinity or undefined values).
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);

    const { thresholds } = basketFromConfig('ad-hoc', { symbols, timeframe: '1h' }, config, 0);
    const want = runBacktest(rw, { symbols, window: 48, baseline: 2160, thresholds, states: config.detector.states }, {
      barMs: HOUR,
      forBars: config.alerts.forBars,
      enterZ: thresholds.enterZ,
      exitScore: thresholds.exitZ,
      minDwellBars: config.alerts.minDwellBars,
      cooldownBars: config.alerts.cooldownBars,
      staleBars: config.alerts.staleBars,
    });
    expect(data.alerts).toEqual(want.alerts);
    const alerts = data.alerts as { at: string; state: string; episode: number; reason: string; z: number; avgCorrelation: number; regime: string }[];
    expect(alerts.map((a) => a.state)).toEqual(['firing', 'stale', 'recovered', 'resolved']);
    expect(alerts[1].at).toBe(iso(T0 + 999 * HOUR));
    // The first return after the hole ends at bar 1006 (1005 -> 1006; 999 -> 1005 spans the hole and is dropped).
    expect(alerts[2].at).toBe(iso(T0 + 1006 * HOUR));
    for (const a of alerts) {
      expect(typeof a.z).toBe('number');
      expect(typeof a.avgCorrelation).toBe('number');
      expect(['calm', 'converging', 'stressed', 'decoupling']).toContain(a.regime);
    }
    expect(alerts[0].reason.startsWith('fired: ')).toBe(true);

    const summary = data.summary as Record<string, unknown>;
    expect(Object.keys(summary).sort()).toEqual(['episodes', 'firstDecisionAt', 'notes', 'notifications', 'regimeBars', 'returns', 'warmupReturns']);
    expect(summary.returns).toBe(rw.times.length);
    expect(summary.episodes).toBe(1);
    expect(summary.notifications).toEqual({ firing: 1, escalated: 0, resolved: 1, stale: 1, recovered: 1 });
    expect(summary.firstDecisionAt).toBe(want.summary.firstDecisionAt);
    expect(summary.regimeBars).toEqual(want.summary.regimeBars);
    const notes = summary.notes as string[];
    expect(notes.some((n) => n.includes('1 return spanning a missing bar dropped'))).toBe(true);
    expect(res.reply.title).toBe('Backtest ad-hoc: 1 alert episode over ' + rw.times.length + ' returns');
  });

  it('fewer than two windows of returns: a user error that says how many are needed', async () => {
    const { path, symbols } = await csvFixture('short', 90, new Set());
    const res = await dispatch(commands, ['backtest', ...symbols, '--window', '48', '--source', `csv:${path}`, '--json'], context(path));
    expect(res.outcome).toBe('user_error');
    expect(res.reply.text).toContain('at least');
    expect(res.reply.text).toContain('only 90');
  });

  // BUG (commands/backtest.ts:54, `rw.times.length < 2 * dcfg.window`): the detector decides only from return
  // 3W + 19 on (see test/regime/detector.test.ts), so with 2W ≤ returns < 3W + 19 the command runs, finds nothing
  // and says "could decide from never", after telling users that two windows suffice. Expected: the same
  // too_few_returns user error, with the detector's real warm-up (new RegimeDetector(dcfg).warmupReturns once that
  // is fixed) in the check and the message.
  it('enough returns for the old 2W check but fewer than the detector needs (3W + 19): refused as too few returns', async () => {
    const { path, symbols } = await csvFixture('medium', 130, new Set()); // 130 returns: 2W = 96 ≤ 130 < 163
    const res = await dispatch(commands, ['backtest', ...symbols, '--window', '48', '--source', `csv:${path}`, '--json'], context(path));
    expect(res.outcome).toBe('user_error');
  });

  it('neither symbols nor --basket, or one symbol: usage errors', async () => {
    const { path } = await csvFixture('usage', 60, new Set());
    const none = await dispatch(commands, ['backtest', '--source', `csv:${path}`], context(path));
    expect(none.outcome).toBe('user_error');
    const one = await dispatch(commands, ['backtest', 'AAA', '--source', `csv:${path}`], context(path));
    expect(one.outcome).toBe('user_error');
    expect(one.reply.text).toContain('at least two symbols');
  });
});
