import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/domain/random.js';
import { HaltTracker } from '../../src/regime/halts.js';
import { naiveHalts } from './naive.js';

describe('HaltTracker', () => {
  it('marks the third zero return in a row and later ones missing, and the first move after them (it spans the halt)', () => {
    const h = new HaltTracker(2);
    // Symbol 0: a halt of four bars; symbol 1: one and two zeros in a row (data: a price that did not tick).
    const rows = [
      [0.01, 0.02],
      [0, 0],
      [0, 0.01],
      [0, 0],
      [0, 0],
      [0.05, 0.01],
      [0.01, 0.02],
    ];
    const seen = rows.map((r) => {
      const count = h.update(r);
      return { count, missing: Array.from(h.missing) };
    });
    expect(seen.map((s) => s.missing)).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 0],
    ]);
    expect(seen.map((s) => s.count)).toEqual([0, 0, 0, 1, 1, 1, 0]);
  });

  it('a run shorter than minRun is data, including the move after it; minRun 1 marks every zero of a symbol that never sat still', () => {
    const h = new HaltTracker(1, 1);
    expect(h.update([0])).toBe(1);
    expect(h.update([0.1])).toBe(1); // spans the one-bar halt
    expect(h.update([0.1])).toBe(0);
    expect(() => new HaltTracker(2, 0)).toThrow(RangeError);
    expect(() => new HaltTracker(2, 3, 1)).toThrow(RangeError);
  });

  it('the run that makes a halt grows with the rate of zero returns: the least L >= 3 with p^L < 1/1000', () => {
    const h = new HaltTracker(1);
    // By hand: 0.4^7 = 0.0016, 0.4^8 = 0.00066 -> 8; 0.7^19 = 0.0011, 0.7^20 = 0.0008 -> 20; 0.1^3 = 0.001 (not below) -> 4.
    expect([0, 0.01, 0.1, 0.4, 0.7, 1].map((p) => h.runFor(p))).toEqual([3, 3, 4, 8, 20, Infinity]);
  });

  it('an illiquid symbol (zero returns on about half its bars) is not halted by its usual runs, but is by a long one', () => {
    const u = mulberry32(8);
    const h = new HaltTracker(1);
    let marked = 0;
    for (let t = 0; t < 2000; t++) marked += h.update([u() < 0.5 ? 0 : 0.01]);
    // Runs of 10 or more zeros (p^10 = 1/1024 at p = 0.5) are rare here: a handful at most in 2,000 bars.
    expect(marked).toBeLessThan(30);
    // 30 unchanged bars are a halt: missing from the 10th zero (0.5^10 < 1/1000) and the move after the run.
    const flags: number[] = [];
    for (let t = 0; t < 30; t++) flags.push(h.update([0]));
    flags.push(h.update([0.01]));
    expect(flags.indexOf(1)).toBeGreaterThanOrEqual(8);
    expect(flags.indexOf(1)).toBeLessThanOrEqual(11);
    expect(flags.slice(flags.indexOf(1))).toEqual(flags.slice(flags.indexOf(1)).map(() => 1));
  });

  it('equals the naive rule (look back along each symbol) on random series full of zero runs', () => {
    const u = mulberry32(5);
    for (const minRun of [1, 3, 5]) {
      // Symbols with different rates of zero returns, and a long halt in one of them.
      const rows = Array.from({ length: 400 }, (_, t) => [0.05, 0.3, 0.6, 0.2].map((p, i) => ((i === 3 && t >= 200 && t < 260) || u() < p ? 0 : u() - 0.5)));
      const want = naiveHalts(rows, minRun);
      const h = new HaltTracker(4, minRun);
      let marked = 0;
      rows.forEach((r, t) => {
        const count = h.update(r);
        expect(Array.from(h.missing, (m) => m === 1)).toEqual(want[t]);
        expect(count).toBe(want[t].filter(Boolean).length);
        marked += count;
      });
      expect(marked).toBeGreaterThan(0);
    }
  });
});
