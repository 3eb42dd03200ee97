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

/** Plain-array form of HmmParams for JSON persistence. */
export interface HmmJSON {
  k: number;
  means: number[];
  variances: number[];
  transition: number[];
  initial: number[];
}

/** Probability vectors and rows may differ from 1 by this much (rounding from EM or from a JSON round trip). */
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

/** Plain-array copy of p, safe for JSON.stringify (JSON round trips of doubles are exact). */
export function hmmToJSON(p: HmmParams): HmmJSON {
  return {
    k: p.k,
    means: Array.from(p.means),
    variances: Array.from(p.variances),
    transition: Array.from(p.transition),
    initial: Array.from(p.initial),
  };
}

function numberArray(v: unknown, what: string): Float64Array {
  if (!Array.isArray(v)) throw invalid(`${what} is not an array`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number') throw invalid(`${what}[${i}] is not a number`);
  }
  return Float64Array.from(v as number[]);
}

/**
 * Parses the output of hmmToJSON (after JSON.parse) back into HmmParams and validates it (validateHmmParams).
 *
 * @throws UserError 'invalid_hmm_params' when the value is not a well-formed model (e.g. a corrupted state file).
 */
export function hmmFromJSON(json: unknown): HmmParams {
  if (typeof json !== 'object' || json === null) throw invalid('not an object');
  const o = json as Record<string, unknown>;
  if (typeof o.k !== 'number') throw invalid('k is not a number');
  const p: HmmParams = {
    k: o.k,
    means: numberArray(o.means, 'means'),
    variances: numberArray(o.variances, 'variances'),
    transition: numberArray(o.transition, 'transition'),
    initial: numberArray(o.initial, 'initial'),
  };
  validateHmmParams(p);
  return p;
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

/**
 * Stationary distribution π of a k-state chain: the solution of πP = π, Σπ = 1. Solved exactly as the linear
 * system (Pᵀ − I)π = 0 with the last equation replaced by Σπ_j = 1, by Gaussian elimination with partial pivoting.
 * For k = 2: π_0 = (1 − p_11) / (2 − p_00 − p_11). Source: the ergodic probabilities of Hamilton 1994, Time
 * Series Analysis, §22.2 (which solves the same augmented system by least squares).
 *
 * @throws UserError 'invalid_hmm_params' when transition is not a k×k stochastic matrix, or when the chain has
 *   no unique stationary distribution (it is reducible, e.g. two absorbing states).
 */
export function stationaryDistribution(transition: Float64Array, k: number): Float64Array {
  if (!Number.isInteger(k) || k < 1 || transition.length !== k * k) {
    throw invalid(`transition has ${transition.length} entries, expected ${k}×${k}`);
  }
  for (let i = 0; i < k; i++) checkProbabilities(transition, i * k, k, `transition row ${i}`);
  // Augmented matrix A | b, row r = equation r.
  const n = k;
  const a = new Float64Array(n * (n + 1));
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) a[r * (n + 1) + c] = transition[c * k + r] - (r === c ? 1 : 0);
  }
  for (let c = 0; c < n; c++) a[(n - 1) * (n + 1) + c] = 1;
  a[(n - 1) * (n + 1) + n] = 1;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * (n + 1) + col]) > Math.abs(a[piv * (n + 1) + col])) piv = r;
    // Entries are O(1); a pivot this small means the system is singular (no unique stationary law).
    if (Math.abs(a[piv * (n + 1) + col]) < 1e-12) throw invalid('the chain has no unique stationary distribution');
    if (piv !== col) {
      for (let c = 0; c <= n; c++) {
        const t = a[col * (n + 1) + c];
        a[col * (n + 1) + c] = a[piv * (n + 1) + c];
        a[piv * (n + 1) + c] = t;
      }
    }
    for (let r = col + 1; r < n; r++) {
      const f = a[r * (n + 1) + col] / a[col * (n + 1) + col];
      if (f === 0) continue;
      for (let c = col; c <= n; c++) a[r * (n + 1) + c] -= f * a[col * (n + 1) + c];
    }
  }
  const pi = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r * (n + 1) + n];
    for (let c = r + 1; c < n; c++) s -= a[r * (n + 1) + c] * pi[c];
    pi[r] = s / a[r * (n + 1) + r];
  }
  // Clip rounding negatives and renormalise so the result is a probability vector.
  let sum = 0;
  for (let j = 0; j < n; j++) {
    pi[j] = Math.max(0, pi[j]);
    sum += pi[j];
  }
  for (let j = 0; j < n; j++) pi[j] /= sum;
  return pi;
}

/**
 * Expected duration of a stay in `state`, in observations (blocks): the sojourn is geometric with parameter
 * 1 − p_ii, so E[duration] = 1 / (1 − p_ii) (Hamilton 1989; Hamilton 1994, Time Series Analysis, §22.2).
 * Infinity when p_ii = 1.
 *
 * @throws RangeError when state is not an integer in [0, k).
 */
export function expectedDuration(params: HmmParams, state: number): number {
  if (!Number.isInteger(state) || state < 0 || state >= params.k) {
    throw new RangeError(`state ${state} is not in [0, ${params.k})`);
  }
  const pii = params.transition[state * params.k + state];
  return pii >= 1 ? Infinity : 1 / (1 - pii);
}
