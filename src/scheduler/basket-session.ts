import { historySpanFactor, type Calendar } from '../domain/calendar.js';
import { timeframeMs } from '../domain/timeframe.js';
import type { MarketSource } from '../domain/ports.js';
import type { AlignmentReport } from '../domain/types.js';
import { resolveBasketCalendar, type BasketCalendar } from '../market/basket-calendar.js';
import { loadAligned } from '../market/load.js';
import { logReturnAt } from './returns-step.js';
import { RegimeDetector } from '../regime/detector.js';
import type { DetectorConfig, RegimeReading } from '../regime/types.js';

export interface NewBar {
  at: number;
  reading: RegimeReading | undefined;
  /** The bar's log returns (one per symbol), when asked for (`keepReturns`) and the bar has one. */
  returns?: Float64Array;
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
  /** The basket's calendar: the override given, else resolved from the source on the first advance. */
  calendar: BasketCalendar | undefined;
  /** Longest closure between consecutive aligned bars seen so far, in grid bars (staleness of `data` calendars). */
  longestClosure = 0;
  /** Symbols whose newest bar, at the last advance, was older than another symbol's: they hold the basket back. */
  behind: AlignmentReport['earlyEnders'] = [];
  /**
   * Open time the replay of history started from: `opts.origin`, or the `since` of the first advance that fetched.
   * Two sessions replaying the same candles from the same origin are the same detector, bar for bar: a replica that
   * takes over a basket passes the origin the others used (issue 13), and continues it exactly.
   */
  replayFrom: number | undefined;
  /** Where the replay starts when given (a bar's open time); else historyBars() before the first `now`. */
  readonly origin: number | undefined;

  constructor(
    readonly key: string,
    readonly symbols: string[],
    readonly timeframe: string,
    readonly cfg: DetectorConfig,
    opts: { calendar?: Calendar; origin?: number } = {},
  ) {
    this.detector = new RegimeDetector(cfg);
    this.barMs = timeframeMs(timeframe);
    if (opts.calendar) this.calendar = { calendar: opts.calendar, origin: 'option' };
    this.origin = opts.origin;
  }

  /** What the alert policy needs to know of the calendar: which it is and the longest closure seen (withCalendar). */
  staleness(): { calendar: Calendar; longestClosure: number } {
    return { calendar: this.calendar?.calendar ?? 'continuous', longestClosure: this.longestClosure };
  }

  /** Bars of history a fresh session replays: warm-up, a full baseline, and enough blocks for the model. */
  historyBars(): number {
    return this.detector.historyReturns + 10;
  }

  /**
   * Fetch closed bars after the last one seen (the whole history on the first call) up to `now`, and push them
   * through the detector. Returns the new bars with their readings (undefined while warming up; with per-pair
   * detail only after `opts.detailAfter` and on the newest bar, when it is given). Returns are
   * between consecutive aligned bars, as in queries and backtests (alignedReturns): on the `continuous` calendar a
   * bar whose grid predecessor is missing (a gap) contributes no return; on a calendar with closures Friday →
   * Monday is one return. The first call resolves the calendar from the source unless one was given, and reaches
   * back historyBars() bars (half as much time again for a market that closes, whose bars are fewer per day), or to
   * the origin it was given.
   * `opts.signal` aborts the fetches (SourceError 'aborted'); the session is then unchanged. `opts.keepReturns` copies
   * each bar's returns into its NewBar (for forecasts).
   */
  async advance(source: MarketSource, now: number, opts: { detailAfter?: number; signal?: AbortSignal; keepReturns?: boolean } = {}): Promise<NewBar[]> {
    this.calendar ??= await resolveBasketCalendar(source, this.symbols);
    const calendar = this.calendar.calendar;
    const span = Math.ceil(this.historyBars() * historySpanFactor(calendar));
    const since = this.lastBarAt ?? this.origin ?? Math.floor(now / this.barMs) * this.barMs - span * this.barMs;
    const aligned = await loadAligned(source, this.symbols, this.timeframe, since, now, { calendar, signal: opts.signal });
    this.replayFrom ??= since;
    this.behind = aligned.report.earlyEnders;
    const out: NewBar[] = [];
    const n = this.symbols.length;
    const row = new Float64Array(n);
    const cur = new Float64Array(n);
    for (let k = 0; k < aligned.timestamps.length; k++) {
      const at = aligned.timestamps[k];
      if (this.lastBarAt !== undefined && at <= this.lastBarAt) continue;
      for (let i = 0; i < n; i++) cur[i] = aligned.closes[i][k];
      const prevAt = this.lastBarAt;
      if (prevAt !== undefined) this.longestClosure = Math.max(this.longestClosure, Math.round((at - prevAt) / this.barMs) - 1);
      const consecutive = prevAt !== undefined && this.lastCloses !== undefined && (calendar !== 'continuous' || at - prevAt === this.barMs);
      let reading: RegimeReading | undefined;
      if (consecutive) {
        for (let i = 0; i < n; i++) row[i] = logReturnAt(this.lastCloses![i], cur[i]);
        // Per-pair detail (drivers, dispersion, a fresh absorption ratio) costs O(N³): only for bars after
        // detailAfter (the ones that may be announced) and for the newest bar.
        const detail = opts.detailAfter === undefined || at > opts.detailAfter || k === aligned.timestamps.length - 1;
        reading = this.detector.push(at, row, detail);
        if (reading) this.lastReading = reading;
      }
      this.lastCloses = Float64Array.from(cur);
      this.lastBarAt = at;
      out.push(opts.keepReturns && consecutive ? { at, reading, returns: Float64Array.from(row) } : { at, reading });
    }
    return out;
  }
}
