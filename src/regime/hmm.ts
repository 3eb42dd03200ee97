/**
 * Gaussian Markov-switching (hidden Markov) model of the regime series y_b = atanh(avg ρ) on disjoint blocks
 * (docs/methods.md §6): Hamilton's (1989) filter, Kim's (1994) smoother, Baum-Welch EM (Rabiner 1989), and helpers.
 *
 * Live decisions and backtests use FILTERED probabilities (hamiltonFilter, OnlineHamiltonFilter), which depend
 * only on the past; smoothedProbabilities looks ahead and is for diagnostics only.
 *
 * Layout: hmm-params.ts (parameters, JSON, stationary law, durations), hmm-filter.ts (filter, online filter,
 * smoother), hmm-fit.ts (EM).
 */
export {
  type HmmParams,
  type HmmJSON,
  validateHmmParams,
  cloneHmmParams,
  hmmToJSON,
  hmmFromJSON,
  sortStatesByMean,
  stationaryDistribution,
  expectedDuration,
} from './hmm-params.js';
export {
  type HamiltonFilterResult,
  type OnlineHamiltonFilterJSON,
  gaussianLogDensity,
  hamiltonFilter,
  smoothedProbabilities,
  OnlineHamiltonFilter,
} from './hmm-filter.js';
export {
  type FitGaussianHmmOptions,
  type FitGaussianHmmResult,
  MIN_OBS_PER_STATE,
  RELATIVE_VARIANCE_FLOOR,
  ABSOLUTE_VARIANCE_FLOOR,
  defaultMinVariance,
  initialGuess,
  fitGaussianHmm,
} from './hmm-fit.js';
