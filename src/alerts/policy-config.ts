import { CALENDARS, closureAllowanceBars, type Calendar } from '../domain/calendar.js';

/**
 * Configuration of the alert policy for one basket. Counts are in bars of the basket's timeframe, so the same
 * numbers mean the same thing for 15m and 1d baskets; only `barMs` converts them to time.
 */
export interface PolicyConfig {
  /** Length of one bar in ms (the basket's timeframe). Converts bar counts to time for cooldown and staleness. */
  barMs: number;
  /** Consecutive bars meeting the entry condition before an episode fires (pending → firing). */
  forBars: number;
  /**
   * The detector's entry z-score, for validation only: the regime it reports already applies it, so the policy
   * never re-tests it. When given, `exitScore` must be below it (otherwise there is no hysteresis).
   */
  enterZ?: number;
  /** A firing episode may end only on a bar with score below this (and a regime that is not converging/stressed). */
  exitScore: number;
  /** Bars a firing episode lasts (counting the bar it fired on) before it may resolve. */
  minDwellBars: number;
  /** Bars after a notified resolution during which a new episode is tracked but not announced. */
  cooldownBars: number;
  /**
   * Expected bars (see `calendar`) past the end of the last bar seen before `stale` (data is missing) is
   * announced, on top of `closureBars`.
   */
  staleBars: number;
  /**
   * The basket's market calendar (src/domain/calendar.ts): which bars are expected at all, so a weekend of a
   * `weekdays` market is not missing data. Default `continuous` (every bar of the grid is expected).
   */
  calendar?: Calendar;
  /**
   * Expected bars that may be absent in one closure the calendar cannot name (a holiday; for `data` calendars the
   * longest closure seen in the data) before staleness starts counting: closureAllowanceBars(). Default 0.
   */
  closureBars?: number;
}

/**
 * The policy on a market calendar: staleness counts the bars the calendar expects, after its closure allowance
 * (closureAllowanceBars: a day of bars for `weekdays`, the longest closure seen for `data`, in grid bars).
 */
export function withCalendar(cfg: PolicyConfig, calendar: Calendar, longestClosureSeen = 0): PolicyConfig {
  return { ...cfg, calendar, closureBars: closureAllowanceBars(calendar, cfg.barMs, longestClosureSeen) };
}

/** Problems with a configuration, one line each (empty when valid). */
export function policyConfigProblems(cfg: PolicyConfig): string[] {
  const problems: string[] = [];
  const int = (name: keyof PolicyConfig, min: number) => {
    const v = cfg[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) problems.push(`${name} must be an integer ≥ ${min}, got ${String(v)}`);
  };
  if (typeof cfg.barMs !== 'number' || !Number.isFinite(cfg.barMs) || cfg.barMs <= 0) problems.push(`barMs must be a positive number of ms, got ${String(cfg.barMs)}`);
  int('forBars', 1);
  int('minDwellBars', 0);
  int('cooldownBars', 0);
  int('staleBars', 1);
  if (cfg.calendar !== undefined && !CALENDARS.includes(cfg.calendar)) problems.push(`calendar must be one of ${CALENDARS.join(', ')}, got ${String(cfg.calendar)}`);
  if (cfg.closureBars !== undefined) int('closureBars', 0);
  if (typeof cfg.exitScore !== 'number' || !Number.isFinite(cfg.exitScore)) problems.push(`exitScore must be a finite number, got ${String(cfg.exitScore)}`);
  else if (cfg.enterZ !== undefined && !(cfg.exitScore < cfg.enterZ)) {
    problems.push(`exitScore (${cfg.exitScore}) must be below enterZ (${cfg.enterZ}) for hysteresis`);
  }
  return problems;
}

/** Throws an Error naming every problem of an invalid configuration (a config bug must not pass silently). */
export function assertPolicyConfig(cfg: PolicyConfig): void {
  const problems = policyConfigProblems(cfg);
  if (problems.length) throw new Error(`invalid alert policy config: ${problems.join('; ')}`);
}
