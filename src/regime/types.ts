import type { Regime } from '../domain/types.js';

export interface DetectorThresholds {
  /**
   * Evidence level at or above which a basket is converging: the signed root √(2·S) of the CUSUM log-likelihood
   * ratio S (docs/methods.md), so the alarm threshold is h = enterZ²/2 nats. Calibrated for a stated false-alarm rate.
   */
  enterZ: number;
  /** An episode ends once the evidence √(2·S) falls below this (hysteresis, used by the alert policy). */
  exitZ: number;
  /** Filtered probability of the stress state needed for `stressed`. */
  stressProbability: number;
  /** z at or below which a basket is decoupling. */
  decoupleZ: number;
}

export interface DetectorConfig {
  symbols: string[];
  /** Returns in the rolling correlation window (W). */
  window: number;
  /** Points of atanh(avg ρ) in the trailing baseline (B); it ends W bars before the current bar. */
  baseline: number;
  thresholds: DetectorThresholds;
  /** States of the Markov-switching model (2 or 3). */
  states: 2 | 3;
  /** Bars per disjoint block for the Markov-switching model (default max(12, round(W/4))). */
  blockLength?: number;
  /** Refit the model by EM every this many new blocks (default 25). */
  refitEveryBlocks?: number;
  /** Blocks used for a fit, most recent (default 400). */
  maxFitBlocks?: number;
  /** Bars over which "rising" is judged (default max(2, round(W/12))). */
  risingLag?: number;
  /** Bars in the short mean of the absorption-ratio shift (default: W). */
  absorptionShort?: number;
  /**
   * Floor of the noise sd of atanh(avg ρ), as a multiple of 1/sqrt(W) (the sampling sd of atanh r for one pair;
   * default 1): the detector never claims more precision than one pair's sampling error, which keeps a short or
   * unusually smooth baseline from turning noise into large z-scores.
   */
  zFloorFactor?: number;
  /** Half-life in bars of the EWMA volatility that standardizes returns (default max(6, round(W/12))). */
  volHalfLife?: number;
  /** Half-life in bars of the slower volatility that standardizes returns for the CUSUM (default max(10, round(W/4))). */
  cusumVolHalfLife?: number;
  /** Bars a return waits before it may enter the CUSUM's baseline (default W). */
  guard?: number;
  /** Design shifts κ of the CUSUMs: correlations pulled toward 1 by this fraction (default 0.35, 0.75). */
  shifts?: number[];
  /** The CUSUM statistic is capped at capFactor·h so it comes back down quickly after an episode (default 1.5). */
  capFactor?: number;
  /** Fewest bars of evidence an alarm needs: one bar adds at most h/minBars to the CUSUM (default 4). */
  minBars?: number;
  /** The evidence that an episode is over must reach endFactor·h (default 1: as much as it took to start it). */
  endFactor?: number;
  /** Bars between refreshes of the baseline's inverse (default max(1, round(guard/8))). */
  refreshEvery?: number;
}

export interface Driver {
  a: string;
  b: string;
  rho: number;
  baselineRho: number;
  delta: number;
}

/** What the detector says about one closed bar. */
export interface RegimeReading {
  at: number;
  regime: Regime;
  avgCorrelation: number;
  /**
   * Average of the EWMA correlations (half-life about W/12 bars): the level now, which the window average lags by
   * up to a window (NaN when the reading was taken without detail).
   */
  recentAvgCorrelation: number;
  /** Sample std of atanh(ρ_ij) across pairs (NaN when the reading was taken without detail). */
  dispersion: number;
  absorptionRatio: number;
  /** (mean AR over the short span − mean AR over the baseline) / std AR over the baseline. */
  absorptionShift: number;
  largestEigenShare: number;
  /** z-score of atanh(avg ρ) over the window against its trailing baseline (decoupling, and context). */
  z: number;
  /**
   * Evidence of a convergence: √(2·S), S the largest CUSUM statistic over the design shifts (nats). The alert policy
   * compares it with enterZ/exitZ; 0 when there is none.
   */
  score: number;
  /** Baseline mean as avg ρ (tanh of the mean of atanh). */
  baselineRho: number;
  /** atanh(avg ρ) rose over the last `risingLag` bars. */
  rising: boolean;
  /** Filtered probability of the highest-mean state; null before the model could be fitted. */
  stressProbability: number | null;
  /**
   * The decoupling threshold expressed as the window's avg ρ at this bar. (There is no such level for entry: the
   * CUSUM accumulates evidence bar by bar, so no single avg ρ opens an episode.)
   */
  decoupleRho: number;
  /** Pairs whose correlation rose most against the baseline (top 3; empty when the reading was taken without detail). */
  drivers: Driver[];
  /** Why this regime, in words. */
  why: string;
}
