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

  it('a run shorter than minRun is data, including the move after it; minRun 1 marks every zero', () => {
    const h = new HaltTracker(1, 1);
    expect(h.update([0])).toBe(1);
    expect(h.update([0.1])).toBe(1); // spans the one-bar halt
    expect(h.update([0.1])).toBe(0);
    expect(() => new HaltTracker(2, 0)).toThrow(RangeError);
  });

  it('equals the naive rule (look back along each symbol) on random series full of zero runs', () => {
    const u = mulberry32(5);
    for (const minRun of [1, 2, 3, 5]) {
      const rows = Array.from({ length: 400 }, () => Array.from({ length: 4 }, () => (u() < 0.45 ? 0 : u() - 0.5)));
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
