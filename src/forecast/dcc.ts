/**
 * DCC(1,1) correlation forecasts (Engle, "Dynamic conditional correlation: a simple class of multivariate GARCH
 * models", J. Business & Economic Statistics 20, 2002), with a RiskMetrics EWMA fallback.
 *
 * Two-step estimation (Engle 2002 §3; Engle & Sheppard, "Theoretical and empirical properties of dynamic conditional
 * correlation multivariate GARCH", NBER WP 8554, 2001):
 *   1. each asset's GARCH(1,1) by QML, returns taken as mean zero (src/forecast/garch.ts); standardized residuals
 *      ε_it = r_it / √h_it;
 *   2. on ε, Q̄ = (1/T)·Σ_t ε_t ε_tᵀ (the sample second moment of ε, ≈ their correlation),
 *        Q_0 = Q̄,   Q_t = (1 − a − b)·Q̄ + a·ε_{t−1}ε_{t−1}ᵀ + b·Q_{t−1},
 *        R_t = diag(Q_t)^−½ · Q_t · diag(Q_t)^−½,
 *      and (a, b), a ≥ 0, b ≥ 0, a + b < 1, maximize the correlation part of the Gaussian log-likelihood
 *      (Engle 2002 eq. 26)
 *        L_C = −½ · Σ_t [ ln|R_t| + ε_tᵀ R_t⁻¹ ε_t − ε_tᵀ ε_t ].
 *      For N > COMPOSITE_ABOVE = 10 assets the fit maximizes instead the composite likelihood over all pairs (Engle,
 *      Shephard & Sheppard, "Fitting vast dimensional time-varying covariance models", 2008, the "MCLE"): the sum
 *      over pairs (i, j) of the bivariate L_C of (ε_i, ε_j), whose Q recursion is the (i, j) block of the full one.
 *      It needs no N×N factorization per bar (O(N²) per bar instead of O(N³)) and does not suffer the downward
 *      bias of the full-likelihood â in large N that ESS 2008 document. Both searches run over persistence
 *      φ = a + b ∈ [0, 1 − 10⁻⁴] and share s = a/φ ∈ [0, 1] by Nelder–Mead (optimize.ts), from the best point
 *      of a 5 × 3 grid.
 *
 * Forecasts (Engle & Sheppard 2001 §4, the approximation E_t[ε_{t+j}ε_{t+j}ᵀ] ≈ E_t[Q_{t+j}]):
 *   E_t[Q_{t+k}] = Q̄ + (a + b)^{k−1}·(Q_{t+1} − Q̄),   R_{t+k|t} = that matrix normalized to a unit diagonal;
 * so every forecast correlation reverts to Q̄'s geometrically at the rate a + b.
 *
 * Fallback: RiskMetrics EWMA (RiskMetrics Technical Document, 4th ed., 1996: λ = 0.94, S_t = λS_{t−1} +
 * (1 − λ)r_t r_tᵀ on the raw returns, src/stats/ewma.ts), forecast flat, when the DCC fit cannot be trusted:
 * fewer than MIN_DCC_BARS = 100 bars (the GARCH fits' minimum), a GARCH fit that failed or did not converge, a
 * singular Q̄ (two series moving identically), an optimizer that did not converge or found no finite likelihood,
 * or an integrated fit, a + b ≥ MAX_DCC_PERSISTENCE = 0.999: the half-life of a correlation shock would exceed
 * ln 2/0.001 ≈ 693 bars, a third of a typical 2,000-bar history, so the level Q̄ it is supposed to revert to is not
 * identified by the sample and the "mean reversion" of the forecasts would be an artifact. The model's `reason`
 * says which, in words a user can read.
 *
 * Accuracy (test/forecast/dcc.test.ts; scripts/forecast-recovery.ts, 200 seeds each): from a simulated DCC with
 * a = 0.05, b = 0.90, GARCH(1,1) volatilities and Gaussian shocks, the two-step estimates had sd(â) = 0.0062,
 * sd(b̂) = 0.0162 (means 0.0503, 0.8970) at N = 3, T = 3,000 (full likelihood), and sd(â) = 0.0032,
 * sd(b̂) = 0.0075 (means 0.0504, 0.8964) at N = 12, T = 2,000 (composite); the tests allow 4 and 4.5 sd. On a
 * 600-bar numpy series, dccLogLik equals numpy's eq. 26 to 1e-11 and fitDcc scipy's maximum to 1e-6 in a and b.
 *
 * Cost (bench/dcc.ts, 2,000 bars, CPU time on a 2-core machine): the fit takes about 500–700 times one sample
 * correlation matrix of the same data, 0.25 s at N = 10 (full likelihood), 0.35 s at N = 20 and 1.8 s at N = 50
 * (composite; ~145 likelihood evaluations, each O(N²·T)); `update` costs 1.3–2.6 rank-1 triangle updates per bar.
 */
