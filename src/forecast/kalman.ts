/**
 * Kalman filter for the Gaussian local-level model (the "random walk plus noise" model; Durbin & Koopman,
 * "Time Series Analysis by State Space Methods", 2nd ed. 2012, ch. 2; Harvey, "Forecasting, Structural Time Series
 * Models and the Kalman Filter", 1989, ch. 3):
 *
 *   y_t = μ_t + ε_t,   ε_t ~ N(0, r_t)      (observation: here z_t = atanh ρ̄_t, r_t from `fisherZAverageVariance`)
 *   μ_{t+1} = μ_t + η_t, η_t ~ N(0, q)       (the level: the basket's true Fisher-z average correlation)
 *
 * Recursions (DK §2.2; indices 0-based, a_t / P_t the predicted mean and variance of μ_t given y_0..y_{t−1}):
 *   v_t = y_t − a_t,  F_t = P_t + r_t,  K_t = P_t / F_t,
 *   a_{t|t} = a_t + K_t·v_t,  P_{t|t} = P_t·r_t / F_t   (= P_t(1 − K_t), written so it cannot go negative),
 *   a_{t+1} = a_{t|t},  P_{t+1} = P_{t|t} + q.
 *
 * Initialization: diffuse (DK §2.9: P_0 → ∞). Its exact limit is a_{0|0} = y_0, P_{0|0} = r_0: the first
 * observation fixes the level and carries no information about q. The log-likelihood is the diffuse one (DK §2.10.1:
 * the first observation's term is dropped):
 *   log L_d = −½ Σ_{t=1}^{T−1} (ln 2π + ln F_t + v_t² / F_t),
 * i.e. with the constant counted over the T − 1 informative observations (as statsmodels does). With that constant
 * it is exactly the Gaussian log-density of the differences Δy_1..Δy_{T−1}, whose covariance is tridiagonal with
 * Var Δy_t = q + r_t + r_{t−1} and Cov(Δy_t, Δy_{t+1}) = −r_t (the test checks this against a dense Cholesky).
 *
 * Caveat for the caller: the model wants observation errors that are independent over t. atanh ρ̄ of rolling windows
 * that overlap (a window of W bars advanced one bar at a time) has errors correlated over W − 1 bars, which this model
 * reads as movement of the level: feed it windows (or blocks) that do not overlap.
 *
 * Pure functions over Float64Array, no I/O. Errors: DataError (src/domain/errors.ts) for data that cannot support
 * the model (empty, non-finite, a variance ≤ 0), UserError for a bad horizon or coverage.
 */
import { DataError, UserError } from '../domain/errors.js';
import { normalQuantile } from '../stats/special.js';

export interface LocalLevelResult {
  /** Filtered level a_{t|t} and its variance P_{t|t}, for t = 0..T−1. */
  level: Float64Array;
  variance: Float64Array;
  /** Gaussian log-likelihood from the prediction errors (diffuse or documented initialization). */
  logLik: number;
}

const LN_2PI = Math.log(2 * Math.PI);

/** Validates y, r and q; returns r as a function of t. */
function checkInputs(y: Float64Array, r: number | Float64Array, q: number): (t: number) => number {
  if (y.length === 0) throw new DataError('too_few_returns', 'local-level filter: the series is empty');
  for (let t = 0; t < y.length; t++) {
    if (!Number.isFinite(y[t])) throw new DataError('non_finite_price', `local-level filter: observation #${t} is ${y[t]}`);
  }
  if (!Number.isFinite(q) || q < 0) throw new DataError('zero_variance', `local-level filter: the state noise variance q must be a finite number ≥ 0, got ${q}`);
  if (typeof r === 'number') {
    if (!Number.isFinite(r) || r <= 0) throw new DataError('zero_variance', `local-level filter: the observation variance r must be a finite number > 0, got ${r}`);
    return () => r;
  }
  if (r.length !== y.length) throw new DataError('length_mismatch', `local-level filter: ${y.length} observations but ${r.length} observation variances`);
  for (let t = 0; t < r.length; t++) {
    if (!Number.isFinite(r[t]) || r[t] <= 0) throw new DataError('zero_variance', `local-level filter: observation variance #${t} is ${r[t]}; each must be a finite number > 0`);
  }
  return (t) => r[t];
}

