import type { Regime } from '../domain/types.js';
import {
  absorptionRatio,
  averageCorrelation,
  correlationDispersion,
  largestEigenShare,
  RollingCorrelation,
} from '../stats/index.js';
import { BlockRegimeModel } from './block-model.js';
import { topDrivers } from './drivers.js';
import { RowRing, ScalarWindow, SortedWindow } from './ring.js';
import { VolatilityScaler } from './vol-scaler.js';
import type { DetectorConfig, RegimeReading } from './types.js';

const CLAMP = 1 - 1e-9;
const atanhC = (r: number) => Math.atanh(Math.max(-CLAMP, Math.min(CLAMP, r)));

/**
 * The regime detector for one basket, fed one closed bar's log returns at a time (pure computation, no I/O;
 * identical in the live watcher and in backtests, so a backtest shows what the watcher would have done).
 *
 * Returns are first divided by each asset's trailing EWMA volatility and winsorized (vol-scaler.ts). On each bar t
 * it computes over the last W of them: avg pairwise ρ (ρ̄), dispersion of atanh ρ_ij, the absorption ratio and its
 * standardized shift, and the z-score of y_t = atanh(ρ̄_t) against a trailing baseline of y that ends W bars earlier
 * (so the baseline shares no returns with the current window): z = (y_t − median_B)/s, where the noise s is the MAD
 * of d_t = y_t − y_{t−W} over the baseline divided by √2 (the MAD of y itself until W differences exist), floored at
 * zFloorFactor/sqrt(W). The baseline expands from W points until it holds B. A Gaussian Markov-switching
 * model on atanh(ρ̄) of disjoint blocks, fitted by EM on completed blocks only (no look-ahead), gives the filtered
 * probability of the high-correlation state.
 *
 * Classification: stressed if z ≥ enterZ and P(stress) ≥ stressProbability with well-separated states and ρ̄ in the
 * stress state's range;
 * converging if z ≥ enterZ and y rose over the last risingLag bars; decoupling if z ≤ decoupleZ; calm otherwise.
 */
export class RegimeDetector {
  readonly n: number;
  readonly window: number;
  readonly baselineLength: number;
  /** Returns needed before the first reading: volatility warm-up, a full window and a minimal baseline of W points W bars back. */
  readonly warmupReturns: number;
  private readonly rolling: RollingCorrelation;
  private readonly baseRolling: RollingCorrelation;
  private readonly delay: RowRing;
  private readonly yRecent: ScalarWindow;
  private readonly yBaseline: SortedWindow;
  private readonly dRecent: ScalarWindow;
  private readonly dBaseline: SortedWindow;
  private readonly scaler: VolatilityScaler;
  private readonly scaled: Float64Array;
  private readonly arShort: ScalarWindow;
  private readonly arLong: ScalarWindow;
  private readonly model: BlockRegimeModel;
  private readonly corr: Float64Array;
  private readonly cov: Float64Array;
  private readonly baseCorr: Float64Array;
  private readonly risingLag: number;
  private readonly zFloor: number;
  private pushed = 0;

  constructor(readonly cfg: DetectorConfig) {
    const n = cfg.symbols.length;
    const W = cfg.window;
    if (n < 2) throw new Error('a basket needs at least 2 symbols');
    if (W < 20) throw new Error(`window ${W} is too short: at least 20 returns`);
    this.n = n;
    this.window = W;
    this.baselineLength = Math.max(W, cfg.baseline);
    // Seed the volatility (WARMUP), fill one window (W), then W baseline values that end W bars earlier (W more).
    this.warmupReturns = 3 * W + VolatilityScaler.WARMUP - 1;
    this.rolling = new RollingCorrelation(n, W);
    this.baseRolling = new RollingCorrelation(n, this.baselineLength);
    this.delay = new RowRing(W, n);
    this.risingLag = cfg.risingLag ?? Math.max(2, Math.round(W / 12));
    this.yRecent = new ScalarWindow(Math.max(W, this.risingLag) + 1);
    this.yBaseline = new SortedWindow(this.baselineLength);
    this.dRecent = new ScalarWindow(W + 1);
    this.dBaseline = new SortedWindow(this.baselineLength);
    this.scaler = new VolatilityScaler(n, cfg.volHalfLife ?? Math.max(6, Math.round(W / 12)));
    this.scaled = new Float64Array(n);
    this.arShort = new ScalarWindow(cfg.absorptionShort ?? W);
    this.arLong = new ScalarWindow(this.baselineLength);
    this.zFloor = (cfg.zFloorFactor ?? 1) / Math.sqrt(W);
    this.model = new BlockRegimeModel(n, {
      blockLength: cfg.blockLength ?? Math.max(12, Math.round(W / 4)),
      states: cfg.states,
      refitEveryBlocks: cfg.refitEveryBlocks ?? 25,
      maxFitBlocks: cfg.maxFitBlocks ?? 400,
    });
    this.corr = new Float64Array(n * n);
    this.cov = new Float64Array(n * n);
    this.baseCorr = new Float64Array(n * n);
  }