import { DataError, UserError } from '../domain/errors.js';
import { EwmaCorrelation } from '../stats/ewma.js';
import { clampUnit, isConstant, MIN_RETURNS } from '../stats/guards.js';
import { fitGarch, garchVariances, MIN_GARCH_RETURNS, type GarchParams } from './garch.js';
import { bestOnGrid, nelderMead } from './optimize.js';

export interface DccParams {
  a: number;
  b: number;
}

export type CorrelationModel =
  | {
      kind: 'dcc';
      a: number;
      b: number;
      garch: GarchParams[];
      /** Which likelihood fitted (a, b): the full one (N ≤ 10) or the pairwise composite one (N > 10). */
      likelihood?: 'full' | 'composite';
    }
  | { kind: 'ewma'; lambda: number; reason: string };

export interface CorrelationForecaster {
  readonly model: CorrelationModel;
  /** Assets. */
  readonly n: number;
  /** Feed one bar's log returns (length n), O(n²): updates the GARCH variances and Q (or the EWMA covariance). */
  update(r: Float64Array): void;
  /** R_{t+k|t} for k = 1..horizon, each an n×n row-major correlation matrix (for EWMA, all equal). */
  forecast(horizon: number): Float64Array[];
}

export interface DccFit {
  params: DccParams;
  /** The maximized log-likelihood: L_C (Engle 2002 eq. 26) or, for `composite`, the sum of the pairs' L_C. */
  logLik: number;
  likelihood: 'full' | 'composite';
  /** False when the optimizer stopped on its evaluation budget or never found a finite likelihood. */
  converged: boolean;
  /** Likelihood evaluations used (grid and simplex). */
  evals: number;
}

/** RiskMetrics' λ for daily data (RiskMetrics Technical Document, 1996), the fallback model's. */
export const RISKMETRICS_LAMBDA = 0.94;
/** Fewest bars a DCC is fitted on: the GARCH step's minimum (garch.ts). */
export const MIN_DCC_BARS = MIN_GARCH_RETURNS;
/** Fewest bars any forecaster (DCC with fixed parameters, or EWMA) is filtered from: docs/methods.md "Data hygiene". */
export const MIN_FORECAST_BARS = MIN_RETURNS;
/** Persistence a + b at or above which the DCC fit is called integrated and EWMA is used (see the module comment). */
export const MAX_DCC_PERSISTENCE = 0.999;
/** Above this many assets, (a, b) are fitted by the pairwise composite likelihood. */
export const COMPOSITE_ABOVE = 10;

const SEARCH_MAX_PERSISTENCE = 1 - 1e-4;

// ---------------------------------------------------------------------------------------------------------------
// Input checks

/** Fewer than 2 series, unequal lengths, non-finite values, or fewer than `minBars` bars: the caller's data is unusable. */
function checkReturns(series: readonly Float64Array[], minBars: number, what: string): number {
  if (series.length < 2) throw new UserError('too_few_series', `${what} needs at least 2 series, got ${series.length}`);
  const T = series[0].length;
  for (let i = 1; i < series.length; i++) {
    if (series[i].length !== T) throw new DataError('length_mismatch', `series 0 has ${T} returns, series ${i} has ${series[i].length}`, i);
  }
  for (let i = 0; i < series.length; i++) {
    const x = series[i];
    for (let t = 0; t < T; t++) {
      if (!Number.isFinite(x[t])) throw new DataError('non_finite_price', `return #${t} of series ${i} is ${x[t]}`, i);
    }
  }
  if (T < minBars) throw new DataError('too_few_returns', `only ${T} returns; ${what} needs at least ${minBars}`);
  return T;
}