/** The filter itself; writes level/variance when given. Inputs already checked. */
function run(y: Float64Array, rAt: (t: number) => number, q: number, level?: Float64Array, variance?: Float64Array): number {
  let a = y[0];
  let P = rAt(0);
  if (level) level[0] = a;
  if (variance) variance[0] = P;
  let ll = 0;
  for (let t = 1; t < y.length; t++) {
    const Pp = P + q;
    const rt = rAt(t);
    const F = Pp + rt;
    const v = y[t] - a;
    ll -= 0.5 * (LN_2PI + Math.log(F) + (v * v) / F);
    a += (Pp / F) * v;
    P = (Pp * rt) / F;
    if (level) level[t] = a;
    if (variance) variance[t] = P;
  }
  return ll;
}

/**
 * Filtered level and variance of the local-level model with diffuse initialization (see the module comment).
 * r: a constant observation variance or one per observation; q ≥ 0 the state noise variance (q = 0: a constant
 * level, whose filtered value is the 1/r-weighted mean of y_0..y_t, with variance 1/Σ 1/r_s).
 *
 * @throws DataError on an empty y ('too_few_returns'), a non-finite value ('non_finite_price'), r ≤ 0 or q < 0
 *   ('zero_variance'), an r array of another length than y ('length_mismatch').
 */
export function localLevelFilter(y: Float64Array, r: number | Float64Array, q: number): LocalLevelResult {
  const rAt = checkInputs(y, r, q);
  const level = new Float64Array(y.length);
  const variance = new Float64Array(y.length);
  const logLik = run(y, rAt, q, level, variance);
  return { level, variance, logLik };
}

/**
 * Smoothed level E[μ_t | y_0..y_{T−1}] and its variance: the Rauch–Tung–Striebel backward pass over the filter
 * (Durbin & Koopman 2012, §2.4): with C_t = P_{t|t}/(P_{t|t} + q),
 *   â_t = a_{t|t} + C_t·(â_{t+1} − a_{t|t}),  V_t = P_{t|t} + C_t²·(V_{t+1} − P_{t|t} − q),
 * starting from the last filtered value. For history only (it uses later observations); the last point equals
 * the filter's. Same inputs and errors as localLevelFilter.
 */
export function localLevelSmoother(y: Float64Array, r: number | Float64Array, q: number): { level: Float64Array; variance: Float64Array } {
  const f = localLevelFilter(y, r, q);
  const T = y.length;
  const level = Float64Array.from(f.level);
  const variance = Float64Array.from(f.variance);
  for (let t = T - 2; t >= 0; t--) {
    const Pp = f.variance[t] + q;
    const C = f.variance[t] / Pp;
    level[t] = f.level[t] + C * (level[t + 1] - f.level[t]);
    variance[t] = f.variance[t] + C * C * (variance[t + 1] - Pp);
  }
  return { level, variance };
}

/** The diffuse log-likelihood alone (as `localLevelFilter(...).logLik`, without allocating the paths). */
export function localLevelLogLik(y: Float64Array, r: number | Float64Array, q: number): number {
  return run(y, checkInputs(y, r, q), q);
}

/** Points of the coarse grid in ln q before the golden-section refinement. */
const GRID = 61;
/** Bounds of the search, relative to the scale s = max(mean Δy², mean r): q ∈ [1e-8·s, 10·s]. */
const Q_LO = 1e-8;
const Q_HI = 10;
/** Golden-section stop: the bracket in ln q narrower than this (q known to ±0.0001%). */
const LNQ_TOL = 1e-6;

