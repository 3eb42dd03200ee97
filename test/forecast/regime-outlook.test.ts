import { describe, expect, it } from 'vitest';
import { expectedStepsToSwitch, probabilitiesAt, probabilityWithin, regimeOutlook } from '../../src/forecast/regime-outlook.js';

/** Naive k×k matrix product and power, for the reference values. */
function matMul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, i) => s + x * b[i][j], 0)));
}
function matPow(a: number[][], m: number): number[][] {
  let r: number[][] = a.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
  for (let s = 0; s < m; s++) r = matMul(r, a);
  return r;
}

const A2 = [
  [0.9, 0.1],
  [0.3, 0.7],
];
const A3 = [
  [0.8, 0.15, 0.05],
  [0.1, 0.8, 0.1],
  [0.05, 0.25, 0.7],
];
const flat = (m: number[][]) => Float64Array.from(m.flat());

describe('regime outlook (Markov chain arithmetic)', () => {
  it('π·A^m: sums to 1 and equals the matrix power computed by hand, for 2 and 3 states', () => {
    for (const [A, pi] of [
      [A2, [0.25, 0.75]],
      [A3, [0.2, 0.3, 0.5]],
    ] as const) {
      for (const m of [0, 1, 2, 5, 24]) {
        const P = matPow(A as unknown as number[][], m);
        const want = pi.map((_, j) => pi.reduce((s, p, i) => s + p * P[i][j], 0));
        const got = probabilitiesAt(flat(A as unknown as number[][]), A.length, Float64Array.from(pi), m);
        expect(Array.from(got).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
        got.forEach((g, j) => expect(g).toBeCloseTo(want[j], 12));
      }
    }
  });

  it('two states: P(stressed at m) = π∞ + (π_t − π∞)(1 − p − q)^m, the closed form', () => {
    // p = P(calm → stressed) = 0.1, q = P(stressed → calm) = 0.3: stationary stressed share p/(p+q) = 0.25.
    const lambda = 1 - 0.1 - 0.3;
    for (const m of [1, 3, 10]) {
      const got = probabilitiesAt(flat(A2), 2, Float64Array.from([1, 0]), m)[1];
      expect(got).toBeCloseTo(0.25 + (0 - 0.25) * lambda ** m, 12);
    }
  });

  it('fractional steps interpolate between whole ones, and still sum to 1', () => {
    const pi = Float64Array.from([0.6, 0.4]);
    const a = probabilitiesAt(flat(A2), 2, pi, 2);
    const b = probabilitiesAt(flat(A2), 2, pi, 3);
    const c = probabilitiesAt(flat(A2), 2, pi, 2.25);
    expect(c[1]).toBeCloseTo(0.75 * a[1] + 0.25 * b[1], 12);
    expect(c[0] + c[1]).toBeCloseTo(1, 12);
  });

  it('P(stressed within m steps) is a first-passage probability: by hand for one and two steps, and by enumerating paths', () => {
    // From calm for sure: within 1 step = A[0][1]; within 2 = 1 − A[0][0]².
    expect(probabilityWithin(flat(A2), 2, Float64Array.from([1, 0]), 1, 1)).toBeCloseTo(0.1, 12);
    expect(probabilityWithin(flat(A2), 2, Float64Array.from([1, 0]), 1, 2)).toBeCloseTo(1 - 0.81, 12);
    // Already stressed: 1. Nothing ahead (m = 0): the probability of being stressed now.
    expect(probabilityWithin(flat(A2), 2, Float64Array.from([0, 1]), 1, 3)).toBe(1);
    expect(probabilityWithin(flat(A2), 2, Float64Array.from([0.7, 0.3]), 1, 0)).toBeCloseTo(0.3, 12);
    // Three states, three steps: enumerate every path of states 0..2 and add those that touch state 2.
    const pi = [0.5, 0.4, 0.1];
    let touch = 0;
    const walk = (s: number, p: number, depth: number, hit: boolean) => {
      if (depth === 3) return void (touch += hit ? p : 0);
      for (let t = 0; t < 3; t++) walk(t, p * A3[s][t], depth + 1, hit || t === 2);
    };
    pi.forEach((p, s) => walk(s, p, 0, s === 2));
    expect(probabilityWithin(flat(A3), 3, Float64Array.from(pi), 2, 3)).toBeCloseTo(touch, 12);
    // and it never decreases with the horizon
    const seq = [0, 1, 2, 4, 8, 16].map((m) => probabilityWithin(flat(A3), 3, Float64Array.from(pi), 2, m));
    for (let i = 1; i < seq.length; i++) expect(seq[i]).toBeGreaterThanOrEqual(seq[i - 1]);
  });

  it('expected steps to the next switch: Σ π_i/(1 − A_ii), checked by simulating the chain', () => {
    const pi = Float64Array.from([0.6, 0.4]);
    const want = 0.6 / 0.1 + 0.4 / 0.3;
    expect(expectedStepsToSwitch(flat(A2), 2, pi)).toBeCloseTo(want, 12);
    // Simulation: start in a state drawn from π, count steps until the state changes.
    let seed = 7;
    const u = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let total = 0;
    const runs = 40_000;
    for (let r = 0; r < runs; r++) {
      const s = u() < 0.6 ? 0 : 1;
      let steps = 1;
      while (u() < A2[s][s]) steps++;
      total += steps;
    }
    expect(total / runs).toBeGreaterThan(want * 0.97);
    expect(total / runs).toBeLessThan(want * 1.03);
    expect(expectedStepsToSwitch(Float64Array.from([1, 0, 0, 1]), 2, Float64Array.from([0, 1]))).toBe(Infinity);
  });

  it('in bars: a horizon of h bars is (h + bars since the last block)/L steps; names the states; refuses bad input', () => {
    const o = regimeOutlook({ k: 2, transition: flat(A2), probs: Float64Array.from([0.9, 0.1]), blockLength: 12, barsIntoBlock: 6, separated: true }, 18);
    const direct = probabilitiesAt(flat(A2), 2, Float64Array.from([0.9, 0.1]), 2);
    expect(o.probabilities).toEqual({ calm: direct[0], stressed: direct[1] });
    expect(o.stressedWithin).toBeCloseTo(probabilityWithin(flat(A2), 2, Float64Array.from([0.9, 0.1]), 1, 2), 12);
    expect(o.expectedBarsToSwitch).toBeCloseTo((0.9 / 0.1 + 0.1 / 0.3) * 12 - 6, 9);
    expect(regimeOutlook({ k: 3, transition: flat(A3), probs: Float64Array.from([1, 0, 0]), blockLength: 1, barsIntoBlock: 0, separated: false }, 1).states).toEqual(['calm', 'elevated', 'stressed']);
    expect(() => probabilitiesAt(flat(A2), 2, Float64Array.from([1]), 1)).toThrow(/needs 4 transition entries and 2 probabilities/);
    expect(() => probabilitiesAt(flat(A2), 2, Float64Array.from([1, 0]), -1)).toThrow(/out of range/);
  });
});
