/** Public API of the statistics kernels: pure functions and small stateful accumulators over Float64Array. */
export { MIN_RETURNS } from './guards.js';
export { logReturns } from './returns.js';
export {
  averageRanks,
  correlationMatrix,
  pearson,
  spearman,
  spearmanMatrix,
  type CorrelationOptions,
  type CorrelationResult,
} from './correlation.js';
export { RollingCorrelation, type RollingOptions } from './rolling.js';
export { EwmaCorrelation, type EwmaOptions } from './ewma.js';
export { correlationPValue, fisherCI, fisherZTest, Z95 } from './significance.js';
export { erfc, normalQuantile, normalTwoSidedP } from './special.js';
export { ATANH_CLAMP, averageCorrelation, clampedAtanh, correlationDispersion, pairList, topPairs, type Pair } from './summary.js';
export { absorptionRatio, largestEigenShare, mlMatrixEigenvalues, symmetricEigenvalues } from './eigen.js';
export { TopEigen, type FallbackReason, type TopEigenOptions } from './top-eigen.js';
