import { describe, expect, it } from 'vitest';
import { dot } from '../../src/stats/dot.js';

describe('dot', () => {
  it('equals the plain sum of products for every remainder length and offset', () => {
    // d = 1..20; dot of [1..n] with [11..10+n] is Σ t(t + 10) = n(n+1)(2n+1)/6 + 10·n(n+1)/2 (small integers: exact)
    const d = Float64Array.from({ length: 20 }, (_, t) => t + 1);
    for (let n = 0; n <= 10; n++) expect(dot(d, 0, 10, n)).toBe((n * (n + 1) * (2 * n + 1)) / 6 + (10 * n * (n + 1)) / 2);
  });
});
