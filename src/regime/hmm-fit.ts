import { DataError } from '../domain/errors.js';
import { gaussianLogDensity, requireFiniteObservations } from './hmm-filter.js';
import { cloneHmmParams, sortStatesByMean, validateHmmParams, type HmmParams } from './hmm-params.js';

/** Fewest observations per state a fit accepts: fewer cannot pin down a mean, a variance and a transition row. */
export const MIN_OBS_PER_STATE = 10;

/** Default variance floor as a fraction of the sample variance of the series (see defaultMinVariance). */
export const RELATIVE_VARIANCE_FLOOR = 1e-3;

/** Absolute variance floor used when the series is (nearly) constant. */
export const ABSOLUTE_VARIANCE_FLOOR = 1e-10;

export interface FitGaussianHmmOptions {
  /** Most EM iterations (M-step + E-step pairs), default 200. */
  maxIter?: number;
  /** Stop when the objective improves by ≤ tol · max(1, |objective|) in one iteration; default 1e-8. */
  tol?: number;
  /** Floor of every state variance; default defaultMinVariance(obs). */
  minVariance?: number;
  /**
   * Starting parameters (e.g. the previous fit, for a warm refit; variances below the floor are raised to it);
   * default initialGuess(obs, k, floor).
   */
  init?: HmmParams;
  /**
   * Sticky prior: pseudo-count κ ≥ 0 added to the diagonal of every transition row (a Dirichlet prior; the M-step
   * becomes p_ij = (n_ij + κ·[i=j]) / (n_i + κ)). Default 0, plain maximum likelihood.
   */
  stickiness?: number;
}

export interface FitGaussianHmmResult {
  /** Fitted parameters, states sorted by mean ascending. */
  params: HmmParams;
  /** ln f(y_1..T) under `params`. */
  logLikelihood: number;
  /** EM iterations performed (M-steps). */
  iterations: number;
  /** True when the tolerance was met before maxIter. */
  converged: boolean;
  /** ln L of the starting parameters, then of the parameters after each iteration (length iterations + 1). */
  logLikelihoodTrace: Float64Array;
  /**
   * The quantity EM increases: ln L + κ Σ_i ln p_ii (equal to logLikelihoodTrace when stickiness = 0). EM theory
   * guarantees it never decreases (Dempster, Laird, Rubin 1977); the variance floor keeps that true (the M-step
   * maximises the expected log-likelihood over σ² ≥ floor, which is max(σ̂², floor) since it is unimodal in σ²).
   */
  objectiveTrace: Float64Array;
  /** The variance floor that was applied. */
  minVariance: number;
}

function sampleVariance(obs: ArrayLike<number>): number {
  const T = obs.length;
  let m = 0;
  for (let t = 0; t < T; t++) m += obs[t];
  m /= T;
  let s = 0;
  for (let t = 0; t < T; t++) s += (obs[t] - m) * (obs[t] - m);
  return T > 1 ? s / (T - 1) : 0;
}

/**
 * Default variance floor: max(1e-3 · s², 1e-10), s² the sample variance of the series. Without a floor the
 * Gaussian likelihood is unbounded (a state that sits on one point, σ² → 0, sends ln L → +∞), so EM can collapse.
 * Relative to s² the floor is scale-free (sd ≥ 3.2 % of the series sd, well below the within-regime spread of
 * atanh ρ̄); the absolute term applies to a constant series.
 */
export function defaultMinVariance(obs: ArrayLike<number>): number {
  return Math.max(RELATIVE_VARIANCE_FLOOR * sampleVariance(obs), ABSOLUTE_VARIANCE_FLOOR);
}

/** Quantile q of sorted data, linear interpolation between order statistics (type 7, as numpy's default). */
function quantileSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Deterministic starting point for EM (no randomness): 1-D k-means (Lloyd's algorithm) started from the quantiles
 * (j + ½)/k of the data; each state takes its cluster's mean and variance (floored; a cluster of < 2 points gets
 * s²/k²), the transition matrix is the count of cluster-label transitions plus 1 in every cell (so no transition
 * starts at 0 — EM can never move a probability away from 0), and the initial distribution is the label frequency
 * plus 1 in every cell. States come out sorted by mean because 1-D Lloyd iterations preserve the order of centers.
 */
