// Shared by the HMM tests: a seeded normal generator, the Gaussian density, and a simulator of a known chain.
import { mulberry32 } from '../../src/domain/random.js';
import type { HmmParams } from '../../src/regime/hmm.js';

export const rng = mulberry32;

export function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export function density(y: number, mean: number, variance: number): number {
  return Math.exp(-((y - mean) ** 2) / (2 * variance)) / Math.sqrt(2 * Math.PI * variance);
}

/** Simulates T observations from p; returns the series and the true states. */
export function simulate(p: HmmParams, T: number, seed: number): { y: Float64Array; s: Int32Array } {
  const u = rng(seed);
  const k = p.k;
  const y = new Float64Array(T);
  const s = new Int32Array(T);
  const draw = (probs: ArrayLike<number>, off: number): number => {
    let r = u();
    for (let j = 0; j < k - 1; j++) {
      r -= probs[off + j];
      if (r < 0) return j;
    }
    return k - 1;
  };
  for (let t = 0; t < T; t++) {
    s[t] = t === 0 ? draw(p.initial, 0) : draw(p.transition, s[t - 1] * k);
    y[t] = p.means[s[t]] + Math.sqrt(p.variances[s[t]]) * normal(u);
  }
  return { y, s };
}