  /** Returns pushed so far. */
  get count(): number {
    return this.pushed;
  }

  /**
   * Add the returns of the bar that closed at `at` (open time, ms). Returns the reading for that bar, or
   * undefined while warming up (fewer than warmupReturns returns seen).
   */
  push(at: number, row: ArrayLike<number>): RegimeReading | undefined {
    this.pushed++;
    // Returns divided by each asset's trailing volatility: a volatility burst cannot dominate the window.
    if (!this.scaler.scale(row, this.scaled)) return undefined;
    const u = this.scaled;
    this.rolling.push(u);
    const leaving = this.delay.push(u);
    if (leaving) this.baseRolling.push(leaving);
    this.model.push(u);
    if (!this.rolling.isFull) return undefined;

    this.rolling.correlation(this.corr);
    this.rolling.covariance(this.cov);
    const n = this.n;
    const rhoBar = averageCorrelation(this.corr, n);
    const y = atanhC(rhoBar);
    this.yRecent.push(y);
    // y from W bars ago enters the baseline: the baseline never overlaps the current window.
    if (this.yRecent.size > this.window) {
      const yOld = this.yRecent.get(this.window);
      this.yBaseline.push(yOld);
      // y_t − y_{t−W}: two disjoint windows, so in a steady regime its variance is twice the sampling variance of y.
      this.dRecent.push(y - yOld);
      if (this.dRecent.size > this.window) this.dBaseline.push(this.dRecent.get(this.window));
    }
    const ar = absorptionRatio(this.cov, n);
    this.arShort.push(ar);
    this.arLong.push(ar);

    if (this.yBaseline.size < this.window) return undefined;

    // Location: the median of y over the baseline (a past episode inside it barely moves it). Scale: the sampling
    // noise of y, from the MAD of y_t − y_{t−W} / √2 — differences spanning a regime switch are few, so the spread
    // between regimes does not inflate it the way the plain sd (or MAD) of y would.
    const mu = this.yBaseline.median();
    const noise = this.dBaseline.size >= this.window ? this.dBaseline.mad() / Math.SQRT2 : this.yBaseline.mad();
    const sd = Math.max(noise, this.zFloor);
    const z = (y - mu) / sd;
    const rising = y > this.yRecent.get(this.risingLag);
    const arSd = this.arLong.std();
    const absorptionShift = arSd > 0 ? (this.arShort.mean() - this.arLong.mean()) / arSd : 0;
    const stress = this.model.stressProbability();
    const t = this.cfg.thresholds;

    let regime: Regime = 'calm';
    let why: string;
    const level = `avg ρ ${rhoBar.toFixed(2)} is ${Math.abs(z).toFixed(1)}σ ${z >= 0 ? 'above' : 'below'} its baseline ${Math.tanh(mu).toFixed(2)}`;
    // Stressed: ρ̄ significantly above its baseline (enterZ) while the model puts the basket in a well-separated
    // high-correlation state (filtered probability) and ρ̄ is in that state's range. The model alone is not enough:
    // on heavy-tailed data without regimes EM still finds "separated" states now and then (measured in test/quality:
    // z ≥ exitZ plus the model gave 2-9 false episodes per 6,000 bars).
    const highRho = stress !== null && stress.separated && stress.probability >= t.stressProbability && y >= stress.threshold;
    if (highRho && z >= t.enterZ) {
      regime = 'stressed';
      why = `${level}; stress-state probability ${(stress.probability * 100).toFixed(0)}%`;
    } else if (z >= t.enterZ && rising) {
      regime = 'converging';
      why = `${level} and rising`;
    } else if (z <= t.decoupleZ) {
      regime = 'decoupling';
      why = level;
    } else {
      why = z >= t.enterZ ? `${level} but no longer rising` : level;
    }

    let drivers: RegimeReading['drivers'] = [];
    if (this.baseRolling.count >= 20) {
      try {
        this.baseRolling.correlation(this.baseCorr);
        drivers = topDrivers(this.cfg.symbols, this.corr, this.baseCorr, 3);
      } catch {
        drivers = []; // a series flat over the baseline: no baseline correlation to compare with
      }
    }

    return {
      at,
      regime,
      avgCorrelation: rhoBar,
      dispersion: correlationDispersion(this.corr, n),
      absorptionRatio: ar,
      absorptionShift,
      largestEigenShare: largestEigenShare(this.corr, n),
      z,
      baselineRho: Math.tanh(mu),
      rising,
      stressProbability: stress ? stress.probability : null,
      enterRho: Math.tanh(mu + t.enterZ * sd),
      exitRho: Math.tanh(mu + t.exitZ * sd),
      decoupleRho: Math.tanh(mu + t.decoupleZ * sd),
      drivers,
      why,
    };
  }
}