function checkHorizon(horizon: number): void {
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new UserError('invalid_horizon', `the forecast horizon must be a whole number of bars, at least 1, got ${horizon}`);
  }
}

function checkDccParams(p: DccParams): void {
  if (!(p.a >= 0 && p.b >= 0 && p.a + p.b < 1)) throw new RangeError(`DCC parameters need a ≥ 0, b ≥ 0, a + b < 1, got a = ${p.a}, b = ${p.b}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Kernels over row-major standardized residuals e[t·N + i]

/** Series-major arrays to one row-major T×N array. */
function toRows(series: readonly Float64Array[], T: number): Float64Array {
  const N = series.length;
  const e = new Float64Array(T * N);
  for (let i = 0; i < N; i++) {
    const x = series[i];
    for (let t = 0; t < T; t++) e[t * N + i] = x[t];
  }
  return e;
}

/** Q̄ = (1/T)·Σ_t e_t e_tᵀ, full N×N. */
function secondMoment(e: Float64Array, N: number, T: number): Float64Array {
  const q = new Float64Array(N * N);
  for (let t = 0; t < T; t++) {
    const o = t * N;
    for (let i = 0; i < N; i++) {
      const ei = e[o + i];
      for (let j = i; j < N; j++) q[i * N + j] += ei * e[o + j];
    }
  }
  for (let i = 0; i < N; i++) {
    for (let j = i; j < N; j++) {
      q[i * N + j] /= T;
      q[j * N + i] = q[i * N + j];
    }
  }
  return q;
}

/** In-place lower Cholesky factor of the symmetric matrix in `a` (upper triangle left as is); false if not PD. */
function choleskyInPlace(a: Float64Array, N: number): boolean {
  for (let j = 0; j < N; j++) {
    let d = a[j * N + j];
    for (let k = 0; k < j; k++) d -= a[j * N + k] * a[j * N + k];
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * N + j] = l;
    for (let i = j + 1; i < N; i++) {
      let s = a[i * N + j];
      for (let k = 0; k < j; k++) s -= a[i * N + k] * a[j * N + k];
      a[i * N + j] = s / l;
    }
  }
  return true;
}

/** The full L_C (Engle 2002 eq. 26) of e (T×N rows) given Q̄; −∞ where some R_t is not positive definite. */
function fullLogLik(e: Float64Array, N: number, T: number, qbar: Float64Array, a: number, b: number): number {
  const c = 1 - a - b;
  const q = Float64Array.from(qbar);
  const L = new Float64Array(N * N);
  const d = new Float64Array(N);
  const y = new Float64Array(N);
  let s = 0;
  for (let t = 0; t < T; t++) {
    const o = t * N;
    for (let i = 0; i < N; i++) d[i] = 1 / Math.sqrt(q[i * N + i]);
    for (let i = 0; i < N; i++) {
      L[i * N + i] = 1;
      for (let j = 0; j < i; j++) L[i * N + j] = q[i * N + j] * d[i] * d[j];
    }
    if (!choleskyInPlace(L, N)) return -Infinity;
    // ln|R| = 2·Σ ln L_ii; ε'R⁻¹ε = |y|² with L·y = ε (forward substitution); minus ε'ε.
    let term = 0;
    for (let i = 0; i < N; i++) {
      let yi = e[o + i];
      for (let k = 0; k < i; k++) yi -= L[i * N + k] * y[k];
      yi /= L[i * N + i];
      y[i] = yi;
      term += 2 * Math.log(L[i * N + i]) + yi * yi - e[o + i] * e[o + i];
    }
    s += term;
    for (let i = 0; i < N; i++) {
      const ei = a * e[o + i];
      for (let j = i; j < N; j++) {
        const v = c * qbar[i * N + j] + ei * e[o + j] + b * q[i * N + j];
        q[i * N + j] = v;
        q[j * N + i] = v;
      }
    }
  }
  return Number.isFinite(s) ? -0.5 * s : -Infinity;
}

/**
 * The pairwise composite L_C (ESS 2008): Σ_{i<j} of the bivariate eq. 26 of (ε_i, ε_j) with Q̄'s (i, j) block;
 * per pair and bar, ρ = q_ij/√(q_ii q_jj) and ln(1 − ρ²) + (ε_i² − 2ρ ε_i ε_j + ε_j²)/(1 − ρ²) − ε_i² − ε_j².
 */
function compositeLogLik(e: Float64Array, N: number, T: number, qbar: Float64Array, a: number, b: number): number {
  const c = 1 - a - b;
  const M = (N * (N - 1)) / 2;
  const qd = new Float64Array(N);
  const inv = new Float64Array(N);
  const qp = new Float64Array(M);
  const cbarD = new Float64Array(N);
  const cbarP = new Float64Array(M);
  for (let i = 0, k = 0; i < N; i++) {
    qd[i] = qbar[i * N + i];
    cbarD[i] = c * qbar[i * N + i];
    for (let j = i + 1; j < N; j++, k++) {
      qp[k] = qbar[i * N + j];
      cbarP[k] = c * qbar[i * N + j];
    }
  }
  // Σ ln(1 − ρ²) is taken as the log of running products, one Math.log per ~100 pairs instead of one per pair (the
  // log dominated the cost): each factor is in (0, 1] and above 1e-17 unless |ρ| rounds to 1, so flushing the
  // product once it falls below 1e-200 keeps it far from underflow. A factor ≤ 0 (|ρ| ≥ 1) makes the sum −∞/NaN.
  let s = 0;
  let prod = 1;
  for (let t = 0; t < T; t++) {
    const o = t * N;
    for (let i = 0; i < N; i++) inv[i] = 1 / Math.sqrt(qd[i]);
    for (let i = 0, k = 0; i < N; i++) {
      const ei = e[o + i];
      const ii = inv[i];
      const ei2 = ei * ei;
      for (let j = i + 1; j < N; j++, k++) {
        const ej = e[o + j];
        const rho = qp[k] * ii * inv[j];
        const one = 1 - rho * rho;
        const eij = ei * ej;
        const ej2 = ej * ej;
        s += (ei2 - 2 * rho * eij + ej2) / one - ei2 - ej2;
        prod *= one;
        if (!(prod > 1e-200)) {
          s += Math.log(prod);
          prod = 1;
        }
        qp[k] = cbarP[k] + a * eij + b * qp[k];
      }
      qd[i] = cbarD[i] + a * ei2 + b * qd[i];
    }
  }
  s += Math.log(prod);
  return Number.isFinite(s) ? -0.5 * s : -Infinity; // NaN or ∞ where some |ρ| reached 1
}

function checkEps(eps: readonly Float64Array[]): number {
  return checkReturns(eps, 2, 'a DCC likelihood');
}

/**
 * The correlation part of the DCC log-likelihood, Engle 2002 eq. (26), L_C = −½·Σ_t [ln|R_t| + ε_tᵀR_t⁻¹ε_t −
 * ε_tᵀε_t], with Q̄ = (1/T)·Σ ε_t ε_tᵀ of the given standardized residuals and Q_0 = Q̄ (module comment).
 * −∞ when some R_t is not positive definite (a singular Q̄).
 *
 * @throws RangeError for a, b outside a ≥ 0, b ≥ 0, a + b < 1; DataError for unequal lengths or non-finite values.
 */
export function dccLogLik(eps: Float64Array[], p: DccParams): number {
  checkDccParams(p);
  const T = checkEps(eps);
  const N = eps.length;
  const e = toRows(eps, T);
  return fullLogLik(e, N, T, secondMoment(e, N, T), p.a, p.b);
}

/**
 * The composite log-likelihood over all pairs (Engle, Shephard & Sheppard 2008): Σ_{i<j} dccLogLik([ε_i, ε_j], p).
 * `fitDcc` maximizes it instead of `dccLogLik` for more than COMPOSITE_ABOVE = 10 assets.
 */
export function dccCompositeLogLik(eps: Float64Array[], p: DccParams): number {
  checkDccParams(p);
  const T = checkEps(eps);
  const N = eps.length;
  const e = toRows(eps, T);
  return compositeLogLik(e, N, T, secondMoment(e, N, T), p.a, p.b);
}

function fitRows(e: Float64Array, N: number, T: number, qbar: Float64Array): DccFit {
  const likelihood = N > COMPOSITE_ABOVE ? 'composite' : 'full';
  const ll = likelihood === 'full' ? fullLogLik : compositeLogLik;
  const scale = T * (likelihood === 'full' ? N : (N * (N - 1)) / 2);
  let evals = 0;
  const objective = (x: number[]): number => {
    evals++;
    return -ll(e, N, T, qbar, x[0] * x[1], x[0] * (1 - x[1])) / scale;
  };
  const start = bestOnGrid(objective, [0.8, 0.9, 0.95, 0.98, 0.995], [0.02, 0.05, 0.1]);
  const res = nelderMead(objective, start, {
    lower: [0, 0],
    upper: [SEARCH_MAX_PERSISTENCE, 1],
    step: [0.01, 0.02],
    tolF: 1e-10,
    tolX: 1e-6,
    maxEvals: 600,
  });
  const [phi, share] = res.x;
  return {
    params: { a: phi * share, b: phi * (1 - share) },
    logLik: -res.f * scale,
    likelihood,
    converged: res.converged && Number.isFinite(res.f),
    evals,
  };
}

/**
 * Step 2 of the DCC fit on standardized residuals ε (N ≥ 2 series of equal length): (a, b) by the full likelihood
 * for N ≤ 10 and the pairwise composite one above (module comment). Degenerate results are returned as they are;
 * `fitCorrelationForecaster` decides whether to trust them.
 *
 * @throws UserError 'too_few_series'; DataError 'length_mismatch', 'non_finite_price', 'too_few_returns'
 *   (fewer than MIN_DCC_BARS = 100 bars).
 */
export function fitDcc(eps: Float64Array[]): DccFit {
  const T = checkReturns(eps, MIN_DCC_BARS, 'a DCC fit');
  const N = eps.length;
  const e = toRows(eps, T);
  return fitRows(e, N, T, secondMoment(e, N, T));
}

// ---------------------------------------------------------------------------------------------------------------
// Forecasters

/** out = diag(m)^−½ · m · diag(m)^−½, clamped to [−1, 1], unit diagonal. */
function normalize(m: Float64Array, N: number): Float64Array {
  const out = new Float64Array(N * N);
  const d = new Float64Array(N);
  for (let i = 0; i < N; i++) d[i] = 1 / Math.sqrt(m[i * N + i]);
  for (let i = 0; i < N; i++) {
    out[i * N + i] = 1;
    for (let j = i + 1; j < N; j++) {
      const r = clampUnit(m[i * N + j] * d[i] * d[j]);
      out[i * N + j] = r;
      out[j * N + i] = r;
    }
  }
  return out;
}

function checkBar(r: Float64Array, n: number): void {
  if (r.length !== n) throw new DataError('length_mismatch', `a bar needs ${n} returns, got ${r.length}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(r[i])) throw new DataError('non_finite_price', `the return of series ${i} is ${r[i]}`, i);
  }
}

