/**
 * GARCH(1,1) conditional variances and their Gaussian quasi-maximum-likelihood fit, the first step of the DCC
 * model (src/forecast/dcc.ts).
 *
 * Model (Bollerslev, "Generalized autoregressive conditional heteroskedasticity", J. Econometrics 31, 1986):
 *   r_t = √h_t · z_t,  z_t i.i.d. with mean 0 and variance 1,
 *   h_{t+1} = ω + α·r_t² + β·h_t,   ω > 0, α ≥ 0, β ≥ 0, α + β < 1 (covariance stationary).
 *
 * Mean: returns are taken to have mean zero (not demeaned), the convention of the RiskMetrics EWMA elsewhere in
 * corrwatch (src/stats/ewma.ts). For hourly or daily crypto log returns the mean is a few hundredths of the
 * volatility, so leaving it in biases the variance by about (μ/σ)², under 0.1%; in exchange the fitted model needs
 * no per-asset mean to be carried with its parameters (CorrelationModel in dcc.ts).
 *
 * Estimation: Gaussian QML (Bollerslev & Wooldridge, Econometric Reviews 11, 1992: consistent and asymptotically
 * normal when z_t is not Gaussian, as crypto returns are not), with variance targeting (Engle & Mezrich, "GARCH for
 * groups", Risk 9, 1996): ω = σ̄²·(1 − α − β) with σ̄² = (1/T)·Σ r_t², so that the model's unconditional variance is
 * the sample's and only (α, β) are searched. The search runs over persistence φ = α + β ∈ [0, 1 − 10⁻⁴] and
 * ARCH share s = α/φ ∈ [0, 1] (a box, so every point satisfies the constraints) by Nelder–Mead (optimize.ts),
 * started from the best point of a 6 × 4 grid. The recursion starts at h_0 = σ̄².
 *
 * Accuracy (test/forecast/garch.test.ts; scripts/forecast-recovery.ts): on 2,000 bars simulated from α = 0.08,
 * β = 0.90 with Gaussian shocks, the estimates' spread over 200 seeds was sd(α̂) = 0.0133, sd(β̂) = 0.0180 (means
 * 0.0786 and 0.8978; the worst seed 3.6 sd from the truth), as the asymptotic standard errors at that sample size
 * lead one to expect; the recovery test allows 4 sd. On an 800-bar numpy series the fit agrees with scipy's
 * maximum of the same likelihood to 1e-6 in α and β (scripts/make-forecast-fixtures.py).
 */
import { DataError } from '../domain/errors.js';
import { isConstant, requireFinite } from '../stats/guards.js';
import { bestOnGrid, nelderMead } from './optimize.js';

export interface GarchParams {
  omega: number;
  alpha: number;
  beta: number;
}

export interface GarchFit {
  params: GarchParams;
  /** Gaussian log-likelihood at the fit, −½·Σ_t [ln 2π + ln h_t + r_t²/h_t] over t = 0..T−1. */
  logLik: number;
  /** h[0..T] from `garchVariances` with the fitted parameters; h[T] is the one-step forecast. */
  variances: Float64Array;
  /** False when the optimizer ran out of evaluations before its stopping rule held (the best point is returned). */
  converged: boolean;
}

/** Fewest returns `fitGarch` accepts: below ~100 bars sd(α̂), sd(β̂) are as large as the parameters themselves. */
export const MIN_GARCH_RETURNS = 100;

/** Largest persistence α + β searched: the fit is stationary, and 1 − φ ≥ 10⁻⁴ keeps ω = σ̄²(1 − φ) > 0. */
export const MAX_GARCH_PERSISTENCE = 1 - 1e-4;

const LN_2PI = Math.log(2 * Math.PI);

/** The zero-mean sample variance (1/T)·Σ r_t², the default h_0 and the variance target. */
function meanSquare(r: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < r.length; t++) s += r[t] * r[t];
  return s / r.length;
}

function checkParams(p: GarchParams): void {
  const { omega, alpha, beta } = p;
  if (!(omega > 0 && Number.isFinite(omega)) || !(alpha >= 0 && Number.isFinite(alpha)) || !(beta >= 0 && Number.isFinite(beta))) {
    throw new RangeError(`GARCH parameters need ω > 0, α ≥ 0, β ≥ 0, got ω = ${omega}, α = ${alpha}, β = ${beta}`);
  }
}

