import type { Regime } from '../domain/types.js';
import { DataError } from '../domain/errors.js';
import {
  absorptionRatio,
  averageCorrelation,
  clampedAtanh,
  correlationDispersion,
  EwmaCorrelation,
  RollingCorrelation,
  TopEigen,
} from '../stats/index.js';
import { choleskyInverse } from '../stats/cholesky.js';
import { jacobiEigen } from '../stats/eigen.js';
import { BlockRegimeModel, type RegimeModelState } from './block-model.js';
import { ConvergenceCusum } from './convergence-cusum.js';
import { HaltTracker } from './halts.js';
import { topDrivers } from './drivers.js';
import { ScalarWindow, SortedWindow } from './ring.js';
import { TrailingBaseline } from './trailing-baseline.js';
import { VolatilityScaler } from './vol-scaler.js';
import type { DetectorConfig, RegimeReading } from './types.js';


/**
 * Default design shifts κ: a moderate convergence (0.3 → 0.55) and a crash-sized one (0.3 → 0.83). Two rather than
 * more: every extra CUSUM adds false alarms at the same threshold (measured in scripts/calibrate-detector.ts).
 */
export const DEFAULT_SHIFTS = [0.35, 0.75];

/**
 * A return updates its symbol's volatility estimate as if it were at most this many σ (vol-scaler.ts): one jump (a
 * market reopening after a halt, a listing) must not shrink that symbol's scaled returns for weeks. 5σ: a normal
 * or t5 market rarely reaches it (0.3% of t5 bars), and a lasting rise of volatility still passes in a few bars.
 */
export const OUTLIER_CAP = 5;

/**
 * A bar enters the CUSUM's baseline with each standardised return clipped at ±BASELINE_CLIP (detector.ts). 8σ: beyond
 * what a heavy-tailed market makes by itself (1.5 bars in 10,000 of t5), so the clip touches one symbol's jumps (a
 * listing, a reopening after a halt) and leaves the large common moves of a crash, which are information about its
 * correlation, as they are. Measured (scripts/halt-cost.ts, 30 seeds, three 40σ one-symbol jumps): false episodes
 * 6 in 6 runs without the clip, 1 in 1 with it, as without the jumps; a 5σ clip did as well there but moved real
 * crash days (docs/methods.md, "Data hygiene").
 */
export const BASELINE_CLIP = 8;

/**
 * The baseline is near-singular when some asset is explained by the others with R² above 1 − 1/NEAR_SINGULAR
 * (0.98); its eigen-directions of variance below EIGEN_FLOOR (2% of an average asset's) then leave the statistic
 * (refreshBaseline). The check does not catch every small direction: one spread thinly over many assets can leave
 * each asset's R² below 0.98. The cases met in practice load on a few assets and give diagonals in the hundreds:
 * 500 for a pair at ρ 0.999, 858 for the Swiss SPI beside its nine sector indices (fPortfolio's SPISECTOR).
 */
export const NEAR_SINGULAR = 50;
export const EIGEN_FLOOR = 0.02;

/**
 * The regime detector for one basket, fed one closed bar's log returns at a time (pure computation, no I/O;
 * identical in the live watcher and in backtests, so a backtest shows what the watcher would have done).
 * docs/methods.md describes every step, its defaults and its measured error rates.
 *
 * Onset (converging): Page's CUSUM on the per-bar angular-Gaussian log-likelihood ratio of a shift of the
 * correlation matrix toward 1 (convergence-cusum.ts), against the correlation of a trailing baseline that ends
 * `guard` bars earlier and leaves out episodes (trailing-baseline.ts). Returns are divided by each asset's slow EWMA
 * volatility first, and only the direction of each bar counts, so a volatility shock shared by all assets, or one
 * asset's volatility burst, does not look like convergence. A halted symbol's returns (and the one that ends its
 * halt) are missing for it (halts.ts); one symbol's extreme jump is bounded (OUTLIER_CAP, BASELINE_CLIP); a
 * near-singular baseline leaves out its tiny eigen-directions (refreshBaseline). One bar adds at most h/4
 * (h = enterZ²/2). An episode opens when the evidence √(2·S) reaches enterZ and lasts until a reverse CUSUM has
 * gathered as much evidence that the bars fit the baseline again; meanwhile the evidence shown counts down from
 * enterZ, and the episode ends on the bar where it falls below exitZ. The evidence is the score the alert policy
 * reads; converging = in an episode.
 *
 * Stressed: in an episode while a Gaussian Markov-switching model on atanh(avg ρ) of disjoint blocks (filtered
 * probabilities, fitted on completed blocks only) puts the basket in a well-separated high-correlation state with
 * probability ≥ stressProbability, and avg ρ is in that state's range.
 *
 * Decoupling: the window's avg ρ significantly below its trailing baseline, z ≤ decoupleZ, where z is atanh(avg ρ)
 * over the last W vol-scaled, winsorised returns against a robust baseline of the same statistic that ends W bars
 * earlier (median; noise = MAD of disjoint-window differences / √2, floored at 1/√W); not while the window holds a
 * halted symbol's bars, whose zeros pull its correlations toward 0.
 */
