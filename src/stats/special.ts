/**
 * Special functions for the significance tests, each accurate in the far tail (relative error ~1e-14 down to
 * the underflow threshold), which the usual "1 − CDF" forms are not.
 */

const SQRT_PI = Math.sqrt(Math.PI);
const EPS = 1e-16;
const TINY = 1e-300;

/** e^{−x²} with x² split as hi² + (x − hi)(x + hi), hi = x rounded to 24 bits so hi² is exact: no x² rounding error. */
function expMinusSquare(x: number): number {
  const hi = Math.fround(x);
  return Math.exp(-hi * hi) * Math.exp(-(x - hi) * (x + hi));
}

/**
 * Complementary error function erfc(x) = (2/√π) ∫_x^∞ e^{−s²} ds, relative error ~1e-15 for x >= 0 down to
 * underflow (x ≈ 27). For x < 1: 1 − erf(x) with erf(x) = (2/√π) e^{−x²} Σ_n 2^n x^{2n+1} / (1·3···(2n+1))
 * (all terms positive, Abramowitz & Stegun 7.1.6). For x >= 1: Laplace's continued fraction
 * erfc(x) = (e^{−x²}/√π) · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) (A&S 7.1.14) evaluated by modified Lentz
 * (Numerical Recipes §5.2). erfc(−x) = 2 − erfc(x).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) throw new RangeError('erfc of NaN');
  if (x < 0) return 2 - erfc(-x);
  if (x < 1) {
    const x2 = 2 * x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= x2 / (2 * n + 1);
      sum += term;
      if (term < EPS * sum) break;
    }
    return 1 - (2 / SQRT_PI) * expMinusSquare(x) * sum;
  }
  if (x > 27.5) return 0; // erfc(27.5) < 1e-330: below the smallest double
  // g = x + a1/(x + a2/(x + ...)), a_k = k/2
  let f = x;
  let c = f;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    const a = k / 2;
    d = x + a * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = x + a / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return expMinusSquare(x) / (SQRT_PI * f);
}

/**
 * Two-sided standard normal tail P(|Z| >= |z|) = erfc(|z|/√2), tail-accurate (see `erfc`).
 */
export function normalTwoSidedP(z: number): number {
  if (Number.isNaN(z)) throw new RangeError('normalTwoSidedP of NaN');
  return erfc(Math.abs(z) / Math.SQRT2);
}

/**
 * The u >= 0 with erfc(u) = q, for q in (0, 1]. Newton's method on h(u) = ln erfc(u) − ln q, which is concave
 * and decreasing in u (its derivative −(2/√π) e^{−u²}/erfc(u) decreases). The start u0 = sqrt(−ln q) is at or
 * right of the root because erfc(u) <= e^{−u²} (the Chernoff bound), and from the right of the root of a concave
 * decreasing function Newton's iterates decrease monotonically to it: no bracketing, no overshoot.
 */
function erfcInvUpper(q: number): number {
  const lnq = Math.log(q);
  let u = Math.sqrt(-lnq);
  for (let k = 0; k < 200; k++) {
    const e = erfc(u);
    if (e === 0) {
      u *= 0.999; // only for q within a few ulps of underflow
      continue;
    }
    const slope = (-2 / SQRT_PI) * expMinusSquare(u) / e; // d/du ln erfc(u)
    const step = (Math.log(e) - lnq) / slope;
    u -= step;
    if (Math.abs(step) <= 4 * EPS * Math.max(1, u)) break;
  }
  return u;
}