export function initialGuess(obs: ArrayLike<number>, k: number, minVariance: number): HmmParams {
  const T = obs.length;
  const sorted = Float64Array.from(obs).sort();
  const centers = new Float64Array(k);
  for (let j = 0; j < k; j++) centers[j] = quantileSorted(sorted, (j + 0.5) / k);
  const label = new Int32Array(T).fill(-1);
  const sum = new Float64Array(k);
  const cnt = new Float64Array(k);
  for (let iter = 0; iter < 100; iter++) {
    let changed = false;
    for (let t = 0; t < T; t++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (Math.abs(obs[t] - centers[j]) < Math.abs(obs[t] - centers[best])) best = j;
      if (label[t] !== best) {
        label[t] = best;
        changed = true;
      }
    }
    if (!changed) break;
    sum.fill(0);
    cnt.fill(0);
    for (let t = 0; t < T; t++) {
      sum[label[t]] += obs[t];
      cnt[label[t]]++;
    }
    for (let j = 0; j < k; j++) if (cnt[j] > 0) centers[j] = sum[j] / cnt[j];
  }
  const total = sampleVariance(obs);
  const ss = new Float64Array(k);
  cnt.fill(0);
  for (let t = 0; t < T; t++) {
    const d = obs[t] - centers[label[t]];
    ss[label[t]] += d * d;
    cnt[label[t]]++;
  }
  const variances = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    variances[j] = Math.max(minVariance, cnt[j] >= 2 ? ss[j] / cnt[j] : total / (k * k));
  }
  const trans = new Float64Array(k * k).fill(1);
  for (let t = 1; t < T; t++) trans[label[t - 1] * k + label[t]]++;
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += trans[i * k + j];
    for (let j = 0; j < k; j++) trans[i * k + j] /= s;
  }
  const initial = new Float64Array(k);
  for (let j = 0; j < k; j++) initial[j] = (cnt[j] + 1) / (T + k);
  return sortStatesByMean({ k, means: centers, variances, transition: trans, initial });
}

/** ln Σ exp(v[i]) over i < n, exact for −∞ entries (all −∞ gives −∞). */
function logSumExp(v: Float64Array, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (v[i] > m) m = v[i];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(v[i] - m);
  return m + Math.log(s);
}

interface Expectations {
  logLikelihood: number;
  /** T×k posterior state probabilities γ_t(j) = P(s_t = j | y_1..T). */
  gamma: Float64Array;
  /** k×k expected transition counts Σ_t ξ_t(i, j), ξ_t(i, j) = P(s_t = i, s_{t+1} = j | y_1..T). */
  xiSum: Float64Array;
}

/**
 * E-step: forward-backward (Baum 1970; Rabiner 1989 §III.A–C) in log space, so no density underflows whatever
 * the distance of an observation from a state:
 *   ln α_1(j) = ln π_j + ln η_1(j);  ln α_t(j) = ln η_t(j) + LSE_i(ln α_{t−1}(i) + ln p_ij);
 *   ln β_T(i) = 0;  ln β_t(i) = LSE_j(ln p_ij + ln η_{t+1}(j) + ln β_{t+1}(j));  ln L = LSE_j ln α_T(j);
 *   γ_t(i) = exp(ln α_t(i) + ln β_t(i) − ln L);  ξ_t(i,j) = exp(ln α_t(i) + ln p_ij + ln η_{t+1}(j) + ln β_{t+1}(j) − ln L).
 */