export class RegimeDetector {
  readonly n: number;
  readonly window: number;
  readonly baselineLength: number;
  readonly guard: number;
  /** The CUSUM threshold h = enterZ²/2 (nats). */
  readonly threshold: number;
  /** Returns needed before the first reading: volatility warm-up, then the guard and a minimal CUSUM baseline. */
  readonly warmupReturns: number;
  private readonly minBaseline: number;
  private readonly rolling: RollingCorrelation;
  private readonly yRecent: ScalarWindow;
  private readonly yBaseline: SortedWindow;
  private readonly dRecent: ScalarWindow;
  private readonly dBaseline: SortedWindow;
  private readonly halts: HaltTracker;
  /** Eigen-decomposition workspace for a near-singular baseline (refreshBaseline). */
  private readonly eigenValues: Float64Array;
  private readonly eigenVectors: Float64Array;
  private readonly scaler: VolatilityScaler;
  private readonly slowScaler: VolatilityScaler;
  private readonly scaled: Float64Array;
  private readonly slow: Float64Array;
  /** The bar as it enters the baseline (clipped at ±BASELINE_CLIP). */
  private readonly baseRow: Float64Array;
  private readonly baseline: TrailingBaseline;
  private readonly cusum: ConvergenceCusum;
  private readonly arShort: ScalarWindow;
  private readonly arLong: ScalarWindow;
  private readonly arEvery: number;
  private readonly model: BlockRegimeModel;
  private readonly topEigen: TopEigen;
  /** EWMA correlation of the scaled returns (half-life: the window's vol half-life): what "now" looks like. */
  private readonly recent: EwmaCorrelation;
  private readonly recentCorr: Float64Array;
  private readonly corr: Float64Array;
  private readonly cov: Float64Array;
  private readonly baseCorr: Float64Array;
  private readonly inv: Float64Array;
  private readonly scratch: Float64Array;
  private readonly risingLag: number;
  private readonly zFloor: number;
  private readonly refreshEvery: number;
  private sinceRefresh = 0;
  private baseRho = NaN;
  private inEpisode = false;
  /** The design shift that raised the current alarm: the episode's end is tested against it. */
  private confirmed = 0;
  /** Reverse-CUSUM evidence that an episode is over, and the level at which it is (h/2 nats). */
  private endEvidence = 0;
  private readonly endThreshold: number;
  /** Bars excluded from the baseline since the last quiet stretch (an episode longer than the baseline is the new normal). */
  private excluded = 0;
  private quietBars = 0;
  private lastAr = NaN;
  private lastEigenShare = NaN;
  private pushed = 0;
  /** Why the last bar pushed has no reading although the detector is warmed up (see noReadingWhy). */
  private unreadable: string | undefined;
  private scaledCount = 0;
  /** Which of the window's bars had a missing return (a ring of W flags), and how many did. */
  private readonly windowMissing: Uint8Array;
  private windowMissingAt = 0;
  private windowMissingCount = 0;

