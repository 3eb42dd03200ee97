import { describe, expect, it } from 'vitest';
import { ScalarWindow, SortedWindow } from '../../src/regime/ring.js';
import { rng } from '../quality/generate.js';
import { naiveMad, naiveMean, naiveMedian, naiveStd } from './naive.js';

/** A random value stream with many exact ties (values on a coarse grid) and some continuous values. */
function stream(seed: number, length: number, grid: number): number[] {
  const u = rng(seed);
  return Array.from({ length }, () => (u() < 0.6 ? Math.floor(u() * grid) - grid / 2 : (u() - 0.5) * grid * 1.3));
}

describe('SortedWindow: rolling median and MAD against a full sort at every step', () => {
  for (const capacity of [1, 2, 3, 7, 20, 64]) {
    for (const grid of [4, 1000]) {
      it(`capacity ${capacity}, values on a grid of ${grid} (${grid === 4 ? 'mostly ties' : 'few ties'}), through eviction`, () => {
        const xs = stream(capacity * 31 + grid, capacity * 6 + 50, grid);
        const w = new SortedWindow(capacity);
        expect(w.size).toBe(0);
        expect(Number.isNaN(w.median())).toBe(true);
        expect(w.mad()).toBe(0);
        for (let t = 0; t < xs.length; t++) {
          w.push(xs[t]);
          const held = xs.slice(Math.max(0, t + 1 - capacity), t + 1);
          expect(w.size).toBe(held.length);
          expect(w.median()).toBe(naiveMedian(held));
          // Both compute 1.4826 × (a median of exact differences): equal up to one rounding of the product.
          expect(Math.abs(w.mad() - naiveMad(held))).toBeLessThanOrEqual(1e-12 * Math.max(1, naiveMad(held)));
        }
      });
    }
  }

  it('hand case: [1, 2, 2, 9] -> median 2, MAD 1.4826 × median(|1,0,0,7|) = 1.4826 × 0.5; evicting 1 -> [2, 2, 9, 4]', () => {
    const w = new SortedWindow(4);
    for (const x of [1, 2, 2, 9]) w.push(x);
    expect(w.median()).toBe(2);
    expect(w.mad()).toBeCloseTo(1.4826 * 0.5, 14);
    w.push(4); // 1 leaves: [2, 2, 9, 4] sorted [2, 2, 4, 9]: median 3, |dev| = [1, 1, 1, 6] -> 1
    expect(w.median()).toBe(3);
    expect(w.mad()).toBeCloseTo(1.4826, 14);
    w.push(2); // the oldest 2 leaves and a new 2 arrives: [2, 9, 4, 2], sorted [2, 2, 4, 9] again
    expect(w.median()).toBe(3);
    expect(w.mad()).toBeCloseTo(1.4826 * 1, 14);
    w.push(2); // [9, 4, 2, 2] sorted [2, 2, 4, 9] still
    w.push(2); // [4, 2, 2, 2]: median 2, |dev| [2, 0, 0, 0] -> 0
    expect(w.median()).toBe(2);
    expect(w.mad()).toBe(0);
  });
});

describe('ScalarWindow: mean, sample std and lags against two-pass sums', () => {
  for (const capacity of [1, 2, 5, 33]) {
    it(`capacity ${capacity}, through several exact recomputes`, () => {
      const u = rng(capacity + 7);
      const w = new ScalarWindow(capacity);
      const xs: number[] = [];
      expect(Number.isNaN(w.mean())).toBe(true);
      expect(w.std()).toBe(0);
      // A level far from 0 with small noise: the cancellation case for running sums of squares.
      for (let t = 0; t < capacity * 7 + 11; t++) {
        const x = (t % 50 < 25 ? 1e3 : -2) + (u() - 0.5);
        xs.push(x);
        w.push(x);
        const held = xs.slice(Math.max(0, xs.length - capacity));
        expect(w.size).toBe(held.length);
        expect(Math.abs(w.mean() - naiveMean(held))).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(naiveMean(held))));
        // Running sums carry absolute error ~eps·Σx² ≈ 1e-10 here; the std of uniform(−0.5, 0.5) is ≈ 0.29.
        expect(Math.abs(w.std() - naiveStd(held))).toBeLessThanOrEqual(5e-6);
        for (let lag = 0; lag < held.length; lag++) expect(w.get(lag)).toBe(held[held.length - 1 - lag]);
      }
    });
  }
});

describe('ScalarWindow: exact recompute', () => {
  it('a huge value that has left the window leaves no trace once a recompute has run (within `capacity` pushes)', () => {
    const u = rng(3);
    const capacity = 10;
    const w = new ScalarWindow(capacity);
    const xs: number[] = [];
    const push = (x: number) => {
      xs.push(x);
      w.push(x);
    };
    for (let t = 0; t < 27; t++) push(u());
    push(1e8); // x² = 1e16: subtracting it back from the running sum of squares leaves an error of order 1
    for (let t = 0; t < 2 * capacity; t++) push(u());
    const held = xs.slice(-capacity);
    expect(Math.abs(w.mean() - naiveMean(held))).toBeLessThan(1e-12);
    expect(Math.abs(w.std() - naiveStd(held))).toBeLessThan(1e-9);
  });
});
