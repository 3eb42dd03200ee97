import { choleskyInverse } from '../stats/cholesky.js';

/**
 * Page's CUSUM on the per-bar log-likelihood ratio of a convergence of the correlation matrix (docs/methods.md,
 * "Sequential detection").
 *
 * Model. Each bar gives a vector u of N volatility-standardised returns. Only its *direction* is used: under any
 * elliptical law with shape matrix C (Gaussian, multivariate t, a Gaussian scaled by a volatility common to all
 * assets), v = u/‖u‖ follows the angular central Gaussian law ACG(C), with density
 * p(v | C) ∝ det(C)^(−1/2)·(vᵀC⁻¹v)^(−N/2) (Tyler 1987, "Statistical analysis for the angular central Gaussian
 * distribution on the sphere", Biometrika 74). A volatility shock shared by all assets, or heavy tails from a common
 * scale mixture, leave it unchanged: only a change of the correlation structure moves it.
 *
 * Pre-change: C0, the correlation of the trailing baseline. Post-change: correlations pulled toward 1 by a
 * fraction κ, C1 = (1−κ)·C0 + κ·11ᵀ (ρ_ij → ρ_ij + κ(1 − ρ_ij); e.g. κ = 0.43 takes 0.3 to 0.6). With
 * a = C0⁻¹1, s = 1ᵀa, q = uᵀC0⁻¹u, p = aᵀu and γ = κ/(1−κ), Sherman–Morrison gives the log-likelihood ratio
 *
 *   ℓ_t = −½·ln(1 + γs) − (N/2)·ln(1 − γ/(1+γs) · p²/q),
 *
 * which depends on u only through w = p²/(s·q) ∈ [0, 1], the share of the whitened bar along the whitened market
 * mode. It is bounded, −½ln(1+γs) ≤ ℓ ≤ ((N−1)/2)·ln(1+γs): one extreme bar cannot raise an alarm alone.
 *
 * Detection: S_t = min(cap, max(0, S_{t−1} + min(ℓ_t, barCap))) for each design shift κ (Page 1954); an alarm when
 * some S ≥ h. A small κ accumulates a subtle shift, a large one catches a big jump in a few bars (Lorden 1971: the
 * worst-case delay of a CUSUM tuned to the true change is about ln(ARL0)/KL). The per-bar clip bounds what one bar
 * (one extreme common move) can add; the cap bounds how long the statistic takes to come back down.
 *
 * Missing returns (a halted symbol, halts.ts): the direction of the bar's other k assets follows ACG(C0_SS), the
 * baseline restricted to them, and the post-change law keeps its form (C1_SS = (1−κ)C0_SS + κ·11ᵀ), so ℓ is the same
 * formula with N → k and C0⁻¹ → (C0_SS)⁻¹ = P_SS − P_SM·(P_MM)⁻¹·P_MS (P = C0⁻¹, M the missing assets; the Schur
 * complement), at O(N²) a bar for a few missing assets. With fewer than two assets left the bar adds nothing.
 */
export class ConvergenceCusum {
  readonly n: number;
  readonly shifts: readonly number[];
  private readonly inv: Float64Array;
  private readonly a: Float64Array;
  private s = 0;
  /** Dimensions the model has: N, or fewer eigen-directions of a near-singular baseline (setBaselineInverse). */
  private rank: number;
  private ready = false;
  /** Per shift: −½ln(1+γs) and γ/(1+γs), refreshed with the baseline. */
  private readonly offset: Float64Array;
  private readonly gain: Float64Array;
  private readonly stat: Float64Array;

  /** Each design shift's log-likelihood ratio on the last bar. */
  readonly lastIncrement: Float64Array;
  // Workspace for bars with missing returns.
  private readonly kept: Int32Array;
  private readonly lost: Int32Array;
  private readonly pmm: Float64Array;
  private readonly pmmInv: Float64Array;
  private readonly pmmScratch: Float64Array;
  private readonly bm: Float64Array;
  private readonly cm: Float64Array;

