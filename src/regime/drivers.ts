import type { Driver } from './types.js';

/**
 * The `k` pairs whose correlation rose most from the baseline to the current window (largest ρ_ij − ρ_ij^base),
 * by a single pass keeping the k best (O(N²·k), no allocation per pair).
 */
export function topDrivers(symbols: string[], corr: Float64Array, baseCorr: Float64Array, k: number): Driver[] {
  const n = symbols.length;
  const best: { i: number; j: number; d: number }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = corr[i * n + j] - baseCorr[i * n + j];
      if (best.length < k || d > best[best.length - 1].d) {
        best.push({ i, j, d });
        best.sort((x, y) => y.d - x.d);
        if (best.length > k) best.pop();
      }
    }
  }
  return best.map(({ i, j, d }) => ({ a: symbols[i], b: symbols[j], rho: corr[i * n + j], baselineRho: baseCorr[i * n + j], delta: d }));
}
