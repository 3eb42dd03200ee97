import { describe, expect, it } from 'vitest';
import { DataError, UserError } from '../../src/domain/errors.js';
import { hamiltonFilter, OnlineHamiltonFilter, sortStatesByMean, type HmmParams } from '../../src/regime/hmm.js';
import { rng, normal, density, simulate } from './hmm-sim.js';

// ---------- independent helpers (no code shared with the module under test) ----------




function params(k: number, means: number[], sds: number[], transition: number[], initial: number[]): HmmParams {
  return {
    k,
    means: Float64Array.from(means),
    variances: Float64Array.from(sds.map((s) => s * s)),
    transition: Float64Array.from(transition),
    initial: Float64Array.from(initial),
  };
}

/** Random well-formed parameters (entries bounded away from 0) and observations drawn near the means. */
function randomCase(seed: number, k: number, T: number): { p: HmmParams; y: Float64Array } {
  const u = rng(seed);
  const means = Array.from({ length: k }, () => u() * 2 - 1);
  const sds = Array.from({ length: k }, () => 0.2 + u());
  const row = (): number[] => {
    const w = Array.from({ length: k }, () => 0.05 + u());
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / s);
  };
  const transition = Array.from({ length: k }, row).flat();
  const p = params(k, means, sds, transition, row());
  const y = Float64Array.from({ length: T }, () => means[Math.floor(u() * k)] + normal(u) * 0.7);
  return { p, y };
}

/**
 * Brute force over all k^t state paths: P(s_t = j | y_1..t) for every t and ln f(y_1..T). Sums path probabilities
 * π_{s1} η_{s1}(y1) Π p_{s(u−1) s(u)} η_{s(u)}(y_u) directly.
 */
function bruteForce(y: Float64Array, p: HmmParams): { filtered: number[][]; logLik: number } {
  const k = p.k;
  const T = y.length;
  const filtered: number[][] = [];
  let logLik = 0;
  for (let t = 1; t <= T; t++) {
    const paths: { path: number[]; w: number }[] = [];
    const n = k ** t;
    for (let code = 0; code < n; code++) {
      const path: number[] = [];
      let c = code;
      for (let u = 0; u < t; u++) {
        path.push(c % k);
        c = Math.floor(c / k);
      }
      let w = p.initial[path[0]] * density(y[0], p.means[path[0]], p.variances[path[0]]);
      for (let u = 1; u < t; u++) {
        w *= p.transition[path[u - 1] * k + path[u]] * density(y[u], p.means[path[u]], p.variances[path[u]]);
      }
      paths.push({ path, w });
    }
    const total = paths.reduce((a, b) => a + b.w, 0);
    const row = new Array<number>(k).fill(0);
    for (const { path, w } of paths) row[path[t - 1]] += w / total;
    filtered.push(row);
    if (t === T) logLik = Math.log(total);
  }
  return { filtered, logLik };
}

function row(a: Float64Array, t: number, k: number): number[] {
  return Array.from(a.subarray(t * k, (t + 1) * k));
}


// ---------- tests ----------

describe('hamiltonFilter: hand case', () => {
  // means 0, 2; variances 1, 4; P = [[0.9, 0.1], [0.2, 0.8]]; initial (0.6, 0.4); y = (0.5, 2).
  const p = params(2, [0, 2], [1, 2], [0.9, 0.1, 0.2, 0.8], [0.6, 0.4]);
  const y = Float64Array.from([0.5, 2]);

  it('matches the numbers worked out by hand', () => {
    // t = 1: η = (e^{−0.125}, e^{−0.28125}/2)/√(2π); joint = (0.6 e^{−0.125}, 0.2 e^{−0.28125})/√(2π)
    //   ⇒ ξ_{1|1}(0) = 3 / (3 + e^{−0.15625}) = 0.778140411638612755…
    //   ln f(y1) = ln((0.6 e^{−0.125} + 0.2 e^{−0.28125}) / √(2π)) = −1.303915863567372141…
    // t = 2: ξ_{2|1}(0) = 0.9 a + 0.2 (1 − a) = 0.2 + 0.7 a = 0.744698288147028928…
    //   η = (e^{−2}, 1/2)/√(2π)  ⇒ ξ_{2|2}(0) = ξ_{2|1}(0) e^{−2} / (ξ_{2|1}(0) e^{−2} + ξ_{2|1}(1)/2) = 0.441193502399923934…
    //   ln L = ln f(y1) + ln((ξ_{2|1}(0) e^{−2} + ξ_{2|1}(1)/2)/√(2π)) = −3.699358802935809490…
    const a = 3 / (3 + Math.exp(-0.15625));
    expect(a).toBeCloseTo(0.778140411638613, 14);
    const f = hamiltonFilter(y, p);
    expect(Array.from(f.predicted)).toEqual([0.6, 0.4, expect.closeTo(0.744698288147029, 14), expect.closeTo(0.255301711852971, 14)]);
    expect(f.filtered[0]).toBeCloseTo(0.778140411638613, 14);
    expect(f.filtered[1]).toBeCloseTo(0.221859588361387, 14);
    expect(f.filtered[2]).toBeCloseTo(0.441193502399924, 14);
    expect(f.filtered[3]).toBeCloseTo(0.558806497600076, 14);
    expect(f.logLikelihood).toBeCloseTo(-3.69935880293581, 13);
    expect(hamiltonFilter(y.subarray(0, 1), p).logLikelihood).toBeCloseTo(-1.30391586356737, 13);
  });

});