type DccModel = Extract<CorrelationModel, { kind: 'dcc' }>;
type EwmaModel = Extract<CorrelationModel, { kind: 'ewma' }>;

class DccForecaster implements CorrelationForecaster {
  readonly n: number;
  private readonly e: Float64Array;

  /**
   * @param h GARCH variances for the next bar (h_{t+1}), one per asset.
   * @param q Q_{t+1}, full symmetric N×N.
   */
  constructor(
    readonly model: DccModel,
    private readonly qbar: Float64Array,
    private readonly h: Float64Array,
    private readonly q: Float64Array,
  ) {
    this.n = h.length;
    this.e = new Float64Array(this.n);
  }

  update(r: Float64Array): void {
    const N = this.n;
    checkBar(r, N);
    const { e, h, q, qbar, model } = this;
    const { a, b, garch } = model;
    const c = 1 - a - b;
    for (let i = 0; i < N; i++) {
      e[i] = r[i] / Math.sqrt(h[i]);
      const g = garch[i];
      h[i] = g.omega + g.alpha * r[i] * r[i] + g.beta * h[i];
    }
    for (let i = 0; i < N; i++) {
      const ei = a * e[i];
      for (let j = i; j < N; j++) {
        const v = c * qbar[i * N + j] + ei * e[j] + b * q[i * N + j];
        q[i * N + j] = v;
        q[j * N + i] = v;
      }
    }
  }

