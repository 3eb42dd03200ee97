/**
 * Seeded simulators of the processes the forecast models assume, for the recovery tests and bench/dcc.ts:
 * GARCH(1,1) returns and the DCC(1,1) process with GARCH(1,1) volatilities, Gaussian shocks (mulberry32 +
 * Box–Muller), after a burn-in so the start value does not matter.
 */
import { mulberry32 } from '../../src/domain/random.js';
import type { GarchParams } from '../../src/forecast/garch.js';

const BURN_IN = 500;

function normal(seed: number): () => number {
  const u = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** T returns r_t = √h_t·z_t, h_{t+1} = ω + α r_t² + β h_t, z ~ N(0, 1); h starts at ω/(1 − α − β). */
export function simulateGarch(T: number, p: GarchParams, seed: number): Float64Array {
  const z = normal(seed);
  const r = new Float64Array(T);
  let h = p.omega / (1 - p.alpha - p.beta);
  for (let t = -BURN_IN; t < T; t++) {
    const x = Math.sqrt(h) * z();
    if (t >= 0) r[t] = x;
    h = p.omega + p.alpha * x * x + p.beta * h;
  }
  return r;
}

export interface DccSpec {
  T: number;
  a: number;
  b: number;
  /** Q̄ (a correlation matrix), N×N row-major. */
  qbar: Float64Array;
  garch: GarchParams[];
  seed: number;
}

/**
 * N series of T returns from the DCC(1,1) process: ε_t ~ N(0, R_t) (Cholesky of R_t times independent normals),
 * r_it = √h_it·ε_it, h_{i,t+1} = ω_i + α_i r_it² + β_i h_it, Q_{t+1} = (1 − a − b)Q̄ + a ε_t ε_tᵀ + b Q_t, Q = Q̄ at
 * the start of the burn-in.
 */
export function simulateDcc(spec: DccSpec): Float64Array[] {
  const { T, a, b, qbar, garch, seed } = spec;
  const N = garch.length;
  const z = normal(seed);
  const q = Float64Array.from(qbar);
  const h = Float64Array.from(garch, (g) => g.omega / (1 - g.alpha - g.beta));
  const L = new Float64Array(N * N);
  const eps = new Float64Array(N);
  const u = new Float64Array(N);
  const out = Array.from({ length: N }, () => new Float64Array(T));
  for (let t = -BURN_IN; t < T; t++) {
    // R_t from Q_t, then its Cholesky factor.
    for (let i = 0; i < N; i++) {
      for (let j = 0; j <= i; j++) L[i * N + j] = q[i * N + j] / Math.sqrt(q[i * N + i] * q[j * N + j]);
    }
    for (let j = 0; j < N; j++) {
      let d = L[j * N + j];
      for (let k = 0; k < j; k++) d -= L[j * N + k] * L[j * N + k];
      const l = Math.sqrt(d);
      L[j * N + j] = l;
      for (let i = j + 1; i < N; i++) {
        let s = L[i * N + j];
        for (let k = 0; k < j; k++) s -= L[i * N + k] * L[j * N + k];
        L[i * N + j] = s / l;
      }
    }
    for (let i = 0; i < N; i++) u[i] = z();
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let k = 0; k <= i; k++) s += L[i * N + k] * u[k];
      eps[i] = s;
    }
    for (let i = 0; i < N; i++) {
      const x = Math.sqrt(h[i]) * eps[i];
      if (t >= 0) out[i][t] = x;
      const g = garch[i];
      h[i] = g.omega + g.alpha * x * x + g.beta * h[i];
    }
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) q[i * N + j] = (1 - a - b) * qbar[i * N + j] + a * eps[i] * eps[j] + b * q[i * N + j];
    }
  }
  return out;
}

/**
 * A one-factor correlation matrix ρ_ij = l_i·l_j (i ≠ j), loadings l_i = lo + (hi − lo)·(i mod 4)/3 (positive
 * definite whenever every |l_i| < 1).
 */
export function factorCorrelation(N: number, lo = 0.5, hi = 0.8): Float64Array {
  const l = Array.from({ length: N }, (_, i) => lo + ((hi - lo) * (i % 4)) / 3);
  const m = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) m[i * N + j] = i === j ? 1 : l[i] * l[j];
  return m;
}

/** GARCH parameters varying a little across assets (α 0.05..0.10, β so that α + β = 0.97..0.98), daily-like scale. */
export function assetGarch(N: number): GarchParams[] {
  return Array.from({ length: N }, (_, i) => {
    const alpha = 0.05 + (0.05 * (i % 5)) / 4;
    const beta = 0.97 + 0.01 * (i % 2) - alpha;
    const vol = 0.01 * (1 + (i % 3));
    return { omega: vol * vol * (1 - alpha - beta), alpha, beta };
  });
}