/**
 * Conditional variances h[0..T] of r[0..T−1]: h[0] = h0 (default the zero-mean sample variance (1/T)·Σ r_t²),
 * h[t+1] = ω + α·r[t]² + β·h[t]; h[T] is the one-step-ahead forecast after the last return.
 *
 * @throws RangeError for parameters outside ω > 0, α ≥ 0, β ≥ 0 (α + β ≥ 1 is allowed here: an IGARCH filter);
 *   DataError 'too_few_returns' for an empty series without h0.
 */
export function garchVariances(r: Float64Array, p: GarchParams, h0?: number): Float64Array {
  checkParams(p);
  const T = r.length;
  if (h0 === undefined && T === 0) throw new DataError('too_few_returns', 'no returns: the initial GARCH variance is undefined');
  const start = h0 ?? meanSquare(r);
  if (!(start > 0 && Number.isFinite(start))) throw new RangeError(`initial GARCH variance must be positive and finite, got ${start}`);
  const { omega, alpha, beta } = p;
  const h = new Float64Array(T + 1);
  h[0] = start;
  for (let t = 0; t < T; t++) h[t + 1] = omega + alpha * r[t] * r[t] + beta * h[t];
  return h;
}

/**
 * Gaussian (quasi) log-likelihood of r under GARCH(1,1): −½·Σ_{t<T} [ln 2π + ln h_t + r_t²/h_t], h from
 * `garchVariances(r, p, h0)` (Bollerslev 1986, eq. 18; the QML objective of Bollerslev & Wooldridge 1992).
 */
export function garchLogLik(r: Float64Array, p: GarchParams, h0?: number): number {
  const h = garchVariances(r, p, h0);
  let s = 0;
  for (let t = 0; t < r.length; t++) s += LN_2PI + Math.log(h[t]) + (r[t] * r[t]) / h[t];
  return -0.5 * s;
}

/** (φ, s) → GARCH parameters under variance targeting. */
function fromBox(phi: number, share: number, target: number): GarchParams {
  return { omega: target * (1 - phi), alpha: phi * share, beta: phi * (1 - share) };
}

/** −LL/T under variance targeting, no allocation (the optimizer's objective). */
function negLogLikPerBar(r: Float64Array, phi: number, share: number, target: number): number {
  const omega = target * (1 - phi);
  const alpha = phi * share;
  const beta = phi * (1 - share);
  const T = r.length;
  let h = target;
  let s = 0;
  for (let t = 0; t < T; t++) {
    const r2 = r[t] * r[t];
    s += Math.log(h) + r2 / h;
    h = omega + alpha * r2 + beta * h;
  }
  return 0.5 * (s / T + LN_2PI);
}

/**
 * GARCH(1,1) by Gaussian QML with variance targeting, returns taken as mean zero (see the module comment).
 *
 * @throws DataError 'non_finite_price' (a NaN or infinite return), 'too_few_returns' (fewer than
 *   MIN_GARCH_RETURNS = 100), 'zero_variance' (a constant series, which has no volatility to model).
 */
export function fitGarch(r: Float64Array): GarchFit {
  requireFinite(r, 0);
  const T = r.length;
  if (T < MIN_GARCH_RETURNS) {
    throw new DataError('too_few_returns', `only ${T} returns; a GARCH(1,1) fit needs at least ${MIN_GARCH_RETURNS}`);
  }
  if (isConstant(r)) throw new DataError('zero_variance', 'the series is constant: it has no volatility to model', 0);
  const target = meanSquare(r);
  if (!(target > 0 && Number.isFinite(target))) {
    throw new DataError('zero_variance', `the mean square return is ${target}: too small (or large) to model`, 0);
  }
  const objective = (x: number[]): number => negLogLikPerBar(r, x[0], x[1], target);

  const start = bestOnGrid(objective, [0.5, 0.8, 0.9, 0.95, 0.98, 0.995], [0.03, 0.08, 0.15, 0.3]);
  const res = nelderMead(objective, start, {
    lower: [0, 0],
    upper: [MAX_GARCH_PERSISTENCE, 1],
    step: [0.02, 0.05],
    tolF: 1e-11,
    tolX: 1e-6,
  });
  const params = fromBox(res.x[0], res.x[1], target);
  const variances = garchVariances(r, params, target);
  return { params, logLik: -res.f * T, variances, converged: res.converged };
}
