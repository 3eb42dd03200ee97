import { DataError } from '../domain/errors.js';
import { checkProbabilities, cloneHmmParams, invalidHmm, validateHmmParams, type HmmParams } from './hmm-params.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** log N(y; mean, variance) = −½ (ln 2π + ln σ² + (y − μ)² / σ²). */
export function gaussianLogDensity(y: number, mean: number, variance: number): number {
  const d = y - mean;
  return -0.5 * (LOG_2PI + Math.log(variance) + (d * d) / variance);
}

/** Throws DataError 'non_finite_price' at the first non-finite observation (the stats modules use the same code). */
export function requireFiniteObservations(obs: ArrayLike<number>): void {
  for (let t = 0; t < obs.length; t++) {
    if (!Number.isFinite(obs[t])) throw new DataError('non_finite_price', `observation #${t} of the regime series is ${obs[t]}`);
  }
}

/**
 * One update of Hamilton's filter: out[j] = P(s_t = j | y_1..t) ∝ pred[j] · N(y; μ_j, σ²_j), and the return value
 * ln f(y_t | y_1..t−1) = ln Σ_j pred[j] · N(y; μ_j, σ²_j). Computed from the log joint with its maximum
 * subtracted, so neither underflow of the densities nor a zero predicted probability can produce 0/0 (the same
 * normalisation as Rabiner 1989's scaling coefficients c_t, taken in logs).
 */
export function filterUpdate(
  p: HmmParams,
  pred: Float64Array,
  predOff: number,
  y: number,
  out: Float64Array,
  outOff: number,
): number {
  const k = p.k;
  let m = -Infinity;
  for (let j = 0; j < k; j++) {
    const lj = Math.log(pred[predOff + j]) + gaussianLogDensity(y, p.means[j], p.variances[j]);
    out[outOff + j] = lj;
    if (lj > m) m = lj;
  }
  if (!(m > -Infinity)) {
    throw new DataError('non_finite_price', `observation ${y} has zero likelihood under every regime state`);
  }
  let s = 0;
  for (let j = 0; j < k; j++) {
    const e = Math.exp(out[outOff + j] - m);
    out[outOff + j] = e;
    s += e;
  }
  for (let j = 0; j < k; j++) out[outOff + j] /= s;
  return m + Math.log(s);
}

/** Prediction step: out[j] = P(s_{t+1} = j | y_1..t) = Σ_i filtered[i] · p_ij. */
export function predictNext(p: HmmParams, filtered: Float64Array, fOff: number, out: Float64Array, outOff: number): void {
  const k = p.k;
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += filtered[fOff + i] * p.transition[i * k + j];
    out[outOff + j] = s;
  }
}

export interface HamiltonFilterResult {
  /** T×k row-major: P(s_t = j | y_1..t). Uses no observation after t: safe for live decisions and backtests. */
  filtered: Float64Array;
  /** T×k row-major: P(s_t = j | y_1..t−1); row 0 is params.initial. */
  predicted: Float64Array;
  /** ln f(y_1..T) = Σ_t ln f(y_t | y_1..t−1). */
  logLikelihood: number;
}

/**
 * Hamilton's (1989) forward filter for a Gaussian Markov-switching model:
 *   ξ_{1|0} = initial;  ξ_{t|t} = (ξ_{t|t−1} ⊙ η_t) / (1ᵀ(ξ_{t|t−1} ⊙ η_t)),  η_t[j] = N(y_t; μ_j, σ²_j);
 *   ξ_{t+1|t} = Pᵀ ξ_{t|t};  ln L = Σ_t ln 1ᵀ(ξ_{t|t−1} ⊙ η_t).
 * The per-step normalisers are Rabiner's (1989) scaling coefficients, kept in logs. Filtered probabilities at t
 * depend only on y_1..t (no look-ahead), as live decisions and backtests need.
 *
 * @throws UserError 'invalid_hmm_params'; DataError 'non_finite_price' for a non-finite observation.
 */
export function hamiltonFilter(obs: ArrayLike<number>, params: HmmParams): HamiltonFilterResult {
  validateHmmParams(params);
  requireFiniteObservations(obs);
  const k = params.k;
  const T = obs.length;
  const filtered = new Float64Array(T * k);
  const predicted = new Float64Array(T * k);
  let ll = 0;
  for (let t = 0; t < T; t++) {
    if (t === 0) predicted.set(params.initial, 0);
    else predictNext(params, filtered, (t - 1) * k, predicted, t * k);
    ll += filterUpdate(params, predicted, t * k, obs[t], filtered, t * k);
  }
  return { filtered, predicted, logLikelihood: ll };
}

function checkDistribution(v: ArrayLike<number>, k: number, what: string): Float64Array {
  if (v.length !== k) throw invalidHmm(`${what} has ${v.length} entries, expected ${k}`);
  checkProbabilities(v, 0, k, what);
  return Float64Array.from(v);
}

/**
 * Hamilton's (1989) filter run one observation at a time, for the live path: each step is
 *   ξ_{t|t−1} = Pᵀ ξ_{t−1|t−1} (or `initial` for the very first observation),  ξ_{t|t} ∝ ξ_{t|t−1} ⊙ η_t,
 * with the same arithmetic as hamiltonFilter, so it reproduces the batch filter exactly (bit for bit).
 *
 * `prior` is the filtered distribution of the state at the last observation already processed elsewhere — e.g. the
 * last row of hamiltonFilter(history, params).filtered after a refit; the first step() then applies the
 * transition to it. Without `prior`, the first step() uses params.initial as the distribution of the first state.
 */
export class OnlineHamiltonFilter {
  private readonly params: HmmParams;
  private filtered: Float64Array | null;
  private readonly pred: Float64Array;
  private ll = 0;
  private n = 0;

  /** @throws UserError 'invalid_hmm_params' for invalid params or a prior that is not a k-probability vector. */
  constructor(params: HmmParams, prior?: ArrayLike<number>) {
    validateHmmParams(params);
    this.params = cloneHmmParams(params);
    this.filtered = prior === undefined ? null : checkDistribution(prior, params.k, 'prior');
    this.pred = new Float64Array(params.k);
  }

  /**
   * Advances the filter by one observation and returns P(s_t | y_1..t) (a fresh array).
   *
   * @throws DataError 'non_finite_price' for a non-finite y (the filter state is left unchanged).
   */
  step(y: number): Float64Array {
    if (!Number.isFinite(y)) throw new DataError('non_finite_price', `observation ${y} of the regime series is not finite`);
    const k = this.params.k;
    if (this.filtered) predictNext(this.params, this.filtered, 0, this.pred, 0);
    else this.pred.set(this.params.initial);
    const out = new Float64Array(k);
    this.ll += filterUpdate(this.params, this.pred, 0, y, out, 0);
    this.filtered = out;
    this.n++;
    return Float64Array.from(out);
  }

  /** P(s_t | y_1..t) after the last step; before any step, the prior if one was given, else params.initial. */
  get probabilities(): Float64Array {
    return Float64Array.from(this.filtered ?? this.params.initial);
  }

  /** P(s_{t+1} | y_1..t): the distribution the next observation's state is predicted from. */
  get predicted(): Float64Array {
    const out = new Float64Array(this.params.k);
    if (this.filtered) predictNext(this.params, this.filtered, 0, out, 0);
    else out.set(this.params.initial);
    return out;
  }

  /** Σ ln f(y_t | y_1..t−1) over the observations stepped through this instance. */
  get logLikelihood(): number {
    return this.ll;
  }

  /** Number of observations processed. */
  get steps(): number {
    return this.n;
  }
}
