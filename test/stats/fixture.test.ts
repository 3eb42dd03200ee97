import { describe, expect, it } from 'vitest';
import {
  absorptionRatio,
  averageCorrelation,
  correlationDispersion,
  correlationMatrix,
  correlationPValue,
  fisherCI,
  fisherZTest,
  largestEigenShare,
  logReturns,
  pearson,
  RollingCorrelation,
  spearman,
  spearmanMatrix,
} from '../../src/stats/index.js';
import { expectAllClose, expectRelClose, loadExpected, loadWideFixture } from './helpers.js';

// Values computed independently with numpy/scipy (test/fixtures/expected.json); tolerance ~1e-9 or tighter.
const fx = loadWideFixture();
const ex = loadExpected();
const returns = fx.closes.map((c, i) => logReturns(c, i));
const returnTime = (j: number) => fx.times[j + 1]; // return j ends at bar j + 1
const sym = (s: string) => fx.symbols.indexOf(s);

interface MatrixExpect {
  matrix: number[][];
  n: number;
  avgCorrelation: number;
  dispersion: number;
  absorptionRatio: number;
  largestEigenShare: number;
  from: string;
  to: string;
}

function checkMatrix(e: MatrixExpect, start: number, end: number): void {
  const N = fx.symbols.length;
  const { corr, cov, n } = correlationMatrix(returns, start, end);
  expect(n).toBe(e.n);
  expect(returnTime(start)).toBe(e.from);
  expect(returnTime(end - 1)).toBe(e.to);
  expectAllClose(corr, e.matrix.flat(), 1e-12);
  expectRelClose(averageCorrelation(corr, N), e.avgCorrelation, 1e-12);
  expectRelClose(correlationDispersion(corr, N), e.dispersion, 1e-11);
  expectRelClose(absorptionRatio(cov, N), e.absorptionRatio, 1e-11);
  expectRelClose(largestEigenShare(corr, N), e.largestEigenShare, 1e-11);
}

describe('expected.json fixture', () => {
  it('matrix over all 300 returns', () => {
    checkMatrix(ex.matrix_all as unknown as MatrixExpect, 0, returns[0].length);
  });

  it('matrix over the 60 returns ending at 2023-06-30 (inclusive), batch and rolling', () => {
    const end = fx.times.indexOf('2023-06-30T00:00:00Z'); // bar k closes return k − 1, so the window ends at k
    const e = ex['matrix_window60_at_2023-06-30'] as unknown as MatrixExpect;
    checkMatrix(e, end - 60, end);
    const rc = new RollingCorrelation(4, 60);
    for (let j = 0; j < end; j++) rc.push(returns.map((r) => r[j]));
    expectAllClose(rc.correlation(), e.matrix.flat(), 1e-12);
  });

  it('AAA/CCC Pearson with p-value and 95% CI', () => {
    const e = ex.corr_AAA_CCC_all as { rho: number; n: number; pValue: number; ci95: [number, number] };
    const rho = pearson(returns[sym('AAA')], returns[sym('CCC')]);
    expectRelClose(rho, e.rho, 1e-13);
    expectRelClose(correlationPValue(rho, e.n), e.pValue, 1e-9);
    const [lo, hi] = fisherCI(rho, e.n);
    expectRelClose(lo, e.ci95[0], 1e-12);
    expectRelClose(hi, e.ci95[1], 1e-12);
  });

  it('BBB/DDD Spearman', () => {
    const e = ex.corr_BBB_DDD_all_spearman as { rho: number };
    expectRelClose(spearman(returns[sym('BBB')], returns[sym('DDD')]), e.rho, 1e-12);
    expectRelClose(spearmanMatrix(returns).corr[sym('BBB') * 4 + sym('DDD')], e.rho, 1e-12);
  });

  it('AAA/DDD Fisher z test, latest 100 returns against the 100 before them', () => {
    const e = ex.compare_AAA_DDD_window100 as { rho: number; rhoBefore: number; z: number; pValue: number };
    const a = sym('AAA');
    const d = sym('DDD');
    const rho = pearson(returns[a].subarray(200, 300), returns[d].subarray(200, 300));
    const before = pearson(returns[a].subarray(100, 200), returns[d].subarray(100, 200));
    expectRelClose(rho, e.rho, 1e-10); // ρ ≈ 9e-4: relative 1e-10 is an absolute 1e-13
    expectRelClose(before, e.rhoBefore, 1e-12);
    const { z, pValue } = fisherZTest(rho, 100, before, 100);
    expectRelClose(z, e.z, 1e-11);
    expectRelClose(pValue, e.pValue, 1e-11);
  });
});
