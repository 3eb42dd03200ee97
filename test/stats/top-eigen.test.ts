import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { largestEigenShare, symmetricEigenvalues } from '../../src/stats/eigen.js';
import { RollingCorrelation } from '../../src/stats/rolling.js';
import { TopEigen } from '../../src/stats/top-eigen.js';
import { gaussian, rng } from './helpers.js';

/** The contract: equal to the full decomposition to 1e-9 relative (of the largest |eigenvalue|). */
const REL = 1e-9;

function full(m: Float64Array, N: number): { top: (k: number) => number; scale: number } {
  const ev = symmetricEigenvalues(m, N);
  const scale = Math.max(Math.abs(ev[0]), Math.abs(ev[N - 1]), Number.MIN_VALUE);
  return { top: (k) => ev.slice(0, k).reduce((s, v) => s + v, 0), scale };
}

function expectLargest(te: TopEigen, m: Float64Array, N: number): void {
  const f = full(m, N);
  const got = te.largest(m);
  if (!(Math.abs(got - f.top(1)) <= REL * f.scale)) expect.fail(`N=${N}: largest ${got} vs ${f.top(1)}`);
}

function expectTopSum(te: TopEigen, m: Float64Array, N: number, k: number): void {
  const f = full(m, N);
  const got = te.topSum(m, k);
  if (!(Math.abs(got - f.top(k)) <= REL * k * f.scale)) expect.fail(`N=${N}, k=${k}: topSum ${got} vs ${f.top(k)}`);
}

/** Sample correlation matrix of T draws of r_i = β_i f + e_i (β_i ~ U(0, 2·loading)). */
function randomCorrelation(N: number, T: number, loading: number, g: () => number, u: () => number): Float64Array {
  const beta = Array.from({ length: N }, () => 2 * loading * u());
  const x = Array.from({ length: N }, () => new Float64Array(T));
  for (let t = 0; t < T; t++) {
    const f = g();
    for (let i = 0; i < N; i++) x[i][t] = beta[i] * f + g();
  }
  const m = new Float64Array(N * N);
  const c = x.map((xi) => {
    const mu = xi.reduce((s, v) => s + v, 0) / T;
    const d = xi.map((v) => v - mu);
    const sd = Math.sqrt(d.reduce((s, v) => s + v * v, 0));
    return d.map((v) => v / sd);
  });
  for (let i = 0; i < N; i++) {
    for (let j = i; j < N; j++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += c[i][t] * c[j][t];
      m[i * N + j] = m[j * N + i] = i === j ? 1 : s;
    }
  }
  return m;
}

/** Q·diag(λ)·Qᵀ with Q a random orthogonal matrix (Gram–Schmidt of a Gaussian matrix). */
function withSpectrum(lambda: number[], g: () => number): Float64Array {
  const N = lambda.length;
  const q = Array.from({ length: N }, () => Float64Array.from({ length: N }, g));
  for (let j = 0; j < N; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let a = 0; a < j; a++) {
        let d = 0;
        for (let i = 0; i < N; i++) d += q[a][i] * q[j][i];
        for (let i = 0; i < N; i++) q[j][i] -= d * q[a][i];
      }
    }
    const n = Math.hypot(...q[j]);
    for (let i = 0; i < N; i++) q[j][i] /= n;
  }
  const m = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let a = 0; a < N; a++) s += q[a][i] * lambda[a] * q[a][j];
      m[i * N + j] = s;
    }
  }
  for (let i = 0; i < N; i++) for (let j = 0; j < i; j++) m[i * N + j] = m[j * N + i];
  return m;
}

