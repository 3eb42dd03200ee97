import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { correlationPValue, fisherCI, fisherZTest, Z95 } from '../../src/stats/significance.js';
import { erfc, incompleteBetaHalf, normalQuantile, normalTwoSidedP } from '../../src/stats/special.js';
import { expectRelClose, rng } from './helpers.js';

/**
 * Two-sided p-value of Student's t with df degrees of freedom, P(|T| >= |t|) = I_x(df/2, 1/2), x = df / (df + t²)
 * (Abramowitz & Stegun 26.7.1 with 26.5.27), through the incomplete beta that correlationPValue uses
 * (incompleteBetaHalf), with x and 1 − x formed from u = |t|/√df without overflow or cancellation. Here it puts that
 * kernel to printed t tables, closed forms for df = 1 and 2, an independent series and mpmath, for any df, far
 * into the tail (the product asks only for the correlation test, df = n − 2).
 */
function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t)) throw new RangeError('t is NaN');
  if (!(df > 0) || !Number.isFinite(df)) throw new RangeError(`df must be a finite positive number, got ${df}`);
  const u = Math.abs(t) / Math.sqrt(df);
  if (u <= 1) {
    const q = u * u; // x = 1/(1+q), y = q/(1+q)
    const l1 = Math.log1p(q);
    return incompleteBetaHalf(df / 2, 1 / (1 + q), q / (1 + q), -l1, Math.log(q) - l1);
  }
  const v = (1 / u) * (1 / u); // x = v/(1+v), y = 1/(1+v); may underflow to 0, ln x stays finite
  const l1 = Math.log1p(v);
  return incompleteBetaHalf(df / 2, v / (1 + v), 1 / (1 + v), -2 * Math.log(u) - l1, -l1);
}

/**
 * Independent tail series for even df (A&S 26.7.3): A(t|ν) = sinθ Σ_{k<ν/2} c_k cos^{2k}θ with θ = atan(|t|/√ν),
 * c_k = Π_{m<=k} (2m−1)/(2m); since Σ_{k>=0} c_k u^k = (1 − u)^{−1/2} = 1/sinθ for u = cos²θ, the two-sided tail is
 * p = 1 − A = sinθ Σ_{k>=ν/2} c_k cos^{2k}θ: positive terms only, accurate far in the tail.
 */
function evenDfTail(t: number, nu: number): number {
  const lnU = -Math.log1p((t * t) / nu); // ln cos²θ
  const sin = Math.abs(t) / Math.sqrt(nu + t * t);
  const k0 = nu / 2;
  let lnC = 0;
  for (let m = 1; m <= k0; m++) lnC += Math.log((2 * m - 1) / (2 * m));
  let term = Math.exp(lnC + k0 * lnU);
  const u = Math.exp(lnU);
  let sum = 0;
  for (let k = k0; k < k0 + 100_000 && term > 1e-18 * sum; k++) {
    sum += term;
    term *= (u * (2 * k + 1)) / (2 * k + 2);
  }
  return sin * sum;
}

