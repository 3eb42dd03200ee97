import { DataError } from '../domain/errors.js';
import { incompleteBetaHalf, normalQuantile, normalTwoSidedP } from './special.js';
import { clampedAtanh } from './summary.js';

/** z for a two-sided 95% interval, Φ⁻¹(0.975) (the fixture's convention). */
export const Z95 = 1.959963984540054;

function checkR(r: number): void {
  if (!(r >= -1 && r <= 1)) throw new RangeError(`a correlation must be in [-1, 1], got ${r}`);
}

function checkN(n: number, min: number, what: string): void {
  if (!Number.isInteger(n)) throw new RangeError(`n must be an integer, got ${n}`);
  if (n < min) throw new DataError('too_few_returns', `${what} needs at least ${min} returns, got ${n}`);
}

/**
 * Two-sided p-value of H0: ρ = 0 for a sample correlation r on n pairs: t = r·sqrt((n−2)/(1−r²)), df = n − 2
 * (docs/methods.md §1). Computed without forming t: x = df/(df + t²) = 1 − r² = (1 − |r|)(1 + |r|), so |r| close to 1
 * loses nothing; |r| = 1 gives 0.
 *
 * @throws DataError 'too_few_returns' when n < 3 (df = n − 2 must be positive); RangeError when r ∉ [-1, 1].
 */
export function correlationPValue(r: number, n: number): number {
  checkR(r);
  checkN(n, 3, 'a correlation p-value');
  const a = Math.abs(r);
  if (a === 1) return 0;
  const x = (1 - a) * (1 + a);
  const lnx = Math.log1p(-a) + Math.log1p(a);
  const y = a * a;
  return incompleteBetaHalf((n - 2) / 2, x, y, lnx, 2 * Math.log(a));
}

/**
 * Fisher confidence interval for a correlation: tanh(atanh(r) ± z/sqrt(n − 3)), z = Φ⁻¹((1 + level)/2)
 * (Fisher 1921; docs/methods.md §1). For level 0.95, z = 1.959963984540054 exactly (Z95); otherwise from the inverse
 * normal. |r| = 1 gives [r, r].
 *
 * @throws DataError 'too_few_returns' when n < 4; RangeError when r ∉ [-1, 1] or level ∉ (0, 1).
 */
export function fisherCI(r: number, n: number, level = 0.95): [number, number] {
  checkR(r);
  checkN(n, 4, 'a Fisher confidence interval');
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  if (Math.abs(r) === 1) return [r, r];
  const z = level === 0.95 ? Z95 : normalQuantile((1 + level) / 2);
  const zr = Math.atanh(r);
  const h = z / Math.sqrt(n - 3);
  return [Math.tanh(zr - h), Math.tanh(zr + h)];
}

/**
 * Fisher z test of equal correlations in two independent (disjoint) samples (docs/methods.md §4):
 *   Z = (atanh r1 − atanh r2) / sqrt(1/(n1 − 3) + 1/(n2 − 3)),  p = 2·(1 − Φ(|Z|)) = erfc(|Z|/√2),
 * the normal tail computed directly (tail-accurate). |r| is clamped to 1 − 1e-12 first so Z stays finite.
 *
 * @throws DataError 'too_few_returns' when n1 or n2 < 4; RangeError when r1 or r2 ∉ [-1, 1].
 */
export function fisherZTest(r1: number, n1: number, r2: number, n2: number): { z: number; pValue: number } {
  checkR(r1);
  checkR(r2);
  checkN(n1, 4, 'a Fisher z test');
  checkN(n2, 4, 'a Fisher z test');
  const z = (clampedAtanh(r1) - clampedAtanh(r2)) / Math.sqrt(1 / (n1 - 3) + 1 / (n2 - 3));
  return { z, pValue: normalTwoSidedP(z) };
}
