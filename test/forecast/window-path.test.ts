import { describe, expect, it } from 'vitest';
import { tailAverageCorrelation, windowPath } from '../../src/forecast/window-path.js';
import { plainPearson } from '../helpers/reference-stats.js';

describe('forecast of a window average (window-path)', () => {
  it('blends the observed part and the model part by how many returns each holds, by hand', () => {
    // W = 4, model path ρ̄(R_{t+j}) = 0.5, 0.7, 0.9 for j = 1..3; the observed parts' ρ̄ are 0.1 (3 returns), 0.2 (2), 0.3 (1)
    const known = (k: number) => [NaN, 0.1, 0.2, 0.3][k];
    const p = windowPath([0.5, 0.7, 0.9], 4, known);
    expect(p[0]).toBeCloseTo((3 * 0.1 + 1 * 0.5) / 4, 15);
    expect(p[1]).toBeCloseTo((2 * 0.2 + 2 * ((0.5 + 0.7) / 2)) / 4, 15);
    expect(p[2]).toBeCloseTo((1 * 0.3 + 3 * ((0.5 + 0.7 + 0.9) / 3)) / 4, 15);
  });

  it('past the window, the mean of the model over its last W steps; an unusable observed part is left out', () => {
    const p = windowPath([0.1, 0.2, 0.3, 0.4, 0.5], 2, () => 0.9);
    expect(p[1]).toBeCloseTo((0.1 + 0.2) / 2, 15); // k = W: all new
    expect(p[4]).toBeCloseTo((0.4 + 0.5) / 2, 15);
    expect(windowPath([0.4, 0.6], 10, () => NaN)[1]).toBeCloseTo(0.5, 15);
  });

  it('ρ̄ of the last returns equals the mean of the pairwise Pearson correlations computed directly; NaN when too short or flat', () => {
    const a = Float64Array.from([0.1, -0.2, 0.3, 0.05, -0.1, 0.2, 0.0, -0.3]);
    const b = Float64Array.from([0.2, -0.1, 0.1, 0.0, -0.2, 0.3, 0.1, -0.2]);
    const c = Float64Array.from([-0.1, 0.2, 0.0, 0.1, 0.3, -0.2, 0.2, 0.1]);
    const tail = (x: Float64Array) => Array.from(x.subarray(2, 8));
    const want = (plainPearson(tail(a), tail(b)) + plainPearson(tail(a), tail(c)) + plainPearson(tail(b), tail(c))) / 3;
    expect(tailAverageCorrelation([a, b, c], 8, 6)).toBeCloseTo(want, 12);
    expect(tailAverageCorrelation([a, b, c], 8, 4)).toBeNaN();
    expect(tailAverageCorrelation([a, new Float64Array(8)], 8, 6)).toBeNaN();
  });
});
