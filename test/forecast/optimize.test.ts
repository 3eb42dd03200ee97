import { describe, expect, it } from 'vitest';
import { nelderMead } from '../../src/forecast/optimize.js';

describe('nelderMead', () => {
  it("finds Rosenbrock's minimum (1, 1) from the classic start (−1.2, 1)", () => {
    const rosen = (x: number[]) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
    const res = nelderMead(rosen, [-1.2, 1], { tolX: 1e-9, tolF: 1e-14 });
    expect(res.converged).toBe(true);
    expect(Math.abs(res.x[0] - 1)).toBeLessThan(1e-6);
    expect(Math.abs(res.x[1] - 1)).toBeLessThan(1e-6);
    expect(res.f).toBeLessThan(1e-12);
  });

  it('lands on the face of the box when the unconstrained minimum (2, −1) lies outside [0, 1]²', () => {
    const f = (x: number[]) => (x[0] - 2) ** 2 + (x[1] + 1) ** 2 + 0.5 * x[0] * x[1];
    // On the box the minimum is the corner (1, 0): ∂f/∂x = 2(x − 2) + 0.5y < 0 and ∂f/∂y = 2(y + 1) + 0.5x > 0 there.
    const res = nelderMead(f, [0.5, 0.5], { lower: [0, 0], upper: [1, 1], step: [0.1, 0.1] });
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(1, 6);
    expect(res.x[1]).toBeCloseTo(0, 6);
    // An interior minimum on one coordinate, a bound on the other: min over y ∈ [0, 1] of (x − 0.3)² + (y − 5)² is (0.3, 1).
    const g = (x: number[]) => (x[0] - 0.3) ** 2 + (x[1] - 5) ** 2;
    const res2 = nelderMead(g, [0.9, 0.1], { lower: [0, 0], upper: [1, 1], step: [0.1, 0.1] });
    expect(res2.x[0]).toBeCloseTo(0.3, 5);
    expect(res2.x[1]).toBeCloseTo(1, 6);
  });

  it('treats NaN and infinite values as +∞, and reports non-convergence when the budget runs out', () => {
    const f = (x: number[]) => (x[0] < 0.2 ? NaN : x[0] > 2 ? Infinity : (x[0] - 1) ** 2);
    const res = nelderMead(f, [0.25], { step: [0.5] });
    expect(res.x[0]).toBeCloseTo(1, 5);
    const rosen = (x: number[]) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
    const short = nelderMead(rosen, [-1.2, 1], { maxEvals: 20 });
    expect(short.converged).toBe(false);
    expect(short.evals).toBeLessThanOrEqual(20 + 4); // the step under way may finish: at most dim + 2 more
    expect(nelderMead(() => NaN, [0, 0]).converged).toBe(false);
  });
});

describe('bestOnGrid (the fits\' starting point)', () => {
  it('returns the grid point with the least value, the first of ties, and [0.95, 0.05] when nothing is finite', async () => {
    const { bestOnGrid } = await import('../../src/forecast/optimize.js');
    const f = ([p, s]: number[]) => (p - 0.9) ** 2 + (s - 0.1) ** 2;
    expect(bestOnGrid(f, [0.5, 0.9, 0.99], [0.05, 0.1, 0.3])).toEqual([0.9, 0.1]);
    expect(bestOnGrid(() => 1, [0.5, 0.9], [0.2, 0.3])).toEqual([0.5, 0.2]);
    expect(bestOnGrid(() => NaN, [0.5], [0.2])).toEqual([0.95, 0.05]);
  });
});