/**
 * Maximum-likelihood estimate of q given r: maximizes the diffuse log-likelihood (exact in q for known r; there is no
 * scale to concentrate out) over ln q.
 *
 * Search: with s = max(mean of Δy_t², mean of r_t) (under the model E Δy_t² = q + r_t + r_{t−1}, so the ML q is of
 * the order of s or less), a grid of 61 points in ln q over [1e-8·s, 10·s] (steps of a factor 1.4), then
 * golden-section search (Kiefer 1953) on the two grid cells around the best point, to 1e-6 in ln q. The likelihood
 * in q is smooth and in practice unimodal; the grid guards against a flat start. The boundary: the local-level ML
 * estimate of q is exactly 0 with positive probability (the "pile-up" of Shephard & Harvey 1990, J. Time Series
 * Analysis 11); when the best grid point is the lowest and the likelihood at q = 0 is at least as high as at the
 * refined point, 0 is returned. An estimate pinned at the upper bound 10·s is returned as is (it cannot happen
 * unless the data are far from the model).
 *
 * Precision (the test's tolerance): the asymptotic variance of the ML estimate for constant r follows from the
 * Whittle information of the differenced series Δy_t = η_t + ε_t − ε_{t−1}, an MA(1) with spectral density
 * f(ω) = (q + 2r(1 − cos ω))/2π: I(q) = (1/4π) ∫ (∂ ln f/∂q)² dω = (q + 2r) / (2 (q(q + 4r))^{3/2}) per observation
 * (from ∫_{−π}^{π} dω/(a − b cos ω)² = 2πa/(a² − b²)^{3/2}), so sd(q̂) ≈ 1/√(T·I(q)); for r → 0 this is q·√(2/T),
 * the sd of a sample variance. See `localLevelQStdError`.
 *
 * @throws as localLevelFilter; DataError 'too_few_returns' with fewer than 2 observations (no difference to learn
 *   q from).
 */
