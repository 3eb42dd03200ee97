import { checkSquare } from './guards.js';

/**
 * Normalized length of the minimum spanning tree of the correlation distance d_ij = sqrt(2(1 − ρ_ij)):
 *   L = (1/(N − 1)) Σ_{(i,j) ∈ MST} d_ij
 * (Onnela, Chakraborti, Kaski & Kertész, "Dynamic asset trees and Black Monday", Physica A 2003; docs/methods.md §8).
 * A shrinking tree means assets are moving together. Prim's algorithm on the dense matrix, O(N²), no allocation
 * beyond two length-N arrays. ρ is clamped to [-1, 1]; diagnostic only, not an alert trigger.
 */
export function mstLength(corr: Float64Array, N: number): number {
  checkSquare(corr, N);
  if (N < 2) throw new RangeError('a spanning tree needs at least 2 series');
  const inTree = new Uint8Array(N);
  const best = new Float64Array(N).fill(Infinity);
  const dist = (i: number, j: number) => {
    const r = corr[i * N + j];
    return Math.sqrt(2 * (1 - (r > 1 ? 1 : r < -1 ? -1 : r)));
  };
  inTree[0] = 1;
  for (let j = 1; j < N; j++) best[j] = dist(0, j);
  let total = 0;
  for (let added = 1; added < N; added++) {
    let k = -1;
    for (let j = 0; j < N; j++) if (!inTree[j] && (k < 0 || best[j] < best[k])) k = j;
    total += best[k];
    inTree[k] = 1;
    for (let j = 0; j < N; j++) {
      if (!inTree[j]) {
        const d = dist(k, j);
        if (d < best[j]) best[j] = d;
      }
    }
  }
  return total / (N - 1);
}
