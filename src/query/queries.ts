import { UserError } from '../domain/errors.js';
import { isoTime } from '../domain/timeframe.js';
import {
  absorptionRatio,
  averageCorrelation,
  correlationDispersion,
  correlationMatrix,
  correlationPValue,
  fisherCI,
  fisherZTest,
  largestEigenShare,
  MIN_RETURNS,
  pearson,
  spearman,
  spearmanMatrix,
} from '../stats/index.js';
import { withSymbols } from './name-errors.js';
import { sliceReturns, type ReturnsWindow } from './returns-window.js';

export type Method = 'pearson' | 'spearman';

export interface CorrResult {
  symbols: [string, string];
  method: Method;
  window: number | 'all';
  n: number;
  rho: number;
  pValue: number;
  ci95: [number, number];
  from: string;
  to: string;
  notes: string[];
}

export interface MatrixResult {
  symbols: string[];
  method: Method;
  window: number | 'all';
  matrix: number[][];
  n: number;
  avgCorrelation: number;
  dispersion: number;
  absorptionRatio: number;
  largestEigenShare: number;
  from: string;
  to: string;
  notes: string[];
}

export interface CompareResult {
  symbols: [string, string];
  method: 'pearson';
  window: number;
  rho: number;
  rhoBefore: number;
  n: number;
  nBefore: number;
  z: number;
  pValue: number;
  from: string;
  to: string;
  fromBefore: string;
  toBefore: string;
  notes: string[];
}

function requireReturns(rw: ReturnsWindow): void {
  if (rw.times.length < MIN_RETURNS) {
    throw new UserError('too_few_returns', `only ${rw.times.length} returns in the window for ${rw.symbols.join(', ')}; at least ${MIN_RETURNS} are needed for a correlation. Use a longer window or a smaller timeframe`);
  }
}

/** Pairwise correlation of the window's two series with its t-test p-value and Fisher 95% CI (docs/methods.md §1). */
export function corrOf(rw: ReturnsWindow, method: Method, window: number | 'all'): CorrResult {
  requireReturns(rw);
  const [x, y] = rw.returns;
  const n = x.length;
  const rho = withSymbols(rw.symbols, () => (method === 'spearman' ? spearman(x, y) : pearson(x, y)));
  return {
    symbols: [rw.symbols[0], rw.symbols[1]],
    method,
    window,
    n,
    rho,
    pValue: correlationPValue(rho, n),
    ci95: fisherCI(rho, n),
    from: isoTime(rw.times[0]),
    to: isoTime(rw.times[n - 1]),
    notes: rw.notes,
  };
}

/** Correlation matrix of the window with ρ̄, dispersion of atanh ρ, absorption ratio and λ1/N (docs/methods.md §2-3). */
export function matrixOf(rw: ReturnsWindow, method: Method, window: number | 'all'): MatrixResult {
  requireReturns(rw);
  const N = rw.symbols.length;
  const n = rw.times.length;
  const { corr: pearsonCorr, cov } = withSymbols(rw.symbols, () => correlationMatrix(rw.returns));
  const corr = method === 'spearman' ? withSymbols(rw.symbols, () => spearmanMatrix(rw.returns).corr) : pearsonCorr;
  const matrix: number[][] = [];
  for (let i = 0; i < N; i++) matrix.push(Array.from(corr.subarray(i * N, (i + 1) * N)));
  return {
    symbols: rw.symbols,
    method,
    window,
    matrix,
    n,
    avgCorrelation: averageCorrelation(corr, N),
    dispersion: correlationDispersion(corr, N),
    absorptionRatio: absorptionRatio(cov, N),
    largestEigenShare: largestEigenShare(pearsonCorr, N),
    from: isoTime(rw.times[0]),
    to: isoTime(rw.times[n - 1]),
    notes: rw.notes,
  };
}

/**
 * Fisher z test of the latest W returns against the W before them (disjoint windows; docs/methods.md §4).
 * `rw` must end at the evaluation bar and hold at least 2W returns.
 */
export function compareOf(rw: ReturnsWindow, window: number): CompareResult {
  const total = rw.times.length;
  if (total < 2 * window) {
    throw new UserError('too_few_returns', `compare needs ${2 * window} returns (two disjoint windows of ${window}); only ${total} are available. Use a shorter window`);
  }
  const latest = sliceReturns(rw, total - window, total);
  const before = sliceReturns(rw, total - 2 * window, total - window);
  const a = corrOf(latest, 'pearson', window);
  const b = corrOf(before, 'pearson', window);
  const { z, pValue } = fisherZTest(a.rho, a.n, b.rho, b.n);
  return {
    symbols: a.symbols,
    method: 'pearson',
    window,
    rho: a.rho,
    rhoBefore: b.rho,
    n: a.n,
    nBefore: b.n,
    z,
    pValue,
    from: a.from,
    to: a.to,
    fromBefore: b.from,
    toBefore: b.to,
    notes: rw.notes,
  };
}