function expectations(obs: ArrayLike<number>, p: HmmParams): Expectations {
  const k = p.k;
  const T = obs.length;
  const logEta = new Float64Array(T * k);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < k; j++) logEta[t * k + j] = gaussianLogDensity(obs[t], p.means[j], p.variances[j]);
  }
  const logP = p.transition.map(Math.log);
  const la = new Float64Array(T * k);
  const lb = new Float64Array(T * k);
  const tmp = new Float64Array(k);
  for (let j = 0; j < k; j++) la[j] = Math.log(p.initial[j]) + logEta[j];
  for (let t = 1; t < T; t++) {
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < k; i++) tmp[i] = la[(t - 1) * k + i] + logP[i * k + j];
      la[t * k + j] = logEta[t * k + j] + logSumExp(tmp, k);
    }
  }
  const ll = logSumExp(la.subarray((T - 1) * k), k);
  if (!Number.isFinite(ll)) throw new DataError('non_finite_price', 'the regime series has zero likelihood under the model');
  for (let t = T - 2; t >= 0; t--) {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) tmp[j] = logP[i * k + j] + logEta[(t + 1) * k + j] + lb[(t + 1) * k + j];
      lb[t * k + i] = logSumExp(tmp, k);
    }
  }
  const gamma = new Float64Array(T * k);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let i = 0; i < k; i++) {
      const g = Math.exp(la[t * k + i] + lb[t * k + i] - ll);
      gamma[t * k + i] = g;
      s += g;
    }
    for (let i = 0; i < k; i++) gamma[t * k + i] /= s; // sums to 1 up to rounding; renormalise
  }
  const xiSum = new Float64Array(k * k);
  const xi = new Float64Array(k * k);
  for (let t = 0; t < T - 1; t++) {
    let s = 0;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const v = Math.exp(la[t * k + i] + logP[i * k + j] + logEta[(t + 1) * k + j] + lb[(t + 1) * k + j] - ll);
        xi[i * k + j] = v;
        s += v;
      }
    }
    for (let c = 0; c < k * k; c++) xiSum[c] += xi[c] / s;
  }
  return { logLikelihood: ll, gamma, xiSum };
}

/**
 * M-step (Rabiner 1989 eqs. 40a–c and 53, Gaussian emissions; Hamilton 1990 for the switching-regression form):
 *   π_j = γ_1(j);  p_ij = (Σ_t ξ_t(i,j) + κ[i=j]) / (Σ_t γ_t(i) over t < T, + κ);
 *   μ_j = Σ_t γ_t(j) y_t / Σ_t γ_t(j);  σ²_j = max(floor, Σ_t γ_t(j)(y_t − μ_j)² / Σ_t γ_t(j)).
 * A state with no posterior weight (or a row with no expected transitions) keeps its previous values: they do not
 * enter the expected log-likelihood, so any value maximises it.
 */
function maximise(obs: ArrayLike<number>, e: Expectations, prev: HmmParams, floor: number, kappa: number): HmmParams {
  const k = prev.k;
  const T = obs.length;
  const next = cloneHmmParams(prev);
  for (let j = 0; j < k; j++) next.initial[j] = e.gamma[j];
  for (let j = 0; j < k; j++) {
    let w = 0;
    let wy = 0;
    for (let t = 0; t < T; t++) {
      w += e.gamma[t * k + j];
      wy += e.gamma[t * k + j] * obs[t];
    }
    if (!(w > 1e-300)) continue;
    const mu = wy / w;
    let ss = 0;
    for (let t = 0; t < T; t++) {
      const d = obs[t] - mu;
      ss += e.gamma[t * k + j] * d * d;
    }
    next.means[j] = mu;
    next.variances[j] = Math.max(floor, ss / w);
  }
  for (let i = 0; i < k; i++) {
    let row = kappa;
    for (let j = 0; j < k; j++) row += e.xiSum[i * k + j];
    if (!(row > 1e-300)) continue;
    for (let j = 0; j < k; j++) next.transition[i * k + j] = (e.xiSum[i * k + j] + (i === j ? kappa : 0)) / row;
  }
  return next;
}

function objective(ll: number, p: HmmParams, kappa: number): number {
  if (kappa === 0) return ll;
  let s = ll;
  for (let i = 0; i < p.k; i++) s += kappa * Math.log(p.transition[i * p.k + i]);
  return s;
}

