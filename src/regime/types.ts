import type { Regime } from '../domain/types.js';

export interface DetectorThresholds {
  /** z of atanh(avg ρ) vs baseline at or above which (and rising) a basket is converging. */
  enterZ: number;
  /** Hysteresis exit level used by the alert policy (reported here as avg ρ for charts). */
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
  /** Sample std of atanh(ρ_ij) across pairs. */
  dispersion: number;
  absorptionRatio: number;
  /** (mean AR over the short span − mean AR over the baseline) / std AR over the baseline. */
  absorptionShift: number;
  largestEigenShare: number;
  /** z-score of atanh(avg ρ) against the trailing baseline (the adaptive threshold). */
  z: number;
  /** Baseline mean as avg ρ (tanh of the mean of atanh). */
  baselineRho: number;
  /** atanh(avg ρ) rose over the last `risingLag` bars. */
  rising: boolean;
  /** Filtered probability of the highest-mean state; null before the model could be fitted. */
  stressProbability: number | null;
  /** Entry, exit and decoupling thresholds expressed as avg ρ at this bar. */
  enterRho: number;
  exitRho: number;
  decoupleRho: number;
  /** Pairs whose correlation rose most against the baseline (top 3). */
  drivers: Driver[];
  /** Why this regime, in words. */
  why: string;
}