export function fitLocalLevelQ(y: Float64Array, r: number | Float64Array): number {
  const rAt = checkInputs(y, r, 0);
  const T = y.length;
  if (T < 2) throw new DataError('too_few_returns', `fitting the local-level q needs at least 2 observations, got ${T}`);
  let d2 = 0;
  for (let t = 1; t < T; t++) d2 += (y[t] - y[t - 1]) ** 2;
  let rMean = 0;
  for (let t = 0; t < T; t++) rMean += rAt(t);
  const scale = Math.max(d2 / (T - 1), rMean / T);
  const ll = (lnq: number) => run(y, rAt, Math.exp(lnq));
  const lo = Math.log(Q_LO * scale);
  const hi = Math.log(Q_HI * scale);
  const step = (hi - lo) / (GRID - 1);
  let best = 0;
  let bestLl = -Infinity;
  for (let i = 0; i < GRID; i++) {
    const v = ll(lo + i * step);
    if (v > bestLl) {
      bestLl = v;
      best = i;
    }
  }
  // Golden-section search for the maximum on [a, b] = the grid cells either side of the best point.
  let a = lo + Math.max(0, best - 1) * step;
  let b = lo + Math.min(GRID - 1, best + 1) * step;
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = ll(c);
  let fd = ll(d);
  while (b - a > LNQ_TOL) {
    if (fc >= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = ll(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = ll(d);
    }
  }
  let lnq = (a + b) / 2;
  let llHat = ll(lnq);
  if (bestLl > llHat) {
    // The refinement can only end below the grid's best when the maximum is on the bracket's edge (a grid bound).
    lnq = lo + best * step;
    llHat = bestLl;
  }
  if (best === 0 && run(y, rAt, 0) >= llHat) return 0;
  return Math.exp(lnq);
}

/**
 * Asymptotic standard deviation of the ML estimate of q for constant r over T observations (T − 1 differences),
 * from the Whittle information I(q) = (q + 2r) / (2 (q(q + 4r))^{3/2}) (see fitLocalLevelQ). Infinite at q = 0 (a
 * boundary point, where the estimator is not asymptotically normal).
 */
export function localLevelQStdError(q: number, r: number, T: number): number {
  if (!(q >= 0 && r > 0 && T >= 2) || !Number.isFinite(q) || !Number.isFinite(r)) {
    throw new DataError('zero_variance', `localLevelQStdError needs q ≥ 0, r > 0 and T ≥ 2, got q=${q}, r=${r}, T=${T}`);
  }
  const info = (q + 2 * r) / (2 * Math.pow(q * (q + 4 * r), 1.5));
  return 1 / Math.sqrt((T - 1) * info);
}

/**
 * Steady state of the filter for constant r > 0 and q ≥ 0 (DK §2.11): the predicted variance P solves the
 * Riccati equation P = P·r/(P + r) + q, i.e. P² − qP − qr = 0, so P = (q + √(q² + 4qr))/2; the filtered variance is
 * P·r/(P + r) (= P − q). The filter's variances converge to these from any start (for q > 0).
 *
 * @throws DataError 'zero_variance' when r ≤ 0 or q < 0 (or either is not finite).
 */
export function steadyStateVariance(q: number, r: number): { predicted: number; filtered: number } {
  if (!Number.isFinite(q) || q < 0) throw new DataError('zero_variance', `steady-state variance: q must be a finite number ≥ 0, got ${q}`);
  if (!Number.isFinite(r) || r <= 0) throw new DataError('zero_variance', `steady-state variance: r must be a finite number > 0, got ${r}`);
  const predicted = (q + Math.sqrt(q * q + 4 * q * r)) / 2;
  return { predicted, filtered: (predicted * r) / (predicted + r) };
}

/**
 * k-step-ahead predictive interval for a new observation y_{T+k} from the last filtered state (a_{T|T}, P_{T|T}):
 * y_{T+k} − a_{T|T} = (μ_T − a_{T|T}) + η_{T}+…+η_{T+k−1} + ε_{T+k}, independent terms, so the predictive law is
 * N(a_{T|T}, P_{T|T} + k·q + r) (DK §2.8). Interval: mean ± Φ⁻¹((1 + coverage)/2)·√variance.
 * With r = 0 it is the interval for the level μ_{T+k} itself; with r = 0 and k = 0, the band of the filtered level.
 * k may be fractional (a horizon between model steps: the random walk's variance grows linearly in time).
 *
 * @throws DataError 'non_finite_price' for a non-finite level, 'zero_variance' for a negative or non-finite variance,
 *   q or r; UserError 'bad_horizon' for k < 0 or not finite, 'bad_coverage' for coverage outside (0, 1).
 */
export function predictInterval(level: number, variance: number, q: number, r: number, k: number, coverage: number): { mean: number; lo: number; hi: number } {
  if (!Number.isFinite(level)) throw new DataError('non_finite_price', `predictive interval: the level is ${level}`);
  for (const [name, v] of [
    ['variance', variance],
    ['q', q],
    ['r', r],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) throw new DataError('zero_variance', `predictive interval: ${name} must be a finite number ≥ 0, got ${v}`);
  }
  if (!Number.isFinite(k) || k < 0) throw new UserError('bad_horizon', `predictive interval: the horizon k must be a number of steps ≥ 0, got ${k}`);
  if (!(coverage > 0 && coverage < 1)) throw new UserError('bad_coverage', `predictive interval: coverage must be strictly between 0 and 1 (e.g. 0.9), got ${coverage}`);
  const half = normalQuantile((1 + coverage) / 2) * Math.sqrt(variance + k * q + r);
  return { mean: level, lo: level - half, hi: level + half };
}

/**
 * Observation variance of z = atanh(ρ̄), ρ̄ the average of the m = n(n−1)/2 pairwise sample correlations of n assets
 * over a window of w returns, for a common (equi)correlation ρ:
 *
 *   Var(atanh ρ̄) ≈ (1 + κ) · D(n, ρ) / (w − 3),
 *   D(n, ρ) = [(1 + ρ)² + (n − 2)·ρ(2 + 3ρ) + (n − 2)(n − 3)·ρ²] / (m (1 + ρ)²),
 *
 * so (w − 3)/D is the effective number of returns of a single-pair Fisher z. Derivation: the delta method,
 * Var(atanh ρ̄) ≈ Var(ρ̄)/(1 − ρ²)², with Var(ρ̄) = (1/m²) Σ over all ordered pairs of pairs of the asymptotic
 * covariances of sample correlations of normal data (Pearson & Filon 1898, Phil. Trans. A 191; as
 * restated by Steiger 1980, Psychological Bulletin 87). For equicorrelation ρ, w·Cov is (1 − ρ²)² for the same pair (m terms),
 * ½ρ(1 − ρ)²(2 + 3ρ) for two pairs sharing an asset (2(n − 2) partners per pair) and 2ρ²(1 − ρ)² for disjoint pairs
 * ((n − 2)(n − 3)/2 partners per pair); the common factor (1 − ρ)² cancels against (1 − ρ²)², which leaves D, finite
 * up to ρ = 1. Checks: n = 2 gives Fisher's 1/(w − 3) (Fisher 1921); ρ = 0 gives 1/(m(w − 3)) (m uncorrelated
 * estimates); n → ∞ gives 2ρ²/((1 + ρ)²(w − 3)), the variance of the market factor's estimated share. The
 * asymptotic 1/w is replaced by Fisher's 1/(w − 3), exact for one pair.
 *
 * κ (`kurtosis`, default 0 = normal returns) is the kurtosis parameter of an elliptical law, κ = (excess kurtosis of
 * each margin)/3 (Student t_ν: 2/(ν − 4)); for elliptical data every asymptotic covariance of sample correlations is
 * (1 + κ) times the normal one (Muirhead & Waternaux 1980, Biometrika 67), hence the factor.
 *
 * Accuracy, measured by simulation (equicorrelated returns, 20,000 disjoint windows per cell, sampling sd of the
 * ratio ~1%): empirical/formula 0.94–1.02 over w ∈ {30, 60, 168}, n ∈ {2, 3, 6, 10}, ρ ∈ {0, 0.3, 0.6, 0.9}
 * (0.97–1.02 at w = 168; at w = 30 the formula is up to 6% high, i.e. conservative). With multivariate t8 returns
 * (κ = 0.5), ratios 0.87–0.94 at w = 60 and 0.92–1.00 at w = 168 (the normal formula alone would be 1.3–1.5× too
 * small); t12 (κ = 0.25) 0.95–1.03 at w = 168.
 *
 * Domain: w > 3 returns, n ≥ 2 assets, −1/(n − 1) < ρ ≤ 1 (an average correlation below −1/(n − 1) is impossible;
 * at that bound ρ̄ has no sampling variance and the filter would get r = 0), κ ≥ 0.
 *
 * @throws DataError 'too_few_returns' for w ≤ 3; UserError 'bad_argument' for n < 2 or not an integer, ρ out of its
 *   range or not finite, κ < 0.
 */
export function fisherZAverageVariance(w: number, n: number, rho: number, kurtosis = 0): number {
  if (!(w > 3) || !Number.isFinite(w)) throw new DataError('too_few_returns', `Fisher z variance: a window needs more than 3 returns, got ${w}`);
  if (!Number.isInteger(n) || n < 2) throw new UserError('bad_argument', `Fisher z variance: an average correlation needs at least 2 assets, got ${n}`);
  const lower = -1 / (n - 1);
  if (!Number.isFinite(rho) || rho <= lower || rho > 1) {
    throw new UserError('bad_argument', `Fisher z variance: an average correlation of ${n} assets must be in (${lower.toPrecision(3)}, 1], got ${rho}`);
  }
  if (!Number.isFinite(kurtosis) || kurtosis < 0) throw new UserError('bad_argument', `Fisher z variance: the kurtosis parameter must be ≥ 0, got ${kurtosis}`);
  const m = (n * (n - 1)) / 2;
  const onePlus = (1 + rho) * (1 + rho);
  const D = (onePlus + (n - 2) * rho * (2 + 3 * rho) + (n - 2) * (n - 3) * rho * rho) / (m * onePlus);
  return ((1 + kurtosis) * D) / (w - 3);
}