  constructor(n: number, shifts: readonly number[], readonly cap: number, readonly barCap = Infinity) {
    if (!Number.isInteger(n) || n < 2) throw new RangeError(`ConvergenceCusum: n must be an integer >= 2, got ${n}`);
    if (shifts.length === 0 || shifts.some((k) => !(k > 0 && k < 1))) throw new RangeError(`ConvergenceCusum: shifts must be in (0, 1), got ${shifts.join(', ')}`);
    if (!(cap > 0)) throw new RangeError(`ConvergenceCusum: cap must be positive, got ${cap}`);
    this.n = n;
    this.rank = n;
    this.shifts = [...shifts];
    this.inv = new Float64Array(n * n);
    this.a = new Float64Array(n);
    this.offset = new Float64Array(shifts.length);
    this.gain = new Float64Array(shifts.length);
    this.stat = new Float64Array(shifts.length);
    this.lastIncrement = new Float64Array(shifts.length);
    this.kept = new Int32Array(n);
    this.lost = new Int32Array(n);
    this.pmm = new Float64Array(n * n);
    this.pmmInv = new Float64Array(n * n);
    this.pmmScratch = new Float64Array(n * n);
    this.bm = new Float64Array(n);
    this.cm = new Float64Array(n);
  }

  /** A baseline has been set. */
  get hasBaseline(): boolean {
    return this.ready;
  }

  /**
   * Set the pre-change model from C0⁻¹ (row-major N×N, symmetric positive definite). Keeps the statistics. With
   * `rank` k < N, `c0inv` is the inverse over k eigen-directions of C0 (Σ v·vᵀ/λ; the others left out, detector.ts):
   * the bar's projection onto them follows the same law with N → k. Bars with missing returns then add nothing
   * (the marginal of a projection is not this formula).
   */
  setBaselineInverse(c0inv: Float64Array, rank = this.n): void {
    const n = this.n;
    if (!Number.isInteger(rank) || rank < 2 || rank > n) throw new RangeError(`rank must be an integer in [2, ${n}], got ${rank}`);
    this.rank = rank;
    this.inv.set(c0inv);
    let s = 0;
    for (let i = 0; i < n; i++) {
      let ai = 0;
      for (let j = 0; j < n; j++) ai += c0inv[i * n + j];
      this.a[i] = ai;
      s += ai;
    }
    this.s = s;
    this.shifts.forEach((k, m) => {
      const g = k / (1 - k);
      this.offset[m] = -0.5 * Math.log1p(g * s);
      this.gain[m] = g / (1 + g * s);
    });
    this.ready = true;
  }

  /** The log-likelihood ratio of bar u for shift index m (no state change), from its share w (N assets, or the rank). */
  llr(m: number, share: number): number {
    return this.offset[m] - 0.5 * this.rank * Math.log1p(-this.gain[m] * this.s * share);
  }

  /** The same for a bar of k assets whose restricted baseline has s = 1ᵀ(C0_SS)⁻¹1. */
  private llrOf(m: number, share: number, s: number, k: number): number {
    const g = this.shifts[m] / (1 - this.shifts[m]);
    return -0.5 * Math.log1p(g * s) - 0.5 * k * Math.log1p(-(g / (1 + g * s)) * s * share);
  }

  /**
   * Update with one bar u; returns the largest statistic over the design shifts (0 before a baseline exists or for
   * a bar with no movement at all). Where `missing[i]` is 1, u[i] is left out (the marginal law of the others).
   */
  step(u: ArrayLike<number>, missing?: Uint8Array): number {
    if (!this.ready) return 0;
    let lostCount = 0;
    if (missing) for (let i = 0; i < this.n; i++) lostCount += missing[i] ? 1 : 0;
    if (lostCount > 0) {
      if (this.rank < this.n) {
        this.lastIncrement.fill(0);
        return this.max();
      }
      return this.stepWithout(u, missing!, lostCount);
    }
    const n = this.n;
    const inv = this.inv;
    let q = 0;
    let p = 0;
    for (let i = 0; i < n; i++) {
      const ui = u[i];
      p += this.a[i] * ui;
      let row = 0;
      const off = i * n;
      for (let j = 0; j < i; j++) row += inv[off + j] * u[j];
      q += ui * (2 * row + inv[off + i] * ui);
    }
    if (!(q > 0)) return this.max();
    // Rounding can push w a hair past its bounds; the log needs 1 − γ/(1+γs)·s·w > 0.
    const w = Math.min(1, Math.max(0, (p * p) / (this.s * q)));
    for (let m = 0; m < this.shifts.length; m++) this.add(m, this.llr(m, w));
    return this.max();
  }