  forecast(horizon: number): Float64Array[] {
    checkHorizon(horizon);
    const N = this.n;
    const { q, qbar } = this;
    const phi = this.model.a + this.model.b;
    const m = new Float64Array(N * N);
    const out: Float64Array[] = [];
    let decay = 1; // (a + b)^{k−1}
    for (let k = 1; k <= horizon; k++) {
      for (let x = 0; x < N * N; x++) m[x] = qbar[x] + decay * (q[x] - qbar[x]);
      out.push(normalize(m, N));
      decay *= phi;
    }
    return out;
  }
}

class EwmaForecaster implements CorrelationForecaster {
  readonly n: number;
  private readonly ewma: EwmaCorrelation;

  constructor(readonly model: EwmaModel, n: number) {
    this.n = n;
    this.ewma = new EwmaCorrelation(n, model.lambda, { minReturns: MIN_FORECAST_BARS });
  }

  update(r: Float64Array): void {
    checkBar(r, this.n);
    this.ewma.push(r);
  }

  forecast(horizon: number): Float64Array[] {
    checkHorizon(horizon);
    const r = this.ewma.correlation();
    return Array.from({ length: horizon }, (_, k) => (k === 0 ? r : Float64Array.from(r)));
  }
}

/** Throws DataError 'zero_variance' (with the index) for the first constant series: no model has a correlation for it. */
function requireMoving(series: readonly Float64Array[]): void {
  for (let i = 0; i < series.length; i++) {
    if (isConstant(series[i])) {
      throw new DataError('zero_variance', `series ${i} does not move over the ${series[i].length} bars: its correlation is undefined`, i);
    }
  }
}

