import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/domain/types.js';
import { alignCandles } from '../../src/market/align.js';
import { alignedReturns } from '../../src/query/returns-window.js';

const D = 86_400_000;
const H = 3_600_000;
const date = (s: string) => Date.parse(`${s}T00:00:00Z`);
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Daily candles on the given dates with the given closes. */
const candles = (dates: string[], closes: number[]): Candle[] => dates.map((d, i) => ({ t: date(d), c: closes[i] }));

// Thursday 4th to Tuesday 9th January 2024; BTC trades every day, SPX on weekdays.
const ALL = ['2024-01-04', '2024-01-05', '2024-01-06', '2024-01-07', '2024-01-08', '2024-01-09'];
const WEEKDAYS = ['2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09'];
const BTC = candles(ALL, [100, 110, 121, 99, 90, 99]);
const SPX = candles(WEEKDAYS, [50, 51, 49, 50]);

describe('alignedReturns: returns between consecutive aligned bars', () => {
  it('weekdays: BTC’s Monday return spans Friday → Monday like SPX’s (what pandas gives after an inner join)', () => {
    const aligned = alignCandles([{ symbol: 'BTC', candles: BTC }, { symbol: 'SPX', candles: SPX }], '1d', 'weekdays');
    const rw = alignedReturns(aligned, 'weekdays');
    expect([...rw.times].map(iso)).toEqual(['2024-01-05', '2024-01-08', '2024-01-09']);
    expect([...rw.returns[0]]).toEqual([Math.log(110 / 100), Math.log(90 / 110), Math.log(99 / 90)]);
    expect([...rw.returns[1]]).toEqual([Math.log(51 / 50), Math.log(49 / 51), Math.log(50 / 49)]);
    // BTC's weekend bars have no partner: dropped for all and reported; no weekend is reported missing
    expect(aligned.report.gaps).toEqual([]);
    expect(rw.notes).toEqual(['dropped bars without a partner in every symbol: BTC 2; 4 aligned bars kept']);
  });

  it('data: the same (every return between consecutive aligned bars is kept)', () => {
    const rw = alignedReturns(alignCandles([{ symbol: 'BTC', candles: BTC }, { symbol: 'SPX', candles: SPX }], '1d', 'data'), 'data');
    expect(rw.times.length).toBe(3);
  });

  it('continuous: a spacing of more than one bar is missing data; the return across it is dropped and reported', () => {
    const aligned = alignCandles([{ symbol: 'BTC', candles: BTC }, { symbol: 'SPX', candles: SPX }], '1d');
    const rw = alignedReturns(aligned);
    expect([...rw.times].map(iso)).toEqual(['2024-01-05', '2024-01-09']);
    expect(aligned.report.gaps).toEqual([{ symbol: 'SPX', missing: 2 }]);
    expect(rw.notes).toContain('1 return spanning a missing bar dropped');
    expect(rw.notes).toContain('SPX: 2 1d bars missing between 2024-01-04T00:00:00Z and 2024-01-09T00:00:00Z');
  });

  it('a 24/7 series with a missing hour: the two returns around it become one dropped return, reported', () => {
    const hours = [0, 1, 2, 4, 5];
    const series = (base: number) => hours.map((h) => ({ t: date('2024-01-06') + h * H, c: base + h }));
    const aligned = alignCandles([{ symbol: 'BTC', candles: series(100) }, { symbol: 'ETH', candles: series(10) }], '1h', 'continuous');
    const rw = alignedReturns(aligned, 'continuous');
    expect([...rw.times].map((t) => (t - date('2024-01-06')) / H)).toEqual([1, 2, 5]);
    expect(rw.notes).toContain('1 return spanning a missing bar dropped');
    expect(aligned.report.gaps).toEqual([{ symbol: 'BTC', missing: 1 }, { symbol: 'ETH', missing: 1 }]);
    // the same file read as weekdays (a Saturday!) or data keeps the 2 → 4 return: the calendar decides
    expect(alignedReturns(aligned, 'data').times.length).toBe(4);
  });

  it('n of a weekday series is rows − 1 whatever the weekends and holidays', () => {
    const dates: string[] = [];
    for (let t = date('2024-01-01'); dates.length < 250; t += D) {
      const wd = new Date(t).getUTCDay();
      if (wd !== 0 && wd !== 6 && iso(t) !== '2024-01-15' && iso(t) !== '2024-03-29') dates.push(iso(t));
    }
    const a = candles(dates, dates.map((_, i) => 100 + Math.sin(i)));
    const b = candles(dates, dates.map((_, i) => 50 + Math.cos(i)));
    const rw = alignedReturns(alignCandles([{ symbol: 'A', candles: a }, { symbol: 'B', candles: b }], '1d', 'weekdays'), 'weekdays');
    expect(rw.times.length).toBe(249);
    expect(rw.notes).toEqual([]);
  });
});
