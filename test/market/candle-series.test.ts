import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/domain/types.js';
import { CandleSeries, candlesToRows, mergeRanges, type Range, type Row } from '../../src/market/candle-series.js';

const H = 3_600_000;
const row = (h: number, c = 100 + h): Row => [h * H, null, null, null, c, null];

describe('CandleSeries', () => {
  it('slices [since, until) by time, with new objects each time', () => {
    const s = new CandleSeries();
    s.add([[0, 10 * H]], [row(0), row(1), row(2), row(5), row(9)]);
    expect(s.slice(H, 5 * H).map((k) => k.t)).toEqual([H, 2 * H]);
    expect(s.slice(H + 1, 5 * H + 1).map((k) => k.t)).toEqual([2 * H, 5 * H]);
    expect(s.slice(-Infinity, Infinity)).toHaveLength(5);
    expect(s.slice(10 * H, 20 * H)).toEqual([]);
    expect(s.slice(5 * H, H)).toEqual([]);
    const a = s.slice(0, H);
    a[0].c = -1;
    expect(s.slice(0, H)).toEqual([{ t: 0, c: 100 }]);
  });

  it('keeps optional fields as given and absent ones absent', () => {
    const s = new CandleSeries();
    const candles: Candle[] = [{ t: 0, o: 1, h: 2, l: 0.5, c: 1.5, v: 7 }, { t: H, c: 2, v: 3 }, { t: 2 * H, c: 3, o: NaN }];
    s.add([[0, 3 * H]], candlesToRows(candles));
    expect(s.slice(0, 3 * H)).toEqual([candles[0], candles[1], { t: 2 * H, c: 3 }]);
    expect(s.rows()).toEqual([[0, 1, 2, 0.5, 1.5, 7], [H, null, null, null, 2, 3], [2 * H, null, null, null, 3, null]]);
  });

  it('lets a later candle with the same time replace an earlier one, before, between and after', () => {
    const s = new CandleSeries();
    s.add([[4 * H, 8 * H]], [row(4), row(5), row(6), row(7)]);
    s.add([[0, 10 * H]], [row(0), row(5, 1), row(6, 2), row(9)]);
    expect(s.slice(0, 10 * H).map((k) => [k.t / H, k.c])).toEqual([[0, 100], [4, 104], [5, 1], [6, 2], [7, 107], [9, 109]]);
    expect(s.ranges).toEqual([[0, 10 * H]]);
  });

  it('bounds to the newest maxBars bars and clips the ranges, taking nothing from before the bound', () => {
    const s = new CandleSeries();
    const rows = Array.from({ length: 30 }, (_, h) => row(h));
    const first = s.mergeBounded([0, 30 * H], rows, H, 10);
    expect(first.rows.map((r) => r[0] / H)).toEqual(Array.from({ length: 10 }, (_, i) => 20 + i));
    expect(first.ranges).toEqual([[20 * H, 30 * H]]);
    expect(s.length).toBe(10);
    expect(s.ranges).toEqual([[20 * H, 30 * H]]);
    // One more bar drops the oldest.
    expect(s.mergeBounded([30 * H, 31 * H], [row(30)], H, 10).dropped).toBe(1);
    expect(s.slice(0, Infinity).map((k) => k.t / H)).toEqual(Array.from({ length: 10 }, (_, i) => 21 + i));
    expect(s.ranges).toEqual([[21 * H, 31 * H]]);
    // Older bars fetched again are not taken.
    const old = s.mergeBounded([0, 21 * H], rows.slice(0, 21), H, 10);
    expect(old).toEqual({ ranges: [], rows: [], dropped: 0 });
    expect(s.length).toBe(10);
  });

  it('holds memory proportional to the bound while bars are appended and trimmed', () => {
    const s = new CandleSeries();
    s.mergeBounded([0, 100 * H], Array.from({ length: 100 }, (_, h) => row(h)), H, 100);
    for (let h = 100; h < 2000; h++) s.mergeBounded([h * H, (h + 1) * H], [row(h)], H, 100);
    expect(s.length).toBe(100);
    expect(s.capacity).toBeLessThanOrEqual(150);
    expect(s.slice(0, Infinity).map((k) => k.t / H)).toEqual(Array.from({ length: 100 }, (_, i) => 1900 + i));
    // A much lower bound gives the memory back.
    s.dropBefore(1990 * H);
    expect(s.length).toBe(10);
    expect(s.capacity).toBeLessThanOrEqual(20);
  });

  it('agrees with a plain model for any sequence of merges and drops', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        range: fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 20 })),
        hours: fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 25 }),
        c: fc.integer({ min: 1, max: 1000 }),
      }),
      fc.record({ kind: fc.constant('drop' as const), at: fc.integer({ min: 0, max: 80 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const s = new CandleSeries();
        const model = new Map<number, number>();
        let ranges: Range[] = [];
        for (const o of ops) {
          if (o.kind === 'add') {
            const rows = candlesToRows(o.hours.map((h, i) => ({ t: h * H, c: o.c + i })));
            for (const r of rows) model.set(r[0], r[4]);
            const range: Range = [o.range[0] * H, (o.range[0] + o.range[1]) * H];
            s.add([range], rows);
            ranges = mergeRanges([...ranges, range]);
          } else {
            s.dropBefore(o.at * H);
            for (const t of [...model.keys()]) if (t < o.at * H) model.delete(t);
            ranges = ranges.filter(([, b]) => b > o.at * H).map(([a, b]) => [Math.max(a, o.at * H), b]);
          }
        }
        const want = [...model.entries()].sort((x, y) => x[0] - y[0]).map(([t, c]) => ({ t, c }));
        expect(s.slice(-Infinity, Infinity)).toEqual(want);
        expect(s.length).toBe(want.length);
        expect(s.ranges).toEqual(ranges);
        for (const [from, to] of [[10, 30], [0, 5], [40, 81]]) {
          expect(s.slice(from * H, to * H)).toEqual(want.filter((k) => k.t >= from * H && k.t < to * H));
        }
      }),
    );
  });
});
