import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { DataError } from '../domain/errors.js';
import { checkSquare } from './guards.js';

function descending(a: Float64Array): Float64Array {
  return a.sort().reverse();
}

/**
 * Cyclic Jacobi method on a real symmetric k×k row-major matrix `a` (overwritten): sweeps of plane rotations, each
 * zeroing one off-diagonal entry a_pq with t = sgn(θ)/(|θ| + sqrt(θ² + 1)), θ = (a_qq − a_pp)/(2a_pq), until
 * Σ_{p≠q} a_pq² <= (1e-16)² Σ_p a_pp² (Golub & Van Loan, Matrix Computations, 4th ed., §8.5; Numerical Recipes 3rd
 * ed. §11.1). O(k³) per sweep, typically 6–10 sweeps. Eigenvalues descending into `values`; with `vecs`, the matching
 * unit eigenvectors in its columns (row-major k×k), accumulated from the rotations.
 */
export function jacobiEigen(a: Float64Array, k: number, values: Float64Array, vecs?: Float64Array): void {
  if (vecs) {
    vecs.fill(0);
    for (let i = 0; i < k; i++) vecs[i * k + i] = 1;
  }
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < k; p++) {
      diag += a[p * k + p] * a[p * k + p];
      for (let q = p + 1; q < k; q++) off += a[p * k + q] * a[p * k + q];
    }
    if (off <= 1e-32 * diag || off === 0) break;
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = a[p * k + q];
        if (apq === 0) continue;
        const th = (a[q * k + q] - a[p * k + p]) / (2 * apq);
        const t = (th >= 0 ? 1 : -1) / (Math.abs(th) + Math.sqrt(th * th + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        const tau = s / (1 + c);
        a[p * k + p] -= t * apq;
        a[q * k + q] += t * apq;
        a[p * k + q] = 0;
        a[q * k + p] = 0;
        for (let r = 0; r < k; r++) {
          if (r !== p && r !== q) {
            const g = a[r * k + p];
            const hh = a[r * k + q];
            const gp = g - s * (hh + g * tau);
            const hq = hh + s * (g - hh * tau);
            a[r * k + p] = gp;
            a[p * k + r] = gp;
            a[r * k + q] = hq;
            a[q * k + r] = hq;
          }
          if (vecs) {
            const vp = vecs[r * k + p];
            const vq = vecs[r * k + q];
            vecs[r * k + p] = vp - s * (vq + vp * tau);
            vecs[r * k + q] = vq + s * (vp - vq * tau);
          }
        }
      }
    }
  }
  // Sort descending, permuting the eigenvector columns with the values.
  const order = Array.from({ length: k }, (_, i) => i).sort((i, j) => a[j * k + j] - a[i * k + i]);
  const tmp = vecs ? Float64Array.from(vecs) : undefined;
  for (let j = 0; j < k; j++) {
    const src = order[j];
    values[j] = a[src * k + src];
    if (vecs && tmp) for (let r = 0; r < k; r++) vecs[r * k + j] = tmp[r * k + src];
  }
}

/**
 * Eigenvalues of a real symmetric N×N row-major matrix, descending, by ml-matrix's
 * EigenvalueDecomposition(m, { assumeSymmetric: true }) (Householder tridiagonalisation + implicit QL, the
 * JAMA/EISPACK tred2/tql2 pair), as docs/methods.md §3 prescribes.
 */
export function mlMatrixEigenvalues(m: Float64Array, N: number): Float64Array {
  checkSquare(m, N);
  const evd = new EigenvalueDecomposition(Matrix.from1DArray(N, N, m), { assumeSymmetric: true });
  return descending(Float64Array.from(evd.realEigenvalues));
}

/**
 * Eigenvalues of a real symmetric N×N row-major matrix, descending. Uses `mlMatrixEigenvalues`, measured faster
 * than the cyclic Jacobi method (`jacobiEigen`) at N = 100 (see the report in bench/rolling.ts); the two agree to
 * ~1e-12 relative (test/stats/eigen.test.ts).
 */
export function symmetricEigenvalues(m: Float64Array, N: number): Float64Array {
  return mlMatrixEigenvalues(m, N);
}

/**
 * Absorption ratio AR = (Σ of the k largest eigenvalues of the covariance matrix) / trace, k = max(1, round(N/5))
 * by default (Kritzman, Li, Page & Rigobon, "Principal Components as a Measure of Systemic Risk", 2011;
 * docs/methods.md §3). The trace is Σ cov_ii (equal to Σ λ). Clamped to [0, 1] against rounding. `topSum` gives the
 * numerator: the full decomposition by default; the detector passes TopEigen.topSum (warm-started subspace iteration,
 * certified against the full decomposition to its tolerance, which it falls back to otherwise).
 *
 * @throws DataError 'zero_variance' when the trace is 0 (every series flat).
 */
export function absorptionRatio(
  cov: Float64Array,
  N: number,
  k: number = Math.max(1, Math.round(N / 5)),
  topSum: (m: Float64Array, k: number) => number = fullTopSum,
): number {
  checkSquare(cov, N);
  if (!Number.isInteger(k) || k < 1 || k > N) throw new RangeError(`k must be an integer in [1, ${N}], got ${k}`);
  let trace = 0;
  for (let i = 0; i < N; i++) trace += cov[i * N + i];
  if (!(trace > 0)) throw new DataError('zero_variance', 'every series has zero variance: the absorption ratio is undefined');
  const ar = topSum(cov, k) / trace;
  return ar < 0 ? 0 : ar > 1 ? 1 : ar;
}

/** Sum of the k largest eigenvalues by the full decomposition. */
function fullTopSum(m: Float64Array, k: number): number {
  const N = Math.round(Math.sqrt(m.length));
  const ev = symmetricEigenvalues(m, N);
  let top = 0;
  for (let i = 0; i < k; i++) top += ev[i];
  return top;
}

/**
 * Market-mode share λ1/N: the largest eigenvalue of the correlation matrix over N (its trace). docs/methods.md §3.
 */
export function largestEigenShare(corr: Float64Array, N: number): number {
  const ev = symmetricEigenvalues(corr, N);
  return ev[0] / N;
}
