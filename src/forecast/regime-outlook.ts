/**
 * Regime outlook from the Markov-switching model (Hamilton 1989; docs/methods.md, "Forecasts"): where the regime
 * probabilities are heading, from the fitted transition matrix A (k×k, row-major, rows sum to 1) and the current
 * filtered probabilities π_t.
 *
 * - At a horizon of m model steps: π_{t+m} = π_t · A^m (the Chapman–Kolmogorov equation).
 * - Within m steps: the probability that the chain visits state s at some step 0..m. With B = A restricted to the
 *   states other than s (a substochastic matrix), P(never s in steps 0..m) = π_t[¬s] · B^m · 1, so
 *   P(within) = 1 − π_t[¬s] · B^m · 1 (a first-passage probability; Norris 1997, §1.3).
 * - Expected steps to the next switch: the dwell time in state i is geometric with mean 1/(1 − A_ii), and memoryless,
 *   so the expected remaining time is Σ_i π_i / (1 − A_ii) (infinite when a state is absorbing).
 *
 * corrwatch's model steps are blocks of L bars (src/regime/block-model.ts), so a horizon of h bars is h/L steps. For
 * a fractional number of steps m the probabilities are interpolated linearly between ⌊m⌋ and ⌈m⌉ steps: exact at
 * whole blocks, and a smooth, monotone approximation between them (no real root of A is needed, and A may have
 * negative eigenvalues, for which A^m has none). Pure functions, no I/O.
 */
import { UserError } from '../domain/errors.js';
import type { RegimeModelState } from '../regime/block-model.js';

export type { RegimeModelState };

function check(A: ArrayLike<number>, k: number, probs: ArrayLike<number>): void {
  if (!Number.isInteger(k) || k < 1 || A.length !== k * k || probs.length !== k) {
    throw new UserError('invalid_hmm_params', `regime outlook: a ${k}-state model needs ${k * k} transition entries and ${k} probabilities, got ${A.length} and ${probs.length}`);
  }
}

/** v · M for a row vector v (length n) and an n×n row-major M (`idx` picks the rows/columns used). */
function rowTimes(v: Float64Array, M: ArrayLike<number>, k: number, idx: number[]): Float64Array {
  const out = new Float64Array(idx.length);
  for (let a = 0; a < idx.length; a++) {
    const i = idx[a];
    if (v[a] === 0) continue;
    for (let b = 0; b < idx.length; b++) out[b] += v[a] * M[i * k + idx[b]];
  }
  return out;
}

/** v · M^steps for whole steps, restricted to `idx`. */
function propagate(v: Float64Array, M: ArrayLike<number>, k: number, idx: number[], steps: number): Float64Array {
  let x = v;
  for (let s = 0; s < steps; s++) x = rowTimes(x, M, k, idx);
  return x;
}

/** Most model steps a horizon may span (7 days of 1-minute bars in blocks of 10 is about 1,000). */
const MAX_STEPS = 100_000;

function splitSteps(steps: number): { lo: number; frac: number } {
  if (!(steps >= 0) || steps > MAX_STEPS) throw new UserError('bad_horizon', `regime outlook: a horizon of ${steps} model steps is out of range (0 to ${MAX_STEPS})`);
  const lo = Math.floor(steps);
  return { lo, frac: steps - lo };
}

/** π_t · A^m for m ≥ 0 model steps (fractional m interpolated between whole steps). Sums to 1. */
export function probabilitiesAt(A: ArrayLike<number>, k: number, probs: ArrayLike<number>, steps: number): Float64Array {
  check(A, k, probs);
  const { lo, frac } = splitSteps(steps);
  const all = Array.from({ length: k }, (_, i) => i);
  const a = propagate(Float64Array.from(probs), A, k, all, lo);
  if (frac === 0) return a;
  const b = rowTimes(a, A, k, all);
  return a.map((x, i) => (1 - frac) * x + frac * b[i]);
}

