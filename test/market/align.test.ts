import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/domain/types.js';
import { alignCandles } from '../../src/market/align.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
/** Hourly candles at the given hour offsets from T0, close = 100 + hour. */
const bars = (hours: number[]): Candle[] => hours.map((h) => ({ t: T0 + h * H, c: 100 + h }));
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('alignCandles', () => {
  it('keeps everything and says nothing when the series match', () => {
    const a = alignCandles(
      [
        { symbol: 'BTC', candles: bars(range(0, 5)) },
        { symbol: 'ETH', candles: bars(range(0, 5)).reverse() },
      ],
      '1h',
    );
    expect(a.symbols).toEqual(['BTC', 'ETH']);
    expect(a.timeframe).toBe('1h');
    expect([...a.timestamps]).toEqual(range(0, 5).map((h) => T0 + h * H));
    expect([...a.closes[1]]).toEqual([100, 101, 102, 103, 104]);
    expect(a.report).toEqual({ kept: 5, droppedPerSymbol: { BTC: 0, ETH: 0 }, lateStarters: [], earlyEnders: [], gaps: [], notes: [] });
  });

  it('inner-joins on exact timestamps and reports late starters, interior gaps and drops', () => {
    const a = alignCandles(
      [
        { symbol: 'BTC', candles: bars(range(0, 10)) },
        { symbol: 'SOL', candles: bars(range(3, 10)) }, // late starter
        { symbol: 'ETH', candles: bars([0, 1, 2, 3, 4, 6, 8, 9, 10]) }, // hours 5 and 7 missing, one extra at the end
      ],
      '1h',
    );
    expect([...a.timestamps]).toEqual([3, 4, 6, 8, 9].map((h) => T0 + h * H));
    expect([...a.closes[0]]).toEqual([103, 104, 106, 108, 109]);
    const r = a.report;
    expect(r.kept).toBe(5);
    expect(r.droppedPerSymbol).toEqual({ BTC: 5, SOL: 2, ETH: 4 });
    expect(r.lateStarters).toEqual([{ symbol: 'SOL', firstBar: '2024-01-01T03:00:00Z' }]);
    // ETH's extra bar at 10:00: the others end earlier (what a lagging feed looks like to the watcher)
    expect(r.earlyEnders).toEqual([
      { symbol: 'BTC', lastBar: '2024-01-01T09:00:00Z' },
      { symbol: 'SOL', lastBar: '2024-01-01T09:00:00Z' },
    ]);
    expect(r.gaps).toEqual([{ symbol: 'ETH', missing: 2 }]);
    expect(r.notes).toEqual([
      'data starts later for SOL (2024-01-01T03:00:00Z): the aligned series starts at 2024-01-01T03:00:00Z',
      'ETH: 2 1h bars missing between 2024-01-01T03:00:00Z and 2024-01-01T09:00:00Z',
      'dropped bars without a partner in every symbol: BTC 5, SOL 2, ETH 4; 5 aligned bars kept',
    ]);
  });

  it('counts a bar missing from every symbol as a gap of each', () => {
    const a = alignCandles(
      [
        { symbol: 'A', candles: bars([0, 1, 3]) },
        { symbol: 'B', candles: bars([0, 1, 3]) },
      ],
      '1h',
    );
    expect(a.report.kept).toBe(3);
    expect(a.report.gaps).toEqual([
      { symbol: 'A', missing: 1 },
      { symbol: 'B', missing: 1 },
    ]);
  });

  it('leaves out a bar whose close is non-finite or non-positive (a missing bar), naming the symbol, value and time', () => {
    for (const bad of [NaN, Infinity, 0, -1]) {
      const a = alignCandles(
        [
          { symbol: 'A', candles: bars([0, 1, 2]) },
          { symbol: 'B', candles: [{ t: T0, c: 1 }, { t: T0 + H, c: bad }, { t: T0 + 2 * H, c: 2 }] },
        ],
        '1h',
      );
      expect(Array.from(a.timestamps)).toEqual([T0, T0 + 2 * H]);
      expect(a.report.gaps).toEqual([{ symbol: 'B', missing: 1 }]);
      expect(a.report.notes).toContain(`B: 1 bar left out, the close not a positive number (${bad} at 2024-01-01T01:00:00Z)`);
    }
  });

  it('reports a symbol without bars and disjoint ranges', () => {
    const empty = alignCandles(
      [
        { symbol: 'A', candles: bars([0, 1]) },
        { symbol: 'B', candles: [] },
      ],
      '1h',
    );
    expect(empty.report.kept).toBe(0);
    expect(empty.report.droppedPerSymbol).toEqual({ A: 2, B: 0 });
    expect(empty.report.notes[0]).toBe('B has no bars in the range');
    const disjoint = alignCandles(
      [
        { symbol: 'A', candles: bars([0, 1]) },
        { symbol: 'B', candles: bars([5, 6]) },
      ],
      '1h',
    );
    expect(disjoint.timestamps).toHaveLength(0);
    expect(disjoint.report.notes).toContain("the symbols' date ranges do not overlap (latest start 2024-01-01T05:00:00Z, earliest end 2024-01-01T01:00:00Z)");
  });

  it('keeps the last of repeated timestamps and says so', () => {
    const a = alignCandles([{ symbol: 'A', candles: [{ t: T0, c: 1 }, { t: T0, c: 2 }, { t: T0 + H, c: 3 }] }], '1h');
    expect([...a.closes[0]]).toEqual([2, 3]);
    expect(a.report.notes).toEqual(['A: 1 repeated timestamps; kept the last bar of each']);
  });
});