  constructor(readonly cfg: DetectorConfig) {
    const n = cfg.symbols.length;
    const W = cfg.window;
    if (n < 2) throw new Error('a basket needs at least 2 symbols');
    if (W < 20) throw new Error(`window ${W} is too short: at least 20 returns`);
    this.n = n;
    this.window = W;
    this.baselineLength = Math.max(W, cfg.baseline);
    this.guard = cfg.guard ?? W;
    const t = cfg.thresholds;
    this.threshold = (t.enterZ * t.enterZ) / 2;
    this.endThreshold = this.threshold * (cfg.endFactor ?? 1);
    // The baseline's correlation matrix must be comfortably invertible: several times more bars than assets.
    this.minBaseline = Math.min(this.baselineLength, Math.max(2 * W, 10 * n, Math.round(this.baselineLength / 3)));
    // ...and the window z-score's own baseline: W values of y ending W bars before the window (3W − 1 returns).
    this.warmupReturns = VolatilityScaler.WARMUP + Math.max(this.guard + this.minBaseline, 3 * W - 1);
    this.rolling = new RollingCorrelation(n, W);
    this.risingLag = cfg.risingLag ?? Math.max(2, Math.round(W / 12));
    this.yRecent = new ScalarWindow(Math.max(W, this.risingLag) + 1);
    this.yBaseline = new SortedWindow(this.baselineLength);
    this.dRecent = new ScalarWindow(W + 1);
    this.dBaseline = new SortedWindow(this.baselineLength);
    this.halts = new HaltTracker(n);
    this.eigenValues = new Float64Array(n);
    this.windowMissing = new Uint8Array(W);
    this.eigenVectors = new Float64Array(n * n);
    // A return beyond OUTLIER_CAP σ updates the volatility as if it were OUTLIER_CAP σ (vol-scaler.ts).
    this.scaler = new VolatilityScaler(n, cfg.volHalfLife ?? Math.max(6, Math.round(W / 12)), VolatilityScaler.CLIP, OUTLIER_CAP);
    this.slowScaler = new VolatilityScaler(n, cfg.cusumVolHalfLife ?? Math.max(10, Math.round(W / 4)), null, OUTLIER_CAP);
    this.scaled = new Float64Array(n);
    this.slow = new Float64Array(n);
    this.baseRow = new Float64Array(n);
    this.baseline = new TrailingBaseline(n, this.baselineLength, this.guard);
    // One bar adds at most h/minBars (Huber-type clipping of the log-likelihood ratio): an alarm needs at least that
    // many bars of evidence, so a single extreme common move (a heavy-tailed market factor) cannot raise it, whatever N.
    this.cusum = new ConvergenceCusum(n, cfg.shifts ?? DEFAULT_SHIFTS, (cfg.capFactor ?? 1.5) * this.threshold, this.threshold / (cfg.minBars ?? 4));
    this.refreshEvery = cfg.refreshEvery ?? Math.max(1, Math.round(this.guard / 8));
    const blockLength = cfg.blockLength ?? Math.max(12, Math.round(W / 4));
    // The absorption ratio needs the top N/5 eigenvalues, which no O(N²) iteration can certify on market data (the
    // 2nd..kth sit in the noise; bench/eigen.ts): it is sampled once a window (and on every detailed reading).
    this.arEvery = W;
    this.arShort = new ScalarWindow(Math.max(2, Math.ceil((cfg.absorptionShort ?? W) / this.arEvery)));
    this.arLong = new ScalarWindow(Math.max(2, Math.ceil(this.baselineLength / this.arEvery)));
    this.zFloor = (cfg.zFloorFactor ?? 1) / Math.sqrt(W);
    this.model = new BlockRegimeModel(n, {
      blockLength,
      states: cfg.states,
      refitEveryBlocks: cfg.refitEveryBlocks ?? 25,
      maxFitBlocks: cfg.maxFitBlocks ?? 400,
    });
    this.corr = new Float64Array(n * n);
    this.topEigen = new TopEigen(n);
    this.recent = new EwmaCorrelation(n, Math.pow(2, -1 / (cfg.volHalfLife ?? Math.max(6, Math.round(W / 12)))));
    this.recentCorr = new Float64Array(n * n);
    this.cov = new Float64Array(n * n);
    this.baseCorr = new Float64Array(n * n);
    this.inv = new Float64Array(n * n);
    this.scratch = new Float64Array(n * n);
  }

  /**
   * Returns a fresh detector replays to reach its steady state: the warm-up plus a full baseline behind the guard,
   * or enough disjoint blocks for the Markov-switching model, whichever is more.
   */
  get historyReturns(): number {
    const full = VolatilityScaler.WARMUP + this.guard + this.baselineLength;
    return Math.max(full, this.warmupReturns + this.model.minBlocks * this.model.blockLength);
  }

