import { DataError } from '../domain/errors.js';
import { correlationFromMoments, matrixOutput, MIN_RETURNS, requireReturns, zeroVariance } from './guards.js';

const SMALLEST_NORMAL = 2.2250738585072014e-308;

export interface EwmaOptions {
  /** Fewest returns before `correlation()` answers (default MIN_RETURNS = 20). */
  minReturns?: number;
}

/**
 * RiskMetrics EWMA correlation of N return series (zero-mean convention, docs/methods.md §5):
 *   S_t = λ S_{t−1} + (1 − λ) r_t r_tᵀ,   ρ_ij = S_ij / sqrt(S_ii S_jj).
 * Initialisation: S_0 = 0 (no prior guess), so S_t = (1 − λ) Σ_{k<=t} λ^{t−k} r_k r_kᵀ. The weights then sum to
 * 1 − λ^t rather than 1; the correlation, a ratio, is unaffected. O(N²) per push, no allocation.
 */
export class EwmaCorrelation {
  readonly assets: number;
  readonly lambda: number;
  private readonly minReturns: number;
  private readonly s: Float64Array; // upper triangle
  private readonly sd: Float64Array;
  private n = 0;

  constructor(assets: number, lambda: number, opts: EwmaOptions = {}) {
    if (!Number.isInteger(assets) || assets < 1) throw new RangeError(`assets must be a positive integer, got ${assets}`);
    if (!(lambda > 0 && lambda < 1)) throw new RangeError(`lambda must be in (0, 1), got ${lambda}`);
    this.assets = assets;
    this.lambda = lambda;
    this.minReturns = opts.minReturns ?? MIN_RETURNS;
    this.s = new Float64Array(assets * assets);
    this.sd = new Float64Array(assets);
  }

  /** Returns pushed so far. */
  get count(): number {
    return this.n;
  }

  /**
   * Fold in the newest row of N returns: S ← λS + (1 − λ) r rᵀ. The row is validated before any update.
   *
   * @throws DataError 'length_mismatch', 'non_finite_price' (series index).
   */
  push(row: ArrayLike<number>): void {
    const N = this.assets;
    if (row.length !== N) throw new DataError('length_mismatch', `row has ${row.length} values, expected ${N}`);
    for (let i = 0; i < N; i++) {
      if (!Number.isFinite(row[i])) throw new DataError('non_finite_price', `return of series ${i} is ${row[i]}`, i);
    }
    const { s, lambda } = this;
    const w = 1 - lambda;
    for (let i = 0; i < N; i++) {
      const ri = w * row[i];
      const o = i * N;
      for (let j = i; j < N; j++) s[o + j] = lambda * s[o + j] + ri * row[j];
    }
    this.n++;
  }

  private output(out: Float64Array | undefined): Float64Array {
    requireReturns(this.n, this.minReturns);
    return matrixOutput(this.assets, out);
  }

  /**
   * EWMA correlation ρ_ij = S_ij / (sqrt(S_ii)·sqrt(S_jj)), N×N row-major, clamped to [-1, 1], diagonal 1.
   *
   * @throws DataError 'too_few_returns' (count < minReturns); 'zero_variance' (series index) when S_ii is 0 or has
   *   decayed below the smallest normal double (a series that has not moved for thousands of bars), where the
   *   ratio would be meaningless.
   */
  correlation(out?: Float64Array): Float64Array {
    const res = this.output(out);
    const N = this.assets;
    const { s, sd } = this;
    for (let i = 0; i < N; i++) {
      const v = s[i * N + i];
      if (!(v >= SMALLEST_NORMAL)) throw zeroVariance(i);
      sd[i] = 1 / Math.sqrt(v);
    }
    return correlationFromMoments(s, sd, N, res);
  }
}
