import { describe, expect, it } from 'vitest';
import { mstLength } from '../../src/stats/tree.js';
import { rng } from './helpers.js';

/** Kruskal's algorithm with union–find over all pairs: an independent MST (second method). */
function kruskal(corr: Float64Array, N: number): number {
  const edges: [number, number, number][] = [];
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) edges.push([Math.sqrt(2 * (1 - corr[i * N + j])), i, j]);
  edges.sort((a, b) => a[0] - b[0]);
  const parent = Array.from({ length: N }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  let total = 0;
  for (const [d, i, j] of edges) {
    const a = find(i);
    const b = find(j);
    if (a !== b) {
      parent[a] = b;
      total += d;
    }
  }
  return total / (N - 1);
}

describe('mstLength', () => {
  it('matches a hand case', () => {
    // ρ12 = .5 → d = sqrt(1) = 1; ρ13 = 0 → d = √2; ρ23 = −.5 → d = √3. MST = {1–2, 1–3}: L = (1 + √2)/2
    const c = Float64Array.of(1, 0.5, 0, 0.5, 1, -0.5, 0, -0.5, 1);
    expect(mstLength(c, 3)).toBeCloseTo((1 + Math.SQRT2) / 2, 15);
    // two series: the single edge
    expect(mstLength(Float64Array.of(1, 0.5, 0.5, 1), 2)).toBeCloseTo(1, 15);
    // perfectly correlated basket: every distance 0
    expect(mstLength(new Float64Array(16).fill(1), 4)).toBe(0);
  });

  it('agrees with Kruskal on random correlation-like matrices (second method)', () => {
    const u = rng(41);
    for (const N of [4, 9, 30]) {
      const c = new Float64Array(N * N);
      for (let i = 0; i < N; i++) {
        c[i * N + i] = 1;
        for (let j = i + 1; j < N; j++) c[i * N + j] = c[j * N + i] = 2 * u() - 1;
      }
      expect(mstLength(c, N)).toBeCloseTo(kruskal(c, N), 13);
    }
  });
});