  /** The Markov-switching model's fit and filter state now (null before it is fitted), for the regime outlook. */
  regimeModelState(): RegimeModelState | null {
    return this.model.modelState();
  }

  /**
   * Why the last bar pushed got no reading once the window was full: a symbol whose price did not move over the
   * window (a stablecoin, a halted market), whose correlation with anything is undefined, and so is the window's
   * average. Undefined when the bar was read, or while the detector warms up. The sequential evidence and the models
   * still took the bar; the reading comes back with the first window in which every symbol moved.
   */
  get noReadingWhy(): string | undefined {
    return this.unreadable;
  }

  /**
   * Symbols halted on the last bar pushed (halts.ts), with the bars their price has not changed for: left out of the
   * convergence evidence until they move.
   */
  get halted(): { symbol: string; bars: number }[] {
    const out: { symbol: string; bars: number }[] = [];
    for (let i = 0; i < this.n; i++) {
      const bars = this.halts.unchangedFor(i);
      if (this.halts.missing[i] && bars > 0) out.push({ symbol: this.cfg.symbols[i], bars });
    }
    return out;
  }

  /** Returns pushed so far. */
  get count(): number {
    return this.pushed;
  }

  /**
   * Rebuild C0⁻¹ from the baseline: the sample correlation as it is (docs/methods.md, "Baseline"). It holds at least
   * 10 bars per asset (minBaseline), and the CUSUM needs each pair as it is: shrinking toward the average correlation
   * (Ledoit & Wolf 2004, "Honey, I shrunk the sample covariance matrix", weight N/(N + B)), as this did before, pulled
   * a near-duplicate pair (ρ 0.999: BTC on two venues, SPY and VOO) away from 1, and every bar then looked converged.
   *
   * A direction in which the basket hardly varies (variance below EIGEN_FLOOR of an average asset's: a near-duplicate
   * pair, an index beside its own constituents, a series listed twice) is left out of the statistic: its variance is
   * too small to be estimated well (an index's weights drift), and whitening divides by it, so any error there would
   * read as convergence or hide it. The CUSUM then works on the projection onto the other k eigen-directions, which
   * carries the market mode: the same likelihood ratio with N → k and C0⁻¹ → Σ v·vᵀ/λ over them. Checked only when
   * some asset is explained by the others with R² > 1 − 1/NEAR_SINGULAR (the diagonal of C0⁻¹ is 1/(1 − R²ᵢ)), so a
   * well-conditioned basket costs one Cholesky inverse. ρ̄0 is reported as it is.
   */
  private refreshBaseline(): void {
    const n = this.n;
    try {
      this.baseline.correlation(this.baseCorr);
    } catch (e) {
      if (e instanceof DataError) return; // a series flat over the whole baseline: keep the previous reference
      throw e;
    }
    const rank = this.invertBaseline();
    if (rank < 2) return;
    this.baseRho = averageCorrelation(this.baseCorr, n);
    this.cusum.setBaselineInverse(this.inv, rank);
  }