describe('studentTTwoSidedP', () => {
  it('matches printed t tables (3 decimals of t)', () => {
    // two-sided 5% critical values: df 10 → 2.228, df 30 → 2.042; 1%: df 5 → 4.032
    expect(studentTTwoSidedP(2.228, 10)).toBeCloseTo(0.05, 4);
    expect(studentTTwoSidedP(2.042, 30)).toBeCloseTo(0.05, 4);
    expect(studentTTwoSidedP(4.032, 5)).toBeCloseTo(0.01, 5);
    expect(studentTTwoSidedP(0, 7)).toBe(1);
  });

  it('matches quantiles solved to 20 digits with mpmath (independent)', () => {
    expectRelClose(studentTTwoSidedP(2.228138851986275, 10), 0.05, 1e-13);
    expectRelClose(studentTTwoSidedP(2.042272456301238, 30), 0.05, 1e-13);
    expectRelClose(studentTTwoSidedP(1.9839715185235522, 100), 0.05, 1e-13);
    expectRelClose(studentTTwoSidedP(-4.032142983555228, 5), 0.01, 1e-13);
    expectRelClose(studentTTwoSidedP(4.995826099231367, 298), 1e-6, 1e-12);
  });

  it('df = 1 (Cauchy): p = 2·atan(1/|t|)/π, tail-accurate to t = 1e200', () => {
    for (const t of [1e-3, 0.5, 1, 3, 1e3, 1e50, 1e200]) expectRelClose(studentTTwoSidedP(t, 1), (2 * Math.atan(1 / t)) / Math.PI, 1e-13);
  });

  it('df = 2: p = 1 − |t|/sqrt(2 + t²) = 2/(s(s + |t|)), s = sqrt(2 + t²), down to p ~ 1e-200', () => {
    for (const t of [1e-3, 0.7, 2, 10, 1e5, 1e25, 1e100]) {
      const s = Math.sqrt(2 + t * t);
      expectRelClose(studentTTwoSidedP(t, 2), 2 / (s * (s + t)), 1e-13);
    }
    expectRelClose(studentTTwoSidedP(1e25, 2), 1e-50, 1e-13);
  });

  it('even df agrees with the A&S 26.7.3 tail series (second method), p from 1e-3 to 1e-250', () => {
    for (const nu of [4, 10, 58, 298]) {
      for (const t of [4, 8, 15, 40, 100, 1e4]) {
        const ref = evenDfTail(t, nu);
        if (ref < 1e-250 || ref > 1e-3) continue;
        expectRelClose(studentTTwoSidedP(t, nu), ref, 1e-12);
      }
    }
  });

  it('stays accurate for very large df (mpmath references; error grows like df·eps in the continued fraction)', () => {
    expectRelClose(studentTTwoSidedP(10, 1e5), 1.5633015300207278e-23, 1e-11);
    expectRelClose(studentTTwoSidedP(3, 1e6), 0.002699862541421797, 1e-10);
  });

  it('is 0 for infinite t and rejects bad arguments', () => {
    expect(studentTTwoSidedP(Infinity, 5)).toBe(0);
    expect(() => studentTTwoSidedP(1, 0)).toThrow(RangeError);
    expect(() => studentTTwoSidedP(NaN, 3)).toThrow(RangeError);
  });
});

describe('correlationPValue', () => {
  it('matches mpmath (50 digits) including far tails', () => {
    expectRelClose(correlationPValue(0.2, 31), 0.28070464764655445, 1e-13);
    expectRelClose(correlationPValue(0.3, 500), 7.39458633081127e-12, 1e-12);
    expectRelClose(correlationPValue(0.9, 100), 4.06340527749064e-37, 1e-12);
    expectRelClose(correlationPValue(-0.5, 1000), 2.278101929537929e-64, 1e-12);
    expectRelClose(correlationPValue(0.99, 50), 1.720759226501059e-42, 1e-12);
  });

  it('equals the t-test p-value with t = r·sqrt((n−2)/(1−r²)) (second path)', () => {
    const u = rng(5);
    for (let k = 0; k < 200; k++) {
      const r = 2 * u() - 1;
      const n = 3 + Math.floor(u() * 400);
      const t = r * Math.sqrt((n - 2) / (1 - r * r));
      expectRelClose(correlationPValue(r, n), studentTTwoSidedP(t, n - 2), 1e-11);
    }
  });

  it('handles the edges: r = 0 → 1, |r| = 1 → 0; n < 3 is too few returns', () => {
    expect(correlationPValue(0, 50)).toBe(1);
    expect(correlationPValue(1, 50)).toBe(0);
    expect(correlationPValue(-1, 5)).toBe(0);
    expect(() => correlationPValue(0.5, 2)).toThrow(DataError);
    expect(() => correlationPValue(1.1, 20)).toThrow(RangeError);
  });
});