/**
 * Standard normal quantile Φ⁻¹(p) for p in (0, 1): Φ⁻¹(p) = −√2 · erfc⁻¹(2p), with erfc⁻¹ solved by Newton
 * (see erfcInvUpper); symmetric, Φ⁻¹(1 − p) = −Φ⁻¹(p). Accurate to ~1e-15 relative; tail-accurate for small p.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  if (p === 0.5) return 0;
  return p < 0.5 ? -Math.SQRT2 * erfcInvUpper(2 * p) : Math.SQRT2 * erfcInvUpper(2 * (1 - p));
}

// Bernoulli-number coefficients B_2k / (2k(2k−1)) of the Stirling series for ln Γ.
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400];

/**
 * D(a) = ln Γ(a + 1/2) − ln Γ(a) for a > 0, without the cancellation of two large ln Γ values.
 * For a >= 15, the difference of Stirling series (A&S 6.1.40):
 *   D(a) = a·ln(1 + 1/(2a)) − 1/2 + (1/2)·ln a + Σ_k c_k [(a + 1/2)^{1−2k} − a^{1−2k}],  c_k = B_2k/(2k(2k−1)).
 * Below, the recurrence D(a) = D(a + 1) − ln(1 + 1/(2a)) (from Γ(z + 1) = zΓ(z)).
 */
export function lnGammaHalfRatio(a: number): number {
  if (!(a > 0) || !Number.isFinite(a)) throw new RangeError(`lnGammaHalfRatio needs a finite a > 0, got ${a}`);
  let shift = 0;
  while (a < 15) {
    shift += Math.log1p(1 / (2 * a));
    a += 1;
  }
  const b = a + 0.5;
  let series = 0;
  const ia2 = 1 / (a * a);
  const ib2 = 1 / (b * b);
  let pa = 1 / a;
  let pb = 1 / b;
  for (const c of STIRLING) {
    series += c * (pb - pa);
    pa *= ia2;
    pb *= ib2;
  }
  return a * Math.log1p(1 / (2 * a)) - 0.5 + 0.5 * Math.log(a) + series - shift;
}

/**
 * Continued fraction for the incomplete beta function, I_x(a, b) = x^a (1−x)^b / (a B(a, b)) · cf, evaluated by the
 * modified Lentz method (Numerical Recipes 3rd ed. §6.4, `betacf`; A&S 26.5.8). Converges fast for
 * x < (a + 1)/(a + b + 2). Pass y = 1 − x when it is known more precisely than 1 − x rounds (x close to 1).
 * Accuracy: ~1e-15 relative for moderate a, b; for large a (a t test with df ≳ 1e4) rounding inside the fraction
 * grows like a·eps (measured against mpmath: 2e-12 at df = 1e5, 2e-11 at df = 1e6).
 */
export function betaContinuedFraction(a: number, b: number, x: number, y: number = 1 - x): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  // 1 − (a + b)x/(a + 1); when x ≈ 1 the same value from y = 1 − x, which the caller knows without rounding.
  let d = x <= 0.5 ? 1 - (qab * x) / qap : (1 - b + qab * y) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  const maxIt = 10_000 + Math.ceil(20 * Math.sqrt(Math.max(a, b)));
  for (let m = 1; m <= maxIt; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 2 * EPS) return h;
  }
  throw new Error(`incomplete beta continued fraction did not converge (a=${a}, b=${b}, x=${x})`);
}

/**
 * Regularized incomplete beta I_x(a, 1/2), given x and y = 1 − x separately (each computed without cancellation
 * by the caller) and their logs. The prefactor x^a y^{1/2} / B(a, 1/2) is formed in log space with
 * ln B(a, 1/2) = ln Γ(1/2) − D(a), so results stay accurate down to ~1e-300. NR §6.4 `betai`, with the symmetry
 * I_x(a, b) = 1 − I_y(b, a) on the side where the fraction converges slowly.
 */
export function incompleteBetaHalf(a: number, x: number, y: number, lnx: number, lny: number): number {
  if (lnx === -Infinity) return 0;
  if (lny === -Infinity) return 1;
  const lnB = 0.5 * Math.log(Math.PI) - lnGammaHalfRatio(a);
  const front = Math.exp(a * lnx + 0.5 * lny - lnB);
  const v = x < (a + 1) / (a + 2.5) ? (front * betaContinuedFraction(a, 0.5, x, y)) / a : 1 - (front * betaContinuedFraction(0.5, a, y, x)) / 0.5;
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