describe('TopEigen against the full decomposition', () => {
  // Orders spread over 2..60 rather than every one: the full sweep took 6 s alone and up to 20 s on a loaded machine,
  // close to the test timeout.
  it('random correlation matrices, N = 2..60, weak to strong common factor, cold start', () => {
    const u = rng(901);
    const g = gaussian(u);
    for (const N of [2, 3, 4, 5, 6, 8, 11, 16, 23, 32, 45, 60]) {
      for (const loading of [0, 0.3, 1, 3]) {
        const m = randomCorrelation(N, N + 20, loading, g, u);
        const te = new TopEigen(N);
        expectLargest(te, m, N);
        for (const k of new Set([1, 2, Math.max(1, Math.round(N / 5)), N - 1, N])) if (k >= 1 && k <= N) expectTopSum(te, m, N, k);
      }
    }
  });

  it('random symmetric (indefinite) matrices: right through the fallback where power iteration cannot be certified', () => {
    const g = gaussian(rng(902));
    for (const N of [2, 3, 7, 20, 45]) {
      const m = new Float64Array(N * N);
      for (let i = 0; i < N; i++) for (let j = i; j < N; j++) m[i * N + j] = m[j * N + i] = g();
      const te = new TopEigen(N);
      expectLargest(te, m, N);
      expectTopSum(te, m, N, Math.max(1, Math.round(N / 5)));
      // negative definite: λ_1 is the eigenvalue of smallest magnitude
      const neg = withSpectrum(Array.from({ length: N }, (_, i) => -1 - i), g);
      expectLargest(te, neg, N);
      expectTopSum(te, neg, N, Math.min(N, 2));
    }
  });

  it('a rolling correlation sequence: warm-started, certified without fallback for λ_1, fewer iterations than cold', () => {
    const N = 12;
    const W = 60;
    const u = rng(903);
    const g = gaussian(u);
    const beta = Array.from({ length: N }, () => 0.3 + 0.6 * u());
    const rc = new RollingCorrelation(N, W);
    const corr = new Float64Array(N * N);
    const cov = new Float64Array(N * N);
    const warm = new TopEigen(N);
    const cold = new TopEigen(N);
    const k = Math.round(N / 5);
    let bars = 0;
    for (let t = 0; t < W + 400; t++) {
      const f = g();
      rc.push(Float64Array.from(beta, (b) => 0.01 * (b * f + g())));
      if (t < W) continue;
      rc.correlation(corr);
      rc.covariance(cov);
      expectLargest(warm, corr, N);
      expectTopSum(warm, cov, N, k);
      expectTopSum(warm, cov, N, 1);
      cold.reset();
      expectLargest(cold, corr, N);
      bars++;
    }
    expect(warm.calls).toBe(3 * bars);
    // λ_1 of a one-factor correlation matrix stands clear of the rest: certified every bar
    expect(cold.fallbacks).toBe(0);
    const warmLargest = new TopEigen(N);
    rc.correlation(corr);
    warmLargest.largest(corr);
    const before = warmLargest.iterations;
    warmLargest.largest(corr); // same matrix again: the stored vector is already converged
    expect(warmLargest.iterations - before).toBe(1);
    expect(warm.fallbacks).toBeLessThanOrEqual(warm.fallbackReasons['no-gap'] + warm.fallbackReasons.slow + warm.fallbackReasons['max-iterations']);
    expect(warm.fallbackReasons['non-finite']).toBe(0);
  });

  it('warm start pays: λ_1 over a slowly moving sequence takes fewer iterations than restarting every bar', () => {
    const N = 30;
    const W = 100;
    const u = rng(904);
    const g = gaussian(u);
    const beta = Array.from({ length: N }, () => 0.3 + 0.6 * u());
    const rc = new RollingCorrelation(N, W);
    const corr = new Float64Array(N * N);
    const warm = new TopEigen(N);
    const cold = new TopEigen(N);
    for (let t = 0; t < W + 300; t++) {
      const f = g();
      rc.push(Float64Array.from(beta, (b) => b * f + g()));
      if (t < W) continue;
      rc.correlation(corr);
      expectLargest(warm, corr, N);
      cold.reset();
      expectLargest(cold, corr, N);
    }
    expect(warm.fallbacks).toBe(0);
    expect(cold.fallbacks).toBe(0);
    expect(warm.iterations).toBeLessThan(cold.iterations);
  });

  it('a two-factor sequence: the block iteration certifies the top-2 sum (k = 2) on most bars', () => {
    const N = 10;
    const W = 120;
    const g = gaussian(rng(905));
    const rc = new RollingCorrelation(N, W);
    const corr = new Float64Array(N * N);
    const te = new TopEigen(N);
    for (let t = 0; t < W + 300; t++) {
      const f1 = g();
      const f2 = g();
      // two blocks of 5 assets, each driven by its own factor: λ_1 ≈ λ_2 ≈ 4.4, then a bulk near 0.3
      rc.push(Float64Array.from({ length: N }, (_, i) => 2 * (i < 5 ? f1 : f2) + g()));
      if (t < W) continue;
      rc.correlation(corr);
      expectTopSum(te, corr, N, 2);
    }
    expect(te.fallbackRate).toBeLessThan(0.1);
  });
});

