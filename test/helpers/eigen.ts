import { checkSquare } from '../../src/stats/guards.js';
import { jacobiEigen } from '../../src/stats/eigen.js';

/**
 * Eigenvalues of a real symmetric N×N row-major matrix, descending, by the cyclic Jacobi method (`jacobiEigen`, the
 * small dense solver inside TopEigen's Rayleigh–Ritz step), on a copy: how the tests check it against ml-matrix and
 * how bench/rolling.ts times it against ml-matrix.
 */
export function jacobiEigenvalues(m: Float64Array, N: number): Float64Array {
  checkSquare(m, N);
  const values = new Float64Array(N);
  jacobiEigen(Float64Array.from(m), N, values);
  return values;
}
