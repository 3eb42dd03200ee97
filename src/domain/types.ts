/** One OHLCV bar. `t` is the bar's open time in epoch milliseconds (the ccxt convention). Only `c` is required. */
export interface Candle {
  t: number;
  o?: number;
  h?: number;
  l?: number;
  c: number;
  v?: number;
}

/** Why bars were dropped when aligning several symbols on exact timestamps (inner join). */
export interface AlignmentReport {
  /** Bars kept: timestamps present for every symbol. */
  kept: number;
  /** Per symbol: how many of its bars had no partner in some other symbol and were dropped. */
  droppedPerSymbol: Record<string, number>;
  /** Symbols whose data starts later than the earliest symbol's (the join starts at the latest first bar). */
  lateStarters: { symbol: string; firstBar: string }[];
  /** Symbols whose data ends before the latest symbol's (the join ends at the earliest last bar): a lagging feed. */
  earlyEnders: { symbol: string; lastBar: string }[];
  /** Interior timestamps (inside the common range) missing from at least one symbol. */
  gaps: { symbol: string; missing: number }[];
  /** One human-readable line per finding; empty when nothing was dropped. */
  notes: string[];
}

/** Closes of several symbols aligned on the same timestamps. closes[i][k] is symbol i at timestamps[k]. */
export interface AlignedCloses {
  symbols: string[];
  timeframe: string;
  timestamps: Float64Array;
  closes: Float64Array[];
  report: AlignmentReport;
}

export type Regime = 'calm' | 'converging' | 'stressed' | 'decoupling';