function checkOptions(k: number, opts: FitGaussianHmmOptions): void {
  if (k !== 2 && k !== 3) throw new RangeError(`the regime model has 2 or 3 states, not ${String(k)}`);
  const { maxIter, tol, minVariance, stickiness } = opts;
  if (maxIter !== undefined && !(Number.isInteger(maxIter) && maxIter >= 0)) throw new RangeError(`maxIter = ${maxIter}`);
  if (tol !== undefined && !(Number.isFinite(tol) && tol >= 0)) throw new RangeError(`tol = ${tol}`);
  if (minVariance !== undefined && !(Number.isFinite(minVariance) && minVariance > 0)) {
    throw new RangeError(`minVariance = ${minVariance} must be a positive number`);
  }
  if (stickiness !== undefined && !(Number.isFinite(stickiness) && stickiness >= 0)) {
    throw new RangeError(`stickiness = ${stickiness}`);
  }
  if (opts.init) {
    validateHmmParams(opts.init);
    if (opts.init.k !== k) throw new RangeError(`init has ${opts.init.k} states, the fit asks for ${k}`);
  }
}

/**
 * Fits a k-state (2 or 3) Gaussian Markov-switching model (Hamilton 1989) to a scalar series by EM — the
 * Baum-Welch algorithm (Baum et al. 1970; Dempster, Laird, Rubin 1977; Rabiner 1989) — with a log-space
 * forward-backward E-step, a variance floor, an optional sticky Dirichlet prior on the transition diagonal, and a
 * deterministic start (initialGuess). Each iteration is an M-step followed by the E-step of the new parameters;
 * it stops when the objective ln L + κ Σ ln p_ii gains ≤ tol · max(1, |objective|), or after maxIter iterations.
 * States of the result are sorted by mean ascending (state k−1 = stress).
 *
 * @throws DataError 'too_few_returns' for fewer than 10·k observations; DataError 'non_finite_price' for a
 *   non-finite observation; RangeError for invalid options; UserError 'invalid_hmm_params' for an invalid init.
 */
export function fitGaussianHmm(
  obs: ArrayLike<number>,
  k: 2 | 3,
  opts: FitGaussianHmmOptions = {},
): FitGaussianHmmResult {
  checkOptions(k, opts);
  const T = obs.length;
  if (T < MIN_OBS_PER_STATE * k) {
    throw new DataError('too_few_returns', `${T} observations; a ${k}-state regime model needs at least ${MIN_OBS_PER_STATE * k}`);
  }
  requireFiniteObservations(obs);
  const maxIter = opts.maxIter ?? 200;
  const tol = opts.tol ?? 1e-8;
  const kappa = opts.stickiness ?? 0;
  const floor = opts.minVariance ?? defaultMinVariance(obs);
  let params = opts.init ? cloneHmmParams(opts.init) : initialGuess(obs, k, floor);
  // Start inside the feasible set σ² ≥ floor, or the first M-step could lower the likelihood.
  for (let j = 0; j < k; j++) params.variances[j] = Math.max(params.variances[j], floor);
  let e = expectations(obs, params);
  const llTrace = [e.logLikelihood];
  const objTrace = [objective(e.logLikelihood, params, kappa)];
  let converged = false;
  let iterations = 0;
  while (iterations < maxIter) {
    params = maximise(obs, e, params, floor, kappa);
    e = expectations(obs, params);
    iterations++;
    const prev = objTrace[objTrace.length - 1];
    const cur = objective(e.logLikelihood, params, kappa);
    llTrace.push(e.logLikelihood);
    objTrace.push(cur);
    if (cur - prev <= tol * Math.max(1, Math.abs(prev))) {
      converged = true;
      break;
    }
  }
  return {
    params: sortStatesByMean(params),
    logLikelihood: e.logLikelihood,
    iterations,
    converged,
    logLikelihoodTrace: Float64Array.from(llTrace),
    objectiveTrace: Float64Array.from(objTrace),
    minVariance: floor,
  };
}
