import { UserError } from './errors.js';

// Bounds on what one request may ask for, so that no command (from any chat user) can make corrwatch fetch
// thousands of exchange pages or hold gigabytes (issue 11: `/corr BTC ETH 99999999 timeframe:1m` made about 4,000
// requests and 1.5 GB in 90 s; `basket set x window 99999999` left a basket warming up forever; a 10,000-symbol
// backtest took 3 GB). Bars fetched from an exchange are bounded by the config's `market.maxBars`.

/** Most symbols in one basket or one query (the config's baskets hold at most this many too). */
export const MAX_SYMBOLS = 100;

/**
 * Most bars a basket's window or baseline may span. The watcher replays about a baseline and two windows at start;
 * 50,000 is over five years of hourly bars and covers every default (90 days of 1m bars is 129,600: such a basket
 * needs a shorter baseline).
 */
export const MAX_BASKET_BARS = 50_000;

/** A UserError `too_many_symbols` when `count` exceeds MAX_SYMBOLS. */
export function checkSymbolCount(count: number): void {
  if (count > MAX_SYMBOLS) {
    throw new UserError('too_many_symbols', `${count} symbols is more than one request takes (at most ${MAX_SYMBOLS}); split them into several baskets or queries`);
  }
}

/**
 * A UserError `too_many_bars` when `bars` exceeds `max`: `what` says what needs them (e.g. "a window of 99999999
 * returns") and `hint` how to ask for less.
 */
export function checkBars(bars: number, max: number, what: string, hint: string): void {
  if (bars > max) throw new UserError('too_many_bars', `${what} needs ${bars} bars, more than corrwatch fetches for one request (${max}); ${hint}`);
}

/**
 * Chat commands one user may have running at once: a fourth is refused at once (issue 11 §2: one user's heavy
 * queries must not queue everyone else's answers behind them).
 */
export const MAX_COMMANDS_PER_USER = 3;

/** Chat commands running at once in the process; more wait their turn, in order (bounds memory under a burst). */
export const MAX_COMMANDS_RUNNING = 8;

/**
 * Largest CSV a chat export (`/corr export ...`) hands over: 512 kB is thousands of rows, well under Slack's and
 * Discord's file limits, and small enough to build in memory for any user. Past it the export is refused with what
 * to ask for instead; the CLI's `--csv FILE` has no such bound.
 */
export const MAX_EXPORT_BYTES = 512 * 1024;