  /** `step` on the assets not missing (the Schur complement form; see the class comment). */
  private stepWithout(u: ArrayLike<number>, missing: Uint8Array, lostCount: number): number {
    const n = this.n;
    const k = n - lostCount;
    if (k < 2) {
      this.lastIncrement.fill(0);
      return this.max();
    }
    const P = this.inv;
    const S = this.kept;
    const M = this.lost;
    for (let i = 0, a = 0, b = 0; i < n; i++) {
      if (missing[i]) M[b++] = i;
      else S[a++] = i;
    }
    const mm = lostCount;
    // G = (P_MM)⁻¹ (mm × mm, packed at the start of the workspace).
    const pmm = this.pmm.subarray(0, mm * mm);
    for (let x = 0; x < mm; x++) for (let y = 0; y < mm; y++) pmm[x * mm + y] = P[M[x] * n + M[y]];
    const G = this.pmmInv.subarray(0, mm * mm);
    if (!choleskyInverse(pmm, mm, G, this.pmmScratch.subarray(0, mm * mm))) {
      this.lastIncrement.fill(0);
      return this.max();
    }
    // b = P_MS·u_S, c = P_MS·1_S; and the P_SS terms: uᵀPu, 1ᵀPu, 1ᵀP1 over S.
    const bm = this.bm;
    const cm = this.cm;
    for (let x = 0; x < mm; x++) {
      let bx = 0;
      let cx = 0;
      const off = M[x] * n;
      for (let a = 0; a < k; a++) {
        const j = S[a];
        bx += P[off + j] * u[j];
        cx += P[off + j];
      }
      bm[x] = bx;
      cm[x] = cx;
    }
    let q = 0;
    let p = 0;
    let s = 0;
    for (let a = 0; a < k; a++) {
      const i = S[a];
      const off = i * n;
      let pu = 0;
      let p1 = 0;
      for (let c = 0; c < k; c++) {
        const j = S[c];
        pu += P[off + j] * u[j];
        p1 += P[off + j];
      }
      q += u[i] * pu;
      p += pu;
      s += p1;
    }
    for (let x = 0; x < mm; x++) {
      for (let y = 0; y < mm; y++) {
        const g = G[x * mm + y];
        q -= bm[x] * g * bm[y];
        p -= cm[x] * g * bm[y];
        s -= cm[x] * g * cm[y];
      }
    }
    if (!(q > 0) || !(s > 0)) return this.max();
    const w = Math.min(1, Math.max(0, (p * p) / (s * q)));
    for (let m = 0; m < this.shifts.length; m++) this.add(m, this.llrOf(m, w, s, k));
    return this.max();
  }

  /** Add one bar's log-likelihood ratio to shift m's statistic (clipped per bar, floored at 0, capped). */
  private add(m: number, raw: number): void {
    const l = raw > this.barCap ? this.barCap : raw;
    this.lastIncrement[m] = l;
    const next = this.stat[m] + l;
    this.stat[m] = next < 0 ? 0 : next > this.cap ? this.cap : next;
  }

  /** The largest statistic over the design shifts from index `from` on (all by default). */
  max(from = 0): number {
    let best = 0;
    for (let m = from; m < this.stat.length; m++) if (this.stat[m] > best) best = this.stat[m];
    return best;
  }

  /** Index of the design shift with the largest statistic. */
  argmax(): number {
    let best = 0;
    for (let m = 1; m < this.stat.length; m++) if (this.stat[m] > this.stat[best]) best = m;
    return best;
  }

  /** Statistic per design shift (a copy). */
  statistics(): Float64Array {
    return Float64Array.from(this.stat);
  }

  /** Clear the statistics (after a data gap, for instance). */
  reset(): void {
    this.stat.fill(0);
  }
}
