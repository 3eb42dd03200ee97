import { describe, expect, it } from 'vitest';
import { topDrivers } from '../../src/regime/drivers.js';
import { VolatilityScaler } from '../../src/regime/vol-scaler.js';
import { normal, rng } from '../quality/generate.js';
import { naiveVolScale } from './naive.js';

describe('VolatilityScaler against a naive EWMA recursion', () => {
  it('constants: 20 seeding returns, clip at 2.5', () => {
    expect(VolatilityScaler.WARMUP).toBe(20);
    expect(VolatilityScaler.CLIP).toBe(2.5);
  });

  for (const halfLife of [1, 6, 14]) {
    it(`half-life ${halfLife}: every output equals clip(r_t / σ_{t−1}, ±2.5), with volatility bursts and a zero-variance asset`, () => {
      const u = rng(100 + halfLife);
      const z = normal(u);
      const n = 4;
      const T = 400;
      const rows: number[][] = [];
      for (let t = 0; t < T; t++) {
        const vol = t % 120 < 100 ? 0.01 : 0.06; // bursts: the lagged variance makes some outputs clip
        // asset 3 is flat during the seeding (σ² = 0), then moves: its first outputs are 0 until σ² > 0.
        rows.push([vol * z(), vol * z(), 0.02 * z(), t < 25 ? 0 : 0.01 * z()]);
      }
      const want = naiveVolScale(rows, halfLife);
      const s = new VolatilityScaler(n, halfLife);
      const out = new Float64Array(n);
      let clipped = 0;
      let zeroes = 0;
      for (let t = 0; t < T; t++) {
        const ok = s.scale(rows[t], out);
        const w = want[t];
        expect(ok).toBe(w !== undefined);
        if (!w) continue;
        for (let i = 0; i < n; i++) {
          expect(Math.abs(out[i] - w[i])).toBeLessThanOrEqual(1e-12);
          if (Math.abs(w[i]) === 2.5) clipped++;
          if (i === 3 && w[i] === 0) zeroes++;
        }
      }
      // The scenario exercises both edge paths of the recursion.
      expect(clipped).toBeGreaterThan(0);
      expect(zeroes).toBeGreaterThan(0);
    });
  }

  it('with an outlier cap and missing returns: every output equals the naive recursion (σ² input min(r², k²σ²); a missing return gives 0 and keeps σ²)', () => {
    const u = rng(77);
    const z = normal(u);
    const n = 3;
    const T = 500;
    const rows: number[][] = [];
    const missing: boolean[][] = [];
    for (let t = 0; t < T; t++) {
      // Jumps of 30σ now and then in asset 0, a lasting ×4 rise in asset 1 from bar 350, asset 2 halted over bars 100-279.
      const jump = t % 97 === 50 ? 0.3 : 0;
      rows.push([0.01 * z() + jump, (t < 350 ? 0.01 : 0.04) * z(), t >= 100 && t < 280 ? 0 : 0.01 * z()]);
      missing.push([false, false, t >= 101 && t <= 280]);
    }
    const want = naiveVolScale(rows, 14, 20, Infinity, { outlierCap: 5, missing });
    const uncapped = naiveVolScale(rows, 14, 20, Infinity);
    const s = new VolatilityScaler(n, 14, null, 5);
    const out = new Float64Array(n);
    for (let t = 0; t < T; t++) {
      const mask = Uint8Array.from(missing[t], (m) => (m ? 1 : 0));
      expect(s.scale(rows[t], out, mask)).toBe(want[t] !== undefined);
      if (!want[t]) continue;
      for (let i = 0; i < n; i++) expect(Math.abs(out[i] - want[t]![i])).toBeLessThanOrEqual(1e-12);
    }
    // What the guards change: after a jump, asset 0's next return is scaled by a σ about 5× smaller than uncapped
    // (the jump counts as 5σ, not 30σ); after the halt, asset 2's first moves are ordinary, not tens of σ.
    const after = 51 + 97;
    expect(Math.abs(want[after]![0] / uncapped[after]![0])).toBeGreaterThan(2);
    expect(Math.max(...want.slice(280, 290).map((r) => Math.abs(r![2])))).toBeLessThan(5);
    expect(Math.max(...uncapped.slice(280, 290).map((r) => Math.abs(r![2])))).toBeGreaterThan(10);
    // The lasting rise still comes through: 10 bars after it, asset 1's scaled returns are back to ordinary size.
    const late = want.slice(360, 450).map((r) => r![1] * r![1]);
    expect(late.reduce((a, b) => a + b, 0) / late.length).toBeLessThan(2);
  });

  it('refuses a cap that is not positive', () => {
    expect(() => new VolatilityScaler(2, 5, null, 0)).toThrow(RangeError);
  });

  it('hand case, half-life 1 (λ = 1/2): seed σ² = mean of 20 squares = 1; then r = 3 -> clip 2.5; σ² = (1 + 9)/2 = 5; r = 1 -> 1/√5', () => {
    const s = new VolatilityScaler(1, 1);
    const out = new Float64Array(1);
    for (let t = 0; t < 20; t++) expect(s.scale([t % 2 ? 1 : -1], out)).toBe(false);
    expect(s.scale([3], out)).toBe(true);
    expect(out[0]).toBe(2.5);
    expect(s.scale([1], out)).toBe(true);
    expect(out[0]).toBeCloseTo(1 / Math.sqrt(5), 14);
    // σ² = (5 + 1)/2 = 3; r = −12 -> −12/√3 ≈ −6.9 -> clipped to −2.5
    s.scale([-12], out);
    expect(out[0]).toBe(-2.5);
  });
});

/** Brute force: every pair, Δ = ρ − ρ_base, sorted by Δ descending with ties in (i, j) order, first k. */
function bruteDrivers(symbols: string[], corr: Float64Array, base: Float64Array, k: number) {
  const n = symbols.length;
  const all: { a: string; b: string; rho: number; baselineRho: number; delta: number }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) all.push({ a: symbols[i], b: symbols[j], rho: corr[i * n + j], baselineRho: base[i * n + j], delta: corr[i * n + j] - base[i * n + j] });
  }
  return all.sort((x, y) => y.delta - x.delta).slice(0, k);
}

function randomSymmetric(n: number, u: () => number, grid: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    m[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) m[i * n + j] = m[j * n + i] = Math.round((u() * 2 - 1) * grid) / grid;
  }
  return m;
}

describe('topDrivers against brute force', () => {
  for (const n of [2, 3, 5, 9]) {
    for (const k of [1, 3, 50]) {
      it(`N = ${n}, k = ${k}, 40 random matrices (coarse grid: many tied deltas)`, () => {
        const u = rng(n * 100 + k);
        const symbols = Array.from({ length: n }, (_, i) => `S${i}`);
        for (let rep = 0; rep < 40; rep++) {
          const grid = rep % 2 ? 4 : 1000;
          const corr = randomSymmetric(n, u, grid);
          const base = randomSymmetric(n, u, grid);
          const got = topDrivers(symbols, corr, base, k);
          const want = bruteDrivers(symbols, corr, base, k);
          expect(got.length).toBe(Math.min(k, (n * (n - 1)) / 2));
          // Same deltas in the same order, and among equal deltas the earlier pair (i, j) first, as a stable sort.
          expect(got.map((d) => d.delta)).toEqual(want.map((d) => d.delta));
          expect(got).toEqual(want);
        }
      });
    }
  }
});
