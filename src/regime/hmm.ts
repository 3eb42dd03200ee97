/**
 * Gaussian Markov-switching (hidden Markov) model of the regime series y_b = atanh(avg ρ) on disjoint blocks
 * (docs/methods.md §6): Hamilton's (1989) filter and Baum-Welch EM (Rabiner 1989).
 *
 * Live decisions and backtests use FILTERED probabilities (hamiltonFilter, OnlineHamiltonFilter), which depend
 * only on the past.
 *
 * Layout: hmm-params.ts (parameters), hmm-filter.ts (filter, online filter), hmm-fit.ts (EM).
 */
export {
  type HmmParams,
  validateHmmParams,
  cloneHmmParams,
  sortStatesByMean,
} from './hmm-params.js';
export {
  type HamiltonFilterResult,
  gaussianLogDensity,
  hamiltonFilter,
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
