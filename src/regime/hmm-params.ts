import { UserError } from '../domain/errors.js';

/**
 * Parameters of a k-state Gaussian Markov-switching model (Hamilton 1989):
 *   s_t ∈ {0..k−1} a Markov chain with P(s_t = j | s_{t−1} = i) = transition[i·k + j], P(s_1 = j) = initial[j];
 *   y_t | s_t = j ~ N(means[j], variances[j]).
 * States are ordered by mean ascending, so state k−1 is the "stress" (highest-correlation) state.
 */
export interface HmmParams {
  k: number;
  means: Float64Array;
  variances: Float64Array;
  /** k×k row-major, rows sum to 1. */
  transition: Float64Array;
  /** Distribution of the first state s_1 (before any observation). */
  initial: Float64Array;
}

/** Probability vectors and rows may differ from 1 by this much (rounding from EM). */
const SUM_TOL = 1e-9;

/** UserError 'invalid_hmm_params' with a message naming what is wrong (shared by the regime-model modules). */
export function invalidHmm(message: string): UserError {
  return new UserError('invalid_hmm_params', `invalid regime model: ${message}`);
}
const invalid = invalidHmm;

/**
 * Throws UserError 'invalid_hmm_params' unless p[from, from+n) is a probability vector: finite entries in [0, 1]
 * summing to 1 within 1e-9.
 */
export function checkProbabilities(p: ArrayLike<number>, from: number, n: number, what: string): void {
  let s = 0;
  for (let j = from; j < from + n; j++) {
    const v = p[j];
    if (!Number.isFinite(v) || v < 0 || v > 1 + SUM_TOL) throw invalid(`${what} has entry ${v} outside [0, 1]`);
    s += v;
  }
  if (Math.abs(s - 1) > SUM_TOL) throw invalid(`${what} sums to ${s}, not 1`);
}

/**
 * Checks that p is a well-formed HmmParams: k ≥ 1 integer, arrays of lengths k, k, k², k, finite means, positive
 * finite variances, initial and every transition row probability vectors (sum 1 within 1e-9).
 *
 * @throws UserError 'invalid_hmm_params' naming the first problem found.
 */
export function validateHmmParams(p: HmmParams): void {
  const k = p.k;
  if (!Number.isInteger(k) || k < 1) throw invalid(`k = ${k} is not a positive integer`);
  if (p.means.length !== k) throw invalid(`means has ${p.means.length} entries, expected ${k}`);
  if (p.variances.length !== k) throw invalid(`variances has ${p.variances.length} entries, expected ${k}`);
  if (p.transition.length !== k * k) throw invalid(`transition has ${p.transition.length} entries, expected ${k * k}`);
  if (p.initial.length !== k) throw invalid(`initial has ${p.initial.length} entries, expected ${k}`);
  for (let j = 0; j < k; j++) {
    if (!Number.isFinite(p.means[j])) throw invalid(`means[${j}] = ${p.means[j]}`);
    const v = p.variances[j];
    if (!Number.isFinite(v) || !(v > 0)) throw invalid(`variances[${j}] = ${v} is not a positive number`);
  }
  checkProbabilities(p.initial, 0, k, 'initial');
  for (let i = 0; i < k; i++) checkProbabilities(p.transition, i * k, k, `transition row ${i}`);
}

/** Deep copy of the parameters (fresh Float64Arrays). */
export function cloneHmmParams(p: HmmParams): HmmParams {
  return {
    k: p.k,
    means: Float64Array.from(p.means),
    variances: Float64Array.from(p.variances),
    transition: Float64Array.from(p.transition),
    initial: Float64Array.from(p.initial),
  };
}

/**
 * Relabels states so that means ascend (stable for ties): state j of the result is state order[j] of p, with
 * transition'[a][b] = transition[order[a]][order[b]]. The likelihood of any series is unchanged.
 */
export function sortStatesByMean(p: HmmParams): HmmParams {
  const k = p.k;
  const order = Array.from({ length: k }, (_, j) => j).sort((a, b) => p.means[a] - p.means[b] || a - b);
  const out: HmmParams = {
    k,
    means: new Float64Array(k),
    variances: new Float64Array(k),
    transition: new Float64Array(k * k),
    initial: new Float64Array(k),
  };
  for (let a = 0; a < k; a++) {
    out.means[a] = p.means[order[a]];
    out.variances[a] = p.variances[order[a]];
    out.initial[a] = p.initial[order[a]];
    for (let b = 0; b < k; b++) out.transition[a * k + b] = p.transition[order[a] * k + order[b]];
  }
  return out;
}