  /**
   * this.inv = C0⁻¹, or the inverse over C0's eigen-directions of variance ≥ EIGEN_FLOOR when C0 is near-singular;
   * returns the number of directions kept (0: none usable).
   */
  private invertBaseline(): number {
    const n = this.n;
    if (choleskyInverse(Float64Array.from(this.baseCorr), n, this.inv, this.scratch)) {
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, this.inv[i * n + i]);
      if (worst <= NEAR_SINGULAR) return n;
    }
    // Near-singular: the pseudo-inverse over the eigen-directions that vary enough.
    const a = Float64Array.from(this.baseCorr);
    jacobiEigen(a, n, this.eigenValues, this.eigenVectors);
    const V = this.eigenVectors;
    this.inv.fill(0);
    let kept = 0;
    for (let k = 0; k < n; k++) {
      const lambda = this.eigenValues[k];
      if (!(lambda >= EIGEN_FLOOR)) continue;
      kept++;
      for (let i = 0; i < n; i++) {
        const vi = V[i * n + k] / lambda;
        for (let j = 0; j < n; j++) this.inv[i * n + j] += vi * V[j * n + k];
      }
    }
    return kept;
  }

  /** Average of the EWMA correlations (NaN while a series has not moved). */
  private recentAvg(): number {
    try {
      return averageCorrelation(this.recent.correlation(this.recentCorr), this.n);
    } catch (e) {
      if (e instanceof DataError) return NaN;
      throw e;
    }
  }

  /**
   * Add the returns of the bar that closed at `at` (open time, ms). Returns the reading for that bar, or
   * undefined while warming up. With `detail` false the per-pair diagnostics (dispersion, drivers) are skipped:
   * a backtest needs them only on alert bars (see `detailNow`).
   */
  push(at: number, row: ArrayLike<number>, detail = true): RegimeReading | undefined {
    this.pushed++;
    this.unreadable = undefined;
    // Returns of a halted symbol (and the one that spans its halt) are missing: halts.ts.
    const missing = this.halts.update(row) > 0 ? this.halts.missing : undefined;
    const haveSlow = this.slowScaler.scale(row, this.slow, missing);
    if (!this.scaler.scale(row, this.scaled, missing)) return undefined;
    if (!haveSlow) return undefined;
    this.scaledCount++;
    const n = this.n;

    // 1. Sequential evidence of convergence on this bar, against the baseline as it stood before the bar.
    this.cusum.step(this.slow, missing);
    const h = this.threshold;
    const t = this.cfg.thresholds;
    let S: number;
    if (!this.inEpisode) {
      S = this.cusum.max();
      if (S >= h) {
        this.inEpisode = true;
        this.endEvidence = 0;
        this.confirmed = this.cusum.argmax();
        if (this.excluded < this.baselineLength) this.baseline.excludeRecent();
      }
    }
    if (this.inEpisode) {
      // The end of an episode is a test of its own (a reverse CUSUM): evidence that the bars fit the baseline better
      // than the convergence that raised the alarm (the design shift with the largest statistic then; testing
      // against a larger one confirmed later would end a moderate episode that is still going on). The evidence
      // shown falls from enterZ to 0 as it accumulates toward endThreshold; below exitZ the episode is over and the
      // forward statistics start afresh.
      const back = this.endEvidence - this.cusum.lastIncrement[this.confirmed];
      this.endEvidence = back < 0 ? 0 : back > this.endThreshold ? this.endThreshold : back;
      S = h * (1 - this.endEvidence / this.endThreshold);
      if (2 * S < t.exitZ * Math.max(0, t.exitZ)) {
        this.inEpisode = false;
        this.cusum.reset();
      }
    }
    // Bars of an episode stay out of the baseline, up to one baseline's length: a correlation level that lasts
    // longer than that is the new normal, and the baseline catches up with it (so the episode ends).
    this.quietBars = this.inEpisode ? 0 : this.quietBars + 1;
    if (this.quietBars > this.guard) this.excluded = 0;
    const exclude = this.inEpisode && this.excluded < this.baselineLength;
    if (exclude) this.excluded++;
    // A bar with a missing return stays out of the baseline too: its zero would pull that symbol's correlations to 0.
    // A return beyond BASELINE_CLIP σ enters it as BASELINE_CLIP σ: one 40σ jump would otherwise weigh as much as
    // 1,600 ordinary bars in that symbol's variance, and bias its correlations toward 0 for a whole baseline.
    const capped = this.baseRow;
    for (let i = 0; i < n; i++) capped[i] = this.slow[i] > BASELINE_CLIP ? BASELINE_CLIP : this.slow[i] < -BASELINE_CLIP ? -BASELINE_CLIP : this.slow[i];
    this.baseline.push(capped, exclude || missing !== undefined);
    if (++this.sinceRefresh >= this.refreshEvery || !this.cusum.hasBaseline) {
      if (this.baseline.takeChanged() && this.baseline.count >= this.minBaseline) this.refreshBaseline();
      this.sinceRefresh = 0;
    }

    // 2. The window's average correlation and its robust z-score (context, decoupling).
    this.rolling.push(this.scaled);
    // The window holds a halted symbol's zeros while this count is above 0 (they pull its correlations toward 0).
    const flag = missing ? 1 : 0;
    this.windowMissingCount += flag - this.windowMissing[this.windowMissingAt];
    this.windowMissing[this.windowMissingAt] = flag;
    this.windowMissingAt = (this.windowMissingAt + 1) % this.window;
    this.recent.push(this.scaled);
    this.model.push(this.scaled);
    if (!this.rolling.isFull) return undefined;
    try {
      this.rolling.correlation(this.corr);
    } catch (e) {
      if (!(e instanceof DataError) || e.code !== 'zero_variance') throw e;
      const symbol = e.series !== undefined ? this.cfg.symbols[e.series] : 'a symbol';
      this.unreadable = `${symbol} did not move over the window's ${this.window} bars: its correlation, and so the basket's regime, is undefined until it does`;
      return undefined;
    }
    const rhoBar = averageCorrelation(this.corr, n);
    const y = clampedAtanh(rhoBar);
    this.yRecent.push(y);
    if (this.yRecent.size > this.window) {
      const yOld = this.yRecent.get(this.window);
      this.yBaseline.push(yOld);
      this.dRecent.push(y - yOld);
      if (this.dRecent.size > this.window) this.dBaseline.push(this.dRecent.get(this.window));
    }
    if (!this.cusum.hasBaseline || this.yBaseline.size < this.window) return undefined;
    const mu = this.yBaseline.median();
    const noise = this.dBaseline.size >= this.window ? this.dBaseline.mad() / Math.SQRT2 : this.yBaseline.mad();
    const sd = Math.max(noise, this.zFloor);
    const z = (y - mu) / sd;
    const rising = y > this.yRecent.get(Math.min(this.risingLag, this.yRecent.size - 1));

    // 3. Eigen diagnostics: the market-mode share λ1/N by warm-started power iteration (O(N²), certified to match
    // the full decomposition), the absorption ratio sampled once a window.
    const sample = this.scaledCount % this.arEvery === 0 || this.arLong.size === 0;
    if (sample || detail) {
      this.rolling.covariance(this.cov);
      this.lastAr = absorptionRatio(this.cov, n, undefined, (m, k) => this.topEigen.topSum(m, k));
      this.lastEigenShare = this.topEigen.largestEigenShare(this.corr);
      if (sample) {
        this.arShort.push(this.lastAr);
        this.arLong.push(this.lastAr);
      }
    }
    const arSd = this.arLong.std();
    const absorptionShift = arSd > 0 ? (this.arShort.mean() - this.arLong.mean()) / arSd : 0;

    // 4. Classification.
    const score = Math.sqrt(2 * S!);
    const stress = this.model.stressProbability();
    const highRho = stress !== null && stress.separated && stress.probability >= t.stressProbability && y >= stress.threshold;
    // In an episode the evidence counts down toward its end; outside one, up toward an alarm.
    const evidence = this.inEpisode
      ? `convergence evidence ${score.toFixed(1)} (the episode ends below ${t.exitZ})`
      : `convergence evidence ${score.toFixed(1)} (alarm at ${t.enterZ})`;
    const level = `avg ρ ${rhoBar.toFixed(2)} vs baseline ${this.baseRho.toFixed(2)}`;
    let regime: Regime = 'calm';
    let why: string;
    if (highRho && this.inEpisode) {
      regime = 'stressed';
      why = `${level}; ${evidence}; stress-state probability ${(stress.probability * 100).toFixed(0)}%`;
    } else if (this.inEpisode) {
      regime = 'converging';
      why = `${level}; ${evidence}`;
    } else if (z <= t.decoupleZ && this.windowMissingCount === 0) {
      regime = 'decoupling';
      why = `${level}: ${Math.abs(z).toFixed(1)}σ below its baseline`;
    } else if (z <= t.decoupleZ) {
      why = `${level}; ${evidence}; a halted symbol's bars are in the window, so its fall is not read as decoupling`;
    } else {
      why = `${level}; ${evidence}`;
    }

    const base = Number.isFinite(this.baseRho) ? this.baseRho : Math.tanh(mu);
    return {
      at,
      regime,
      avgCorrelation: rhoBar,
      dispersion: detail ? correlationDispersion(this.corr, n) : NaN,
      recentAvgCorrelation: detail ? this.recentAvg() : NaN,
      absorptionRatio: this.lastAr,
      absorptionShift,
      largestEigenShare: this.lastEigenShare,
      z,
      score,
      baselineRho: base,
      rising,
      stressProbability: stress ? stress.probability : null,
      decoupleRho: Math.tanh(mu + t.decoupleZ * sd),
      drivers: detail ? topDrivers(this.cfg.symbols, this.corr, this.baseCorr, 3) : [],
      why,
    };
  }
}