describe('Fisher CI and z test', () => {
  it('CI matches the hand computation', () => {
    // atanh(0.5) = 0.5493061443340549, z/√(28−3) = 1.959963984540054/5 = 0.3919927969080108
    const [lo, hi] = fisherCI(0.5, 28);
    expect(lo).toBeCloseTo(Math.tanh(0.5493061443340549 - 0.3919927969080108), 15);
    expect(hi).toBeCloseTo(Math.tanh(0.5493061443340549 + 0.3919927969080108), 15);
    expect(fisherCI(1, 10)).toEqual([1, 1]);
    expect(() => fisherCI(0.5, 3)).toThrow(DataError);
  });

  it('general levels use the inverse normal: z99 = 2.5758293035489008, z90 = 1.6448536269514727 (mpmath)', () => {
    const r = 0.3;
    const n = 103; // sqrt(n − 3) = 10
    const z = Math.atanh(r);
    expect(fisherCI(r, n, 0.99)[1]).toBeCloseTo(Math.tanh(z + 0.2575829303548901), 14);
    expect(fisherCI(r, n, 0.9)[0]).toBeCloseTo(Math.tanh(z - 0.16448536269514727), 14);
    expect(normalQuantile(0.975)).toBeCloseTo(Z95, 14);
  });

  it('z test: hand case and symmetry', () => {
    // atanh 0.6 = 0.6931471805599453, atanh 0.2 = 0.2027325540540822; sqrt(1/47 + 1/97) = 0.17622400...
    const { z, pValue } = fisherZTest(0.6, 50, 0.2, 100);
    const zHand = (0.6931471805599453 - 0.2027325540540822) / Math.sqrt(1 / 47 + 1 / 97);
    expect(z).toBeCloseTo(zHand, 14);
    expect(pValue).toBeCloseTo(erfc(zHand / Math.SQRT2), 15);
    expect(fisherZTest(0.2, 100, 0.6, 50).z).toBeCloseTo(-zHand, 14);
    expect(fisherZTest(0.4, 30, 0.4, 60)).toEqual({ z: 0, pValue: 1 });
    const edge = fisherZTest(1, 30, -1, 30);
    expect(Number.isFinite(edge.z)).toBe(true);
    expect(edge.pValue).toBeGreaterThanOrEqual(0);
  });
});

describe('erfc and the normal distribution', () => {
  it('matches mpmath values (50 digits), tail-accurate', () => {
    const ref: [number, number][] = [
      [0.3, 0.6713732405408726],
      [1.5, 0.033894853524689274],
      [3, 2.2090496998585441e-5],
      [6, 2.1519736712498913e-17],
      [15, 7.212994172451207e-100],
      [26, 5.663192408856143e-296],
    ];
    for (const [x, v] of ref) expectRelClose(erfc(x), v, 2e-14);
    expect(erfc(30)).toBe(0);
    expect(erfc(0)).toBe(1);
  });

  it('agrees with the Taylor series of erf below 1 and the asymptotic series above 5 (second methods)', () => {
    for (const x of [0.01, 0.2, 0.5, 0.9]) {
      // erf x = (2/√π) Σ (−1)^n x^{2n+1} / (n! (2n+1))
      let term = x;
      let erf = x;
      for (let n = 1; n < 60; n++) {
        term *= (-x * x) / n;
        erf += term / (2 * n + 1);
      }
      expectRelClose(erfc(x), 1 - (2 / Math.sqrt(Math.PI)) * erf, 1e-14);
    }
    for (const x of [5, 10, 20, 26]) {
      // erfc x ≈ e^{−x²}/(x√π) Σ (−1)^k (2k−1)!! / (2x²)^k, truncated at 12 terms (error < next term)
      let term = 1;
      let s = 1;
      for (let k = 1; k <= 12; k++) {
        term *= -(2 * k - 1) / (2 * x * x);
        s += term;
      }
      const ref = (Math.exp(-x * x) / (x * Math.sqrt(Math.PI))) * s;
      expectRelClose(erfc(x), ref, x === 5 ? 1e-9 : 1e-12); // x = 5 limits the asymptotic series, not erfc
    }
  });

  it('erfc(−x) = 2 − erfc(x); the two-sided normal p is symmetric; quantile round-trips', () => {
    for (const x of [0.1, 1, 2.5]) expect(erfc(-x)).toBeCloseTo(2 - erfc(x), 15);
    expect(normalTwoSidedP(-1.959963984540054)).toBeCloseTo(0.05, 15);
    for (const p of [1e-300, 1e-50, 1e-10, 0.025, 0.3, 0.5, 0.8, 1 - 1e-10]) {
      const z = normalQuantile(p);
      const back = z < 0 ? erfc(-z / Math.SQRT2) / 2 : 1 - erfc(z / Math.SQRT2) / 2;
      // one ulp of z moves p by a relative z²·eps: the round trip cannot be better than that
      expectRelClose(back, p, Math.max(1e-13, z * z * 1e-15));
    }
  });
});