describe('TopEigen degenerate cases', () => {
  it('identity and scalar matrices (no gap at all): exact, certified by the trace/Frobenius cap', () => {
    for (const N of [1, 2, 5, 40]) {
      const te = new TopEigen(N);
      const id = new Float64Array(N * N);
      for (let i = 0; i < N; i++) id[i * N + i] = 1;
      expect(te.largest(id)).toBeCloseTo(1, 14);
      expect(te.topSum(id, Math.max(1, Math.round(N / 5)))).toBeCloseTo(Math.max(1, Math.round(N / 5)), 13);
      const s = id.map((v) => 2.5 * v);
      expect(te.largest(s)).toBeCloseTo(2.5, 14);
      expect(te.topSum(s, N)).toBeCloseTo(2.5 * N, 12);
      expect(te.fallbacks).toBe(0);
    }
  });

  it('all-ones (λ = N, 0, …, 0) and the zero matrix', () => {
    for (const N of [2, 3, 10, 33]) {
      const te = new TopEigen(N);
      const ones = new Float64Array(N * N).fill(1);
      expectLargest(te, ones, N);
      expect(te.largest(ones)).toBeCloseTo(N, 12);
      expectTopSum(te, ones, N, 1);
      expectTopSum(te, ones, N, 2); // λ_2 = λ_3 = 0: no gap below k, answered by the fallback
      expect(te.largest(new Float64Array(N * N))).toBe(0);
      expect(te.topSum(new Float64Array(N * N), 1)).toBe(0);
    }
  });

  it('repeated eigenvalues inside and across the top k', () => {
    const g = gaussian(rng(906));
    const m = withSpectrum([5, 5, 5, 2, 1, 1, 0.5, 0.1], g);
    const te = new TopEigen(8);
    expectLargest(te, m, 8); // λ_1 = λ_2: no gap for λ_1 alone → fallback, still right
    expectTopSum(te, m, 8, 3); // gap 5 → 2 below the third: certified
    expectTopSum(te, m, 8, 2); // splits the triple 5: fallback
    expectTopSum(te, m, 8, 5);
    const cert = new TopEigen(8);
    cert.topSum(m, 3);
    expect(cert.fallbacks).toBe(0);
  });

  it('near-equal top eigenvalues (power iteration crawls): falls back and still equals the full decomposition', () => {
    const g = gaussian(rng(907));
    for (const N of [3, 10, 50]) {
      const lambda = Array.from({ length: N }, (_, i) => (i === 0 ? 3 : i === 1 ? 3 - 1e-7 : 1 - i / (2 * N)));
      const m = withSpectrum(lambda, g);
      const te = new TopEigen(N);
      expectLargest(te, m, N);
      expectTopSum(te, m, N, 1);
      expect(te.fallbacks).toBe(2);
      // λ_1 − λ_2 = 1e-4 relative: a gap exists but the iteration would need thousands of steps
      const slow = withSpectrum(lambda.map((v, i) => (i === 1 ? 3 * (1 - 1e-4) : v)), g);
      const t2 = new TopEigen(N);
      expectLargest(t2, slow, N);
      expect(t2.fallbacks).toBe(1);
      expect(t2.iterations).toBeLessThanOrEqual(30);
      // the top two together stand clear: their sum is certified
      const t3 = new TopEigen(N);
      expectTopSum(t3, m, N, 2);
      expect(t3.fallbacks).toBe(0);
    }
  });

  it('after a wide no-gap miss, skips probing for a while, then certifies again once a gap appears', () => {
    const g = gaussian(rng(909));
    const N = 20;
    const bulk = withSpectrum(Array.from({ length: N }, (_, i) => 1 + 0.01 * i), g); // no gap anywhere
    const gapped = withSpectrum(Array.from({ length: N }, (_, i) => (i < 3 ? 10 - i : 0.5 + 0.01 * i)), g);
    const te = new TopEigen(N);
    expectTopSum(te, bulk, N, 3);
    expect(te.fallbackReasons['no-gap']).toBe(1);
    const calls: number[] = [];
    for (let t = 0; t < 20; t++) {
      const before = te.fallbacks;
      expectTopSum(te, gapped, N, 3);
      calls.push(te.fallbacks - before);
    }
    expect(calls.slice(0, 15)).toEqual(new Array(15).fill(1)); // skipped: straight to the full decomposition
    expect(calls.slice(15)).toEqual([0, 0, 0, 0, 0]);
    te.reset();
    expectTopSum(te, bulk, N, 3);
    te.reset(); // forgets the skip too
    const before = te.fallbacks;
    expectTopSum(te, gapped, N, 3);
    expect(te.fallbacks).toBe(before);
  });

  it('N = 1 and N = 2 by hand', () => {
    const one = new TopEigen(1);
    expect(one.largest(Float64Array.of(-4))).toBe(-4);
    expect(one.topSum(Float64Array.of(7), 1)).toBe(7);
    const two = new TopEigen(2);
    // [[2,1],[1,2]] → 3, 1
    expect(two.largest(Float64Array.of(2, 1, 1, 2))).toBeCloseTo(3, 11);
    expect(two.topSum(Float64Array.of(2, 1, 1, 2), 1)).toBeCloseTo(3, 11);
    expect(two.topSum(Float64Array.of(2, 1, 1, 2), 2)).toBe(4);
    // [[1, ρ],[ρ, 1]] → 1 + |ρ|, for ρ of either sign and ρ = ±1
    for (const rho of [0.9, -0.5, 1, -1, 1e-9, 0]) {
      expect(Math.abs(two.largest(Float64Array.of(1, rho, rho, 1)) - (1 + Math.abs(rho)))).toBeLessThanOrEqual(1e-11);
    }
    // diag(−1, −3): λ_1 = −1 although power iteration is drawn to −3
    expect(two.largest(Float64Array.of(-1, 0, 0, -3))).toBeCloseTo(-1, 12);
  });
});