/** P(the chain is in `state` at some step from now to m steps ahead), fractional m interpolated. */
export function probabilityWithin(A: ArrayLike<number>, k: number, probs: ArrayLike<number>, state: number, steps: number): number {
  check(A, k, probs);
  if (!Number.isInteger(state) || state < 0 || state >= k) throw new UserError('invalid_hmm_params', `regime outlook: no state ${state} in a ${k}-state model`);
  const { lo, frac } = splitSteps(steps);
  const others = Array.from({ length: k }, (_, i) => i).filter((i) => i !== state);
  const start = Float64Array.from(others.map((i) => probs[i]));
  const avoidLo = propagate(start, A, k, others, lo);
  const sum = (v: Float64Array) => v.reduce((s, x) => s + x, 0);
  const pLo = 1 - sum(avoidLo);
  if (frac === 0) return clamp01(pLo);
  const pHi = 1 - sum(rowTimes(avoidLo, A, k, others));
  return clamp01((1 - frac) * pLo + frac * pHi);
}

/** Expected model steps until the chain leaves its current state: Σ_i π_i / (1 − A_ii); Infinity if one absorbs. */
export function expectedStepsToSwitch(A: ArrayLike<number>, k: number, probs: ArrayLike<number>): number {
  check(A, k, probs);
  let e = 0;
  for (let i = 0; i < k; i++) {
    if (probs[i] === 0) continue;
    const stay = A[i * k + i];
    if (stay >= 1) return Infinity;
    e += probs[i] / (1 - stay);
  }
  return e;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Names of the model's states, lowest mean first: its top state is the one the detector calls stressed. */
export function stateNames(k: number): string[] {
  if (k === 2) return ['calm', 'stressed'];
  if (k === 3) return ['calm', 'elevated', 'stressed'];
  return Array.from({ length: k }, (_, i) => (i === k - 1 ? 'stressed' : `state${i + 1}`));
}

export interface RegimeOutlook {
  states: string[];
  /** Probability of each state at the horizon (sums to 1). */
  probabilities: Record<string, number>;
  /** Probability of being in the stressed (top) state at some point from now to the horizon. */
  stressedWithin: number;
  /** Expected bars until the regime switches, from now. */
  expectedBarsToSwitch: number;
  horizonBars: number;
  separated: boolean;
}

/** The outlook at `horizonBars` bars from the newest bar. */
export function regimeOutlook(s: RegimeModelState, horizonBars: number): RegimeOutlook {
  const steps = (horizonBars + s.barsIntoBlock) / s.blockLength;
  const p = probabilitiesAt(s.transition, s.k, s.probs, steps);
  const states = stateNames(s.k);
  const probabilities: Record<string, number> = {};
  states.forEach((name, i) => (probabilities[name] = p[i]));
  const toSwitch = expectedStepsToSwitch(s.transition, s.k, s.probs) * s.blockLength - s.barsIntoBlock;
  return {
    states,
    probabilities,
    stressedWithin: probabilityWithin(s.transition, s.k, s.probs, s.k - 1, steps),
    expectedBarsToSwitch: Math.max(0, toSwitch),
    horizonBars,
    separated: s.separated,
  };
}

/** Hours in the outlook line every alert and `regime` reply carry. */
export const OUTLOOK_HOURS = 24;

/**
 * P(stressed within the next 24 hours) for a basket whose bars last `barMs`, or null when the model is not fitted or
 * has no stress state distinct from the others (the probability would then mean little).
 */
export function stressedWithinDay(s: RegimeModelState | null, barMs: number): number | null {
  if (!s || !s.separated) return null;
  const bars = Math.max(1, Math.round((OUTLOOK_HOURS * 3_600_000) / barMs));
  return regimeOutlook(s, bars).stressedWithin;
}

/** "P(stressed within 24h): 0.62". */
export function stressWithinLine(p: number, horizon = `${OUTLOOK_HOURS}h`): string {
  return `P(stressed within ${horizon}): ${p.toFixed(2)}`;
}
