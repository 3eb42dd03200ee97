import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { logReturns } from '../../src/stats/returns.js';

describe('logReturns', () => {
  it('computes ln(P_t/P_{t-1}) by hand', () => {
    // 100 -> 110: ln 1.1 = 0.09531017980432493; 110 -> 99: ln 0.9 = -0.10536051565782628; 99 -> 99: 0
    const r = logReturns(Float64Array.of(100, 110, 99, 99));
    expect(r.length).toBe(3);
    expect(r[0]).toBeCloseTo(0.09531017980432493, 15);
    expect(r[1]).toBeCloseTo(-0.10536051565782628, 15);
    expect(r[2]).toBe(0);
  });

  it('sums telescopically to ln(P_n/P_0) (second method)', () => {
    const p = Float64Array.from({ length: 500 }, (_, t) => 100 * Math.exp(Math.sin(t / 7) * 0.3 + t * 1e-3));
    const sum = logReturns(p).reduce((s, v) => s + v, 0);
    expect(sum).toBeCloseTo(Math.log(p[499] / p[0]), 12);
  });

  it('returns an empty array for fewer than two closes', () => {
    expect(logReturns(new Float64Array(0)).length).toBe(0);
    expect(logReturns(Float64Array.of(5)).length).toBe(0);
  });

  it.each([0, -1, NaN, Infinity])('rejects a close of %s with non_finite_price and the series index', (bad) => {
    try {
      logReturns(Float64Array.of(1, 2, bad, 3), 7);
      expect.fail('should throw');
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      expect((e as DataError).code).toBe('non_finite_price');
      expect((e as DataError).series).toBe(7);
    }
  });
});