describe('hamiltonFilter vs brute-force enumeration of all k^T paths', () => {
  for (const k of [2, 3]) {
    for (const seed of [1, 2, 3, 4]) {
      it(`k = ${k}, T = 7, seed ${seed}: filtered probabilities and log-likelihood to 1e-12`, () => {
        const { p, y } = randomCase(seed * 100 + k, k, 7);
        const bf = bruteForce(y, p);
        const f = hamiltonFilter(y, p);
        expect(Math.abs(f.logLikelihood - bf.logLik)).toBeLessThan(1e-12);
        for (let t = 0; t < 7; t++) {
          for (let j = 0; j < k; j++) {
            expect(Math.abs(f.filtered[t * k + j] - bf.filtered[t][j])).toBeLessThan(1e-12);
          }
        }
      });
    }
  }

  it('a far outlier (60 sd from one state) neither underflows nor produces NaN', () => {
    const p = params(2, [0, 1], [0.01, 1], [0.9, 0.1, 0.1, 0.9], [1, 0]);
    const y = Float64Array.from([0, 0.6, 0, 0, 0.01, 0.02, 0.6]);
    const f = hamiltonFilter(y, p);
    const bf = bruteForce(y, p);
    expect(Math.abs(f.logLikelihood - bf.logLik)).toBeLessThan(1e-9);
    for (let t = 0; t < 7; t++) expect(row(f.filtered, t, 2)[1]).toBeCloseTo(bf.filtered[t][1], 12);
  });
});

describe('no look-ahead', () => {
  // Overlapping states (gap 1.1, sd 0.6), so one observation does not settle the state and later ones matter.
  const p = params(2, [-0.2, 0.9], [0.6, 0.6], [0.95, 0.05, 0.1, 0.9], [0.5, 0.5]);
  const { y } = simulate(p, 120, 7);

  it('filtered probabilities at t do not change when observations are appended', () => {
    const fShort = hamiltonFilter(y.subarray(0, 60), p);
    const fLong = hamiltonFilter(y, p);
    expect(Array.from(fLong.filtered.subarray(0, 60 * 2))).toEqual(Array.from(fShort.filtered));
  });
});

describe('OnlineHamiltonFilter', () => {
  const p = params(3, [-0.3, 0.3, 0.9], [0.12, 0.1, 0.1], [0.96, 0.02, 0.02, 0.025, 0.95, 0.025, 0.03, 0.03, 0.94], [0.2, 0.5, 0.3]);
  const { y } = simulate(p, 200, 11);
  const batch = hamiltonFilter(y, p);

  it('equals the batch filter step by step', () => {
    const f = new OnlineHamiltonFilter(p);
    expect(Array.from(f.probabilities)).toEqual(Array.from(p.initial));
    let ll = 0;
    for (let t = 0; t < y.length; t++) {
      expect(Array.from(f.predicted)).toEqual(row(batch.predicted, t, 3));
      const out = f.step(y[t]);
      expect(Array.from(out)).toEqual(row(batch.filtered, t, 3));
      expect(Array.from(f.probabilities)).toEqual(row(batch.filtered, t, 3));
      ll = f.logLikelihood;
    }
    expect(ll).toBeCloseTo(batch.logLikelihood, 10);
    expect(f.steps).toBe(200);
  });

  it('continues a batch run from its last filtered row (the refit path)', () => {
    const head = hamiltonFilter(y.subarray(0, 80), p);
    const f = new OnlineHamiltonFilter(p, head.filtered.subarray(79 * 3, 80 * 3));
    for (let t = 80; t < y.length; t++) expect(Array.from(f.step(y[t]))).toEqual(row(batch.filtered, t, 3));
    expect(head.logLikelihood + f.logLikelihood).toBeCloseTo(batch.logLikelihood, 9);
  });

  it('rejects a non-finite observation without changing state, and a malformed prior', () => {
    const f = new OnlineHamiltonFilter(p);
    f.step(y[0]);
    expect(() => f.step(Number.NaN)).toThrow(DataError);
    expect(f.steps).toBe(1);
    expect(Array.from(f.step(y[1]))).toEqual(row(batch.filtered, 1, 3));
    expect(() => new OnlineHamiltonFilter(p, [0.5, 0.5])).toThrow(UserError);
    expect(() => new OnlineHamiltonFilter(p, [0.5, 0.6, -0.1])).toThrow(UserError);
  });
});

describe('parameters', () => {
  const p = params(2, [0.9, -0.2], [0.1, 0.15], [0.95, 0.05, 0.03, 0.97], [0.3, 0.7]);

  it('sorting states by mean relabels the filter output and keeps the likelihood', () => {
    const s = sortStatesByMean(p);
    expect(Array.from(s.means)).toEqual([-0.2, 0.9]);
    expect(Array.from(s.transition)).toEqual([0.97, 0.03, 0.05, 0.95]);
    expect(Array.from(s.initial)).toEqual([0.7, 0.3]);
    const y = Float64Array.from([0.1, 0.8, 1, -0.3, 0.2, 0.5]);
    const a = hamiltonFilter(y, p);
    const b = hamiltonFilter(y, s);
    expect(b.logLikelihood).toBeCloseTo(a.logLikelihood, 13);
    for (let t = 0; t < y.length; t++) expect(b.filtered[t * 2]).toBeCloseTo(a.filtered[t * 2 + 1], 14);
  });

  it('filter rejects invalid parameters and non-finite observations', () => {
    expect(() => hamiltonFilter(Float64Array.from([0]), { ...p, variances: Float64Array.from([1, -1]) })).toThrow(UserError);
    expect(() => hamiltonFilter(Float64Array.from([0, Infinity]), p)).toThrow(DataError);
    expect(hamiltonFilter(new Float64Array(0), p).logLikelihood).toBe(0);
  });
});