describe('TopEigen API', () => {
  it('largestEigenShare matches eigen.ts', () => {
    const u = rng(908);
    const g = gaussian(u);
    const N = 15;
    const corr = randomCorrelation(N, 50, 0.5, g, u);
    const te = new TopEigen(N);
    expect(Math.abs(te.largestEigenShare(corr) - largestEigenShare(corr, N))).toBeLessThanOrEqual(1e-11);
  });

  it('checks its arguments, leaves the input alone, counts calls', () => {
    expect(() => new TopEigen(0)).toThrow(RangeError);
    expect(() => new TopEigen(3, { rtol: 0 })).toThrow(RangeError);
    expect(() => new TopEigen(3, { maxIterations: 0 })).toThrow(RangeError);
    const te = new TopEigen(2);
    expect(() => te.largest(new Float64Array(3))).toThrow(DataError);
    expect(() => te.topSum(Float64Array.of(2, 1, 1, 2), 3)).toThrow(RangeError);
    expect(() => te.topSum(Float64Array.of(2, 1, 1, 2), 0)).toThrow(RangeError);
    const m = Float64Array.of(2, 1, 1, 2);
    te.largest(m);
    te.topSum(m, 1);
    expect(Array.from(m)).toEqual([2, 1, 1, 2]);
    expect(te.calls).toBe(2);
    expect(te.fallbackRate).toBe(te.fallbacks / 2);
  });
});