/**
 * The given model with its parameters fixed, filtered through `history` (n aligned return series of equal length):
 * for DCC, each asset's GARCH variances from h_0 = (1/T)·Σ r_t², ε = r/√h, Q̄ = (1/T)·Σ ε_t ε_tᵀ of this history,
 * Q filtered from Q_0 = Q̄ through every bar; for EWMA, the RiskMetrics recursion from S_0 = 0. `forecast(k)` is
 * then as of the last bar, and `update` carries it forward bar by bar (out-of-sample evaluation: fit on a
 * training span, build from that span, then update).
 *
 * @throws UserError 'too_few_series'; DataError 'length_mismatch', 'non_finite_price', 'too_few_returns' (fewer
 *   than MIN_FORECAST_BARS = 20 bars), 'zero_variance' (a constant series); RangeError when a DCC model's
 *   parameters are invalid or it has not one GARCH per series.
 */
export function forecasterFromModel(model: CorrelationModel, history: Float64Array[]): CorrelationForecaster {
  const T = checkReturns(history, MIN_FORECAST_BARS, 'a correlation forecast');
  requireMoving(history);
  const N = history.length;
  if (model.kind === 'ewma') {
    if (!(model.lambda > 0 && model.lambda < 1)) throw new RangeError(`EWMA λ must be in (0, 1), got ${model.lambda}`);
    const f = new EwmaForecaster(model, N);
    const row = new Float64Array(N);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < N; i++) row[i] = history[i][t];
      f.update(row);
    }
    return f;
  }
  checkDccParams(model);
  if (model.garch.length !== N) throw new RangeError(`the DCC model has ${model.garch.length} GARCH fits for ${N} series`);
  const h = new Float64Array(N);
  const eps = history.map((r, i) => {
    const v = garchVariances(r, model.garch[i]);
    h[i] = v[T];
    return Float64Array.from(r, (x, t) => x / Math.sqrt(v[t]));
  });
  const e = toRows(eps, T);
  const qbar = secondMoment(e, N, T);
  const q = Float64Array.from(qbar);
  const c = 1 - model.a - model.b;
  for (let t = 0; t < T; t++) {
    const o = t * N;
    for (let i = 0; i < N; i++) {
      const ei = model.a * e[o + i];
      for (let j = i; j < N; j++) {
        const v = c * qbar[i * N + j] + ei * e[o + j] + model.b * q[i * N + j];
        q[i * N + j] = v;
        q[j * N + i] = v;
      }
    }
  }
  return new DccForecaster(model, qbar, h, q);
}

