import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { averageCorrelation, correlationDispersion, pairList, topPairs } from '../../src/stats/summary.js';

// ρ12 = 0.5, ρ13 = 0.2, ρ23 = −0.1
const C3 = Float64Array.of(1, 0.5, 0.2, 0.5, 1, -0.1, 0.2, -0.1, 1);

describe('averageCorrelation', () => {
  it('is the mean of the off-diagonal pairs (by hand: (0.5 + 0.2 − 0.1)/3 = 0.2)', () => {
    expect(averageCorrelation(C3, 3)).toBeCloseTo(0.2, 15);
  });
  it('checks the matrix shape', () => {
    expect(() => averageCorrelation(C3, 2)).toThrow(DataError);
    expect(() => averageCorrelation(Float64Array.of(1), 1)).toThrow(RangeError);
  });
});

describe('correlationDispersion', () => {
  it('is the sample std (ddof = 1) of atanh ρ (by hand)', () => {
    // atanh .5 = 0.5493061443340549, atanh .2 = 0.2027325540540822, atanh −.1 = −0.1003353477310756
    // mean = 0.6517033506570615/3 = 0.2172344502190205
    // deviations 0.3320716941150344, −0.0145018961649383, −0.3175697979500961
    // Σd² = 0.1102716099 + 0.0002103050 + 0.1008505780 = 0.2113324929; /2 = 0.1056662465; sqrt = 0.3250634489
    expect(correlationDispersion(C3, 3)).toBeCloseTo(0.3250634489, 9);
  });
  it('returns 0 for a single pair and stays finite at |ρ| = 1', () => {
    expect(correlationDispersion(Float64Array.of(1, 0.7, 0.7, 1), 2)).toBe(0);
    const v = correlationDispersion(Float64Array.of(1, 1, -1, 1, 1, -1, -1, -1, 1), 3);
    expect(Number.isFinite(v)).toBe(true);
    // clamp 1 − 1e-12: atanh = 14.15..; z = [+14.16, −14.16, −14.16], sample std = 14.16·sqrt(4/3)
    expect(v).toBeCloseTo(Math.atanh(1 - 1e-12) * Math.sqrt(4 / 3), 6);
  });
  it('is 0 when all pairs are equal', () => {
    expect(correlationDispersion(Float64Array.of(1, 0.3, 0.3, 0.3, 1, 0.3, 0.3, 0.3, 1), 3)).toBe(0);
  });
});

describe('pairList and topPairs', () => {
  it('sorts pairs by ρ descending with deterministic ties', () => {
    expect(pairList(C3, 3)).toEqual([
      { i: 0, j: 1, rho: 0.5 },
      { i: 0, j: 2, rho: 0.2 },
      { i: 1, j: 2, rho: -0.1 },
    ]);
    const tied = Float64Array.of(1, 0.4, 0.4, 0.4, 1, 0.4, 0.4, 0.4, 1);
    expect(pairList(tied, 3).map((p) => [p.i, p.j])).toEqual([[0, 1], [0, 2], [1, 2]]);
  });
  it('picks the most and least correlated', () => {
    expect(topPairs(C3, 3, 1)).toEqual([{ i: 0, j: 1, rho: 0.5 }]);
    expect(topPairs(C3, 3, 2, 'least')).toEqual([
      { i: 1, j: 2, rho: -0.1 },
      { i: 0, j: 2, rho: 0.2 },
    ]);
    expect(topPairs(C3, 3, 10)).toHaveLength(3);
  });
});
