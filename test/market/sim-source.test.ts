import { plainPearson as pearson } from '../helpers/reference-stats.js';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import type { Candle } from '../../src/domain/types.js';
import { createSimSource, SIM_DEFAULT_ORIGIN, SIM_DEFAULT_UNIVERSE, simRegimeAt, simRegimeSchedule } from '../../src/market/sim-source.js';

const HOUR = 3_600_000;
const ORIGIN = SIM_DEFAULT_ORIGIN;
const NOW = ORIGIN + 8000 * HOUR + 20 * 60_000;
const clock = { now: () => NOW };


const std = (x: number[]) => {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
};

describe('simulator source', () => {
  it('is deterministic: a bar does not depend on the range requested, the order, or the other symbols', async () => {
    const a = createSimSource(42, { clock });
    const b = createSimSource(42, { clock });
    const wide = await a.fetchCandles('BTC', '1h', ORIGIN, ORIGIN + 3000 * HOUR);
    for (const s of ['ETH', 'SOL', 'XRP']) await b.fetchCandles(s, '1h', ORIGIN + 2000 * HOUR, ORIGIN + 2600 * HOUR);
    const narrow = await b.fetchCandles('btc', '1h', ORIGIN + 2047 * HOUR, ORIGIN + 2050 * HOUR);
    expect(narrow).toEqual(wide.slice(2047, 2050));
    expect(narrow).toHaveLength(3);
    const other = await createSimSource(43, { clock }).fetchCandles('BTC', '1h', ORIGIN + 2047 * HOUR, ORIGIN + 2050 * HOUR);
    expect(other.map((k) => k.c)).not.toEqual(narrow.map((k) => k.c));
  });

  it('serves only closed bars up to the clock, from the origin on', async () => {
    const src = createSimSource(1, { clock });
    const last = ORIGIN + 7999 * HOUR;
    expect(await src.latestBarTime!('1h')).toBe(last);
    const c = await src.fetchCandles('ETH', '1h', last - 5 * HOUR, NOW + 100 * HOUR);
    expect(c.map((k) => k.t)).toEqual([5, 4, 3, 2, 1, 0].map((i) => last - i * HOUR));
    const early = await src.fetchCandles('ETH', '1h', ORIGIN - 10 * HOUR, ORIGIN + 2 * HOUR);
    expect(early.map((k) => k.t)).toEqual([ORIGIN, ORIGIN + HOUR]);
    for (const k of c) {
      expect(k.h!).toBeGreaterThanOrEqual(Math.max(k.o!, k.c));
      expect(k.l!).toBeLessThanOrEqual(Math.min(k.o!, k.c));
      expect(k.c).toBeGreaterThan(0);
    }
  });

  it('lists a default universe and accepts any alphanumeric name', async () => {
    const src = createSimSource(1, { clock });
    expect(src.id).toBe('sim:1');
    expect(src.venue).toBe('simulator');
    expect(await src.listSymbols()).toEqual(SIM_DEFAULT_UNIVERSE);
    expect(await src.resolveSymbol(' pepe2 ')).toBe('PEPE2');
    expect(await src.fetchCandles('FOO', '1d', ORIGIN, ORIGIN + 3 * 86_400_000)).toHaveLength(3);
    await expect(src.resolveSymbol('ETH/BTC')).rejects.toMatchObject({ code: 'unknown_symbol' });
    await expect(src.fetchCandles('BTC', '1M', ORIGIN, NOW)).rejects.toBeInstanceOf(UserError);
  });

  it('refuses bars shorter than 1m at once (1s bars since 2020 took 42 s of CPU, issue 11)', async () => {
    const src = createSimSource(1, { clock: { now: () => Date.UTC(2026, 11, 1) } });
    await expect(src.fetchCandles('BTC', '1s', Date.UTC(2026, 10, 30), Date.UTC(2026, 11, 1))).rejects.toThrow(
      new UserError('unsupported_timeframe', 'the simulator makes bars of 1m and longer, not 1s; use --timeframe 1m or longer'),
    );
    await expect(src.latestBarTime!('30s')).rejects.toMatchObject({ code: 'unsupported_timeframe' });
    expect(await src.latestBarTime!('1m')).toBe(Date.UTC(2026, 11, 1) - 60_000);
  });

  it('has an alternating regime schedule: stressed segments of 100..400 bars, calm ones 4 times longer', () => {
    const segs = simRegimeSchedule(42, '1h', ORIGIN, ORIGIN + 8000 * HOUR);
    expect(segs.length).toBeGreaterThanOrEqual(8000 / 1600);
    expect(segs[0].start).toBe(ORIGIN);
    expect(segs.at(-1)!.end).toBeGreaterThanOrEqual(ORIGIN + 8000 * HOUR);
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i];
      const f = s.regime === 'calm' ? 4 : 1;
      expect(s.endIndex - s.startIndex).toBeGreaterThanOrEqual(100 * f);
      expect(s.endIndex - s.startIndex).toBeLessThanOrEqual(400 * f);
      if (s.regime === 'calm') expect((s.endIndex - s.startIndex) % 4).toBe(0);
      expect(s.end - s.start).toBe((s.endIndex - s.startIndex) * HOUR);
      if (i > 0) {
        expect(s.start).toBe(segs[i - 1].end);
        expect(s.regime).not.toBe(segs[i - 1].regime);
      }
      expect(simRegimeAt(42, '1h', s.start)).toBe(s.regime);
      expect(simRegimeAt(42, '1h', s.end - 1)).toBe(s.regime);
    }
    const inner = simRegimeSchedule(42, '1h', segs[3].start + HOUR, segs[5].start);
    expect(inner).toEqual(segs.slice(3, 5));
    const short = simRegimeSchedule(42, '1h', ORIGIN, ORIGIN + 1000 * HOUR, { minSegmentBars: 10, maxSegmentBars: 20, calmLengthFactor: 1 });
    for (const s of short) expect(s.endIndex - s.startIndex).toBeLessThanOrEqual(20);
  });

  it('realizes the target correlation and a higher volatility in each regime', async () => {
    const seed = 42;
    const symbols = ['BTC', 'ETH', 'SOL', 'BNB', 'XRP', 'ADA'];
    const src = createSimSource(seed, { clock });
    const end = ORIGIN + 8000 * HOUR;
    const series: Candle[][] = [];
    for (const s of symbols) series.push(await src.fetchCandles(s, '1h', ORIGIN, end));
    const logReturn = (i: number, n: number) => Math.log(series[i][n].c / series[i][n - 1].c);

    const pooled: Record<string, { rho: number[]; vol: number[] }> = { calm: { rho: [], vol: [] }, stressed: { rho: [], vol: [] } };
    for (const seg of simRegimeSchedule(seed, '1h', ORIGIN, end)) {
      if (seg.endIndex > 8000) break;
      // Return n (close n-1 -> n) is drawn in the regime of bar n.
      const idx = Array.from({ length: seg.endIndex - Math.max(1, seg.startIndex) }, (_, k) => Math.max(1, seg.startIndex) + k);
      const r = symbols.map((_, i) => idx.map((n) => logReturn(i, n)));
      const pairs: number[] = [];
      for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++) pairs.push(pearson(r[i], r[j]));
      const avg = pairs.reduce((a, b) => a + b, 0) / pairs.length;
      const target = seg.regime === 'calm' ? 0.2 : 0.8;
      expect(Math.abs(avg - target), `${seg.regime} segment at bar ${seg.startIndex}: average rho ${avg.toFixed(3)}`).toBeLessThan(0.1);
      pooled[seg.regime].rho.push(avg);
      pooled[seg.regime].vol.push(std(r[0]));
    }
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    expect(pooled.calm.rho.length).toBeGreaterThan(5);
    expect(pooled.stressed.rho.length).toBeGreaterThan(5);
    expect(mean(pooled.calm.rho)).toBeCloseTo(0.2, 1);
    expect(mean(pooled.stressed.rho)).toBeCloseTo(0.8, 1);
    const ratio = mean(pooled.stressed.vol) / mean(pooled.calm.vol);
    expect(ratio).toBeGreaterThan(1.7);
    expect(ratio).toBeLessThan(2.3);
    // Calm per-bar volatility: 3% a day scaled to one hour.
    expect(mean(pooled.calm.vol)).toBeCloseTo(0.03 / Math.sqrt(24), 3);
  });

  it('honours custom regime targets', async () => {
    const opts = { clock, calmRho: 0, stressedRho: 0.5, minSegmentBars: 300, maxSegmentBars: 300 };
    const src = createSimSource(9, opts);
    const [a, b] = [await src.fetchCandles('A', '1h', ORIGIN, ORIGIN + 3000 * HOUR), await src.fetchCandles('B', '1h', ORIGIN, ORIGIN + 3000 * HOUR)];
    const segs = simRegimeSchedule(9, '1h', ORIGIN, ORIGIN + 3000 * HOUR, opts);
    const byRegime: Record<string, number[][]> = { calm: [[], []], stressed: [[], []] };
    for (const s of segs) {
      for (let n = Math.max(1, s.startIndex); n < Math.min(3000, s.endIndex); n++) {
        byRegime[s.regime][0].push(Math.log(a[n].c / a[n - 1].c));
        byRegime[s.regime][1].push(Math.log(b[n].c / b[n - 1].c));
      }
    }
    expect(Math.abs(pearson(byRegime.calm[0], byRegime.calm[1]))).toBeLessThan(0.08);
    expect(pearson(byRegime.stressed[0], byRegime.stressed[1])).toBeCloseTo(0.5, 1);
  });
});
