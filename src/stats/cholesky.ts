/**
 * Inverse of a symmetric positive-definite N×N row-major matrix by the Cholesky factorisation A = L·Lᵀ
 * (Golub & Van Loan, Matrix Computations, 4th ed., §4.2): L column by column, then L⁻¹ by forward substitution,
 * then A⁻¹ = L⁻ᵀ·L⁻¹. About N³ multiply-adds. Returns false (and leaves `out` unspecified) when a pivot is not
 * positive, i.e. the matrix is not numerically positive definite.
 *
 * @param scratch N×N workspace (overwritten); `out` receives the full symmetric inverse.
 */
export function choleskyInverse(a: Float64Array, n: number, out: Float64Array, scratch: Float64Array = new Float64Array(n * n)): boolean {
  if (a.length !== n * n || out.length !== n * n || scratch.length !== n * n) throw new RangeError(`choleskyInverse: expected ${n}×${n} arrays`);
  const L = scratch;
  L.fill(0);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  // Invert L in place (lower triangular): M = L⁻¹.
  for (let j = 0; j < n; j++) {
    L[j * n + j] = 1 / L[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= L[i * n + k] * L[k * n + j];
      L[i * n + j] = s / L[i * n + i];
    }
  }
  // A⁻¹ = Mᵀ·M: (A⁻¹)_ij = Σ_{k ≥ max(i,j)} M_ki·M_kj.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += L[k * n + i] * L[k * n + j];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return true;
}