function ewmaFallback(history: Float64Array[], reason: string): CorrelationForecaster {
  return forecasterFromModel({ kind: 'ewma', lambda: RISKMETRICS_LAMBDA, reason }, history);
}

const fmt = (x: number): string => x.toFixed(4);

/**
 * Fit a DCC(1,1) on `returns` (n aligned log-return series of equal length T) and filter through all of them, so
 * that `forecast(k)` is as of the last bar. Never throws for a degenerate fit: it falls back to the RiskMetrics EWMA
 * (λ = 0.94) and says why in `model.reason` (module comment lists the cases).
 *
 * @throws UserError 'too_few_series' (fewer than 2); DataError 'length_mismatch', 'non_finite_price',
 *   'too_few_returns' (fewer than MIN_FORECAST_BARS = 20 bars), 'zero_variance' (a constant series): the cases
 *   where even EWMA cannot run.
 */
export function fitCorrelationForecaster(returns: Float64Array[]): CorrelationForecaster {
  const T = checkReturns(returns, MIN_FORECAST_BARS, 'a correlation forecast');
  requireMoving(returns);
  const N = returns.length;
  if (T < MIN_DCC_BARS) return ewmaFallback(returns, `only ${T} bars of history; a DCC fit needs at least ${MIN_DCC_BARS}`);

  const garch: GarchParams[] = [];
  const eps: Float64Array[] = [];
  for (let i = 0; i < N; i++) {
    let fit;
    try {
      fit = fitGarch(returns[i]);
    } catch (err) {
      return ewmaFallback(returns, `the GARCH(1,1) fit of series ${i} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!fit.converged) return ewmaFallback(returns, `the GARCH(1,1) likelihood search for series ${i} did not converge`);
    garch.push(fit.params);
    const v = fit.variances;
    eps.push(Float64Array.from(returns[i], (x, t) => x / Math.sqrt(v[t])));
  }
  const e = toRows(eps, T);
  const qbar = secondMoment(e, N, T);
  if (!choleskyInPlace(Float64Array.from(qbar), N)) {
    return ewmaFallback(returns, 'the standardized returns are linearly dependent (a series repeats another, or is a combination of others), so the DCC likelihood is undefined');
  }
  const dcc = fitRows(e, N, T, qbar);
  const { a, b } = dcc.params;
  if (!Number.isFinite(dcc.logLik)) return ewmaFallback(returns, 'the DCC likelihood search found no point with a finite likelihood');
  if (!dcc.converged) return ewmaFallback(returns, `the DCC likelihood search did not converge within ${dcc.evals} evaluations`);
  if (a + b >= MAX_DCC_PERSISTENCE) {
    return ewmaFallback(
      returns,
      `the fitted DCC is integrated (a + b = ${fmt(a + b)}, at least ${MAX_DCC_PERSISTENCE}): correlation shocks would take over ${Math.round(Math.LN2 / (1 - MAX_DCC_PERSISTENCE))} bars to fade by half, so the level they revert to cannot be estimated from ${T} bars`,
    );
  }
  return forecasterFromModel({ kind: 'dcc', a, b, garch, likelihood: dcc.likelihood }, returns);
}
