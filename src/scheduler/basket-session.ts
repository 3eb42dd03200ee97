import { timeframeMs } from '../domain/timeframe.js';
import type { MarketSource } from '../domain/ports.js';
import { loadAligned } from '../market/load.js';
import { logReturnAt } from './returns-step.js';
import { RegimeDetector } from '../regime/detector.js';
import type { DetectorConfig, RegimeReading } from '../regime/types.js';

export interface NewBar {
  at: number;
  reading: RegimeReading | undefined;
}

/**
 * A basket's detector kept in memory between ticks, fed only bars it has not seen. Built by replaying history
 * from the candle cache (deterministic: the same bars give the same readings), so a restart loses nothing.
 */
export class BasketSession {
  readonly detector: RegimeDetector;
  readonly barMs: number;
  lastBarAt: number | undefined;
  private lastCloses: Float64Array | undefined;
  lastReading: RegimeReading | undefined;

  constructor(
    readonly key: string,
    readonly symbols: string[],
    readonly timeframe: string,
    readonly cfg: DetectorConfig,
  ) {
    this.detector = new RegimeDetector(cfg);
    this.barMs = timeframeMs(timeframe);
  }

  /** Bars of history a fresh session replays: warm-up, a full baseline, and enough blocks for the model. */
  historyBars(): number {
    const W = this.cfg.window;
    // Warm-up (3W + 20) plus a full baseline, or enough disjoint blocks to fit the regime model, whichever is more.
    return Math.max(3 * W + this.cfg.baseline + 20, 25 * Math.max(12, Math.round(W / 4)) + 3 * W + 20) + 10;
  }

  /**
   * Fetch closed bars after the last one seen (the whole history on the first call) up to `now`, and push them
   * through the detector. Returns the new bars with their readings (undefined while warming up). A bar whose
   * predecessor is missing (a gap) contributes no return, as in queries and backtests.
   */
  async advance(source: MarketSource, now: number): Promise<NewBar[]> {
    const since = this.lastBarAt ?? Math.floor(now / this.barMs) * this.barMs - this.historyBars() * this.barMs;
    const aligned = await loadAligned(source, this.symbols, this.timeframe, since, now);
    const out: NewBar[] = [];
    const n = this.symbols.length;
    const row = new Float64Array(n);
    const cur = new Float64Array(n);
    for (let k = 0; k < aligned.timestamps.length; k++) {
      const at = aligned.timestamps[k];
      if (this.lastBarAt !== undefined && at <= this.lastBarAt) continue;
      for (let i = 0; i < n; i++) cur[i] = aligned.closes[i][k];
      const prevAt = this.lastBarAt;
      const consecutive = prevAt !== undefined && at - prevAt === this.barMs && this.lastCloses !== undefined;
      let reading: RegimeReading | undefined;
      if (consecutive) {
        for (let i = 0; i < n; i++) row[i] = logReturnAt(this.lastCloses![i], cur[i]);
        reading = this.detector.push(at, row);
        if (reading) this.lastReading = reading;
      }
      this.lastCloses = Float64Array.from(cur);
      this.lastBarAt = at;
      out.push({ at, reading });
    }
    return out;
  }
}
