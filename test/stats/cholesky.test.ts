import { Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/domain/random.js';
import { choleskyInverse } from '../../src/stats/cholesky.js';

describe('choleskyInverse', () => {
  it('inverts a 2×2 matrix as by hand', () => {
    // [[4, 2], [2, 3]]⁻¹ = [[3, −2], [−2, 4]] / 8
    const out = new Float64Array(4);
    expect(choleskyInverse(Float64Array.from([4, 2, 2, 3]), 2, out)).toBe(true);
    expect(Array.from(out)).toEqual([3 / 8, -2 / 8, -2 / 8, 4 / 8].map((v) => expect.closeTo(v, 14)));
  });

  it('equals ml-matrix inverse on random symmetric positive-definite matrices (N = 1..40)', () => {
    const u = mulberry32(1);
    for (const n of [1, 3, 7, 20, 40]) {
      const F = new Matrix(Array.from({ length: n }, () => Array.from({ length: n + 2 }, () => u() - 0.5)));
      const A = F.mmul(F.transpose());
      const out = new Float64Array(n * n);
      expect(choleskyInverse(Float64Array.from(A.to1DArray()), n, out)).toBe(true);
      const want = inverse(A).to1DArray();
      const scale = Math.max(...want.map(Math.abs));
      want.forEach((v, i) => expect(Math.abs(out[i] - v) / scale).toBeLessThan(1e-9));
    }
  });

  it('reports a matrix that is not positive definite', () => {
    const out = new Float64Array(4);
    expect(choleskyInverse(Float64Array.from([1, 2, 2, 1]), 2, out)).toBe(false);
    expect(choleskyInverse(Float64Array.from([0, 0, 0, 1]), 2, out)).toBe(false);
    expect(() => choleskyInverse(new Float64Array(3), 2, out)).toThrow(RangeError);
  });
});
