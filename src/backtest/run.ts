import { checkStale, evaluateBar, initialAlertState, type AlertNotification, type AlertState, type PolicyConfig } from '../alerts/policy.js';
import { isoTime } from '../domain/timeframe.js';
import type { Regime } from '../domain/types.js';
import type { ReturnsWindow } from '../query/returns-window.js';
import { RegimeDetector } from '../regime/detector.js';
import type { DetectorConfig, RegimeReading } from '../regime/types.js';

export interface BacktestAlert {
  at: string;
  state: AlertNotification['kind'];
  regime: Regime;
  avgCorrelation: number;
  reason: string;
  episode: number;
  z: number;
  durationHours?: number;
  peakAvgCorrelation?: number;
}

export interface BacktestSummary {
  /** Returns replayed. */
  returns: number;
  /** First bar at which the detector could classify (after warm-up); null if it never could. */
  firstDecisionAt: string | null;
  warmupReturns: number;
  episodes: number;
  notifications: Record<AlertNotification['kind'], number>;
  /** Bars spent in each regime after warm-up. */
  regimeBars: Record<Regime, number>;
  /**
   * Bars after warm-up with no reading (RegimeDetector.noReadingWhy: a symbol that did not move over the window), the
   * first and last of them, and why (the last reason); absent when every bar after warm-up was read.
   */
  noReading?: { bars: number; from: string; to: string; why: string };
}

export interface BacktestResult {
  alerts: BacktestAlert[];
  summary: BacktestSummary;
  /** Every reading (for charts and quality measurements). */
  readings: RegimeReading[];
}

/**
 * Replay history bar by bar through the same detector and alert policy the watcher uses. No look-ahead: at bar t
 * the detector has seen returns up to t only and its model was fitted on completed blocks before t. Gaps longer
 * than the policy's stale limit produce `stale`/`recovered` notifications, as they would live: counted in bars the
 * policy's calendar expects (PolicyConfig.calendar, closureBars), so weekends and holidays of a market that closes
 * never do.
 */
export function runBacktest(
  rw: ReturnsWindow,
  detectorCfg: DetectorConfig,
  policyCfg: PolicyConfig,
  opts: {
    onProgress?: (done: number, total: number) => void;
    keepReadings?: boolean;
    reportFrom?: number;
    /** Called after every bar with its returns, the reading (undefined while warming up) and the detector (forecast evaluation). */
    onBar?: (row: Float64Array, reading: RegimeReading | undefined, detector: RegimeDetector) => void;
  } = {},
): BacktestResult {
  const detector = new RegimeDetector(detectorCfg);
  let state: AlertState = initialAlertState();
  const alerts: BacktestAlert[] = [];
  const readings: RegimeReading[] = [];
  const regimeBars: Record<Regime, number> = { calm: 0, converging: 0, stressed: 0, decoupling: 0 };
  const notifications: Record<AlertNotification['kind'], number> = { firing: 0, escalated: 0, resolved: 0, stale: 0, recovered: 0 };
  let firstDecisionAt: number | null = null;
  let noReading: { bars: number; from: number; to: number; why: string } | undefined;
  const n = rw.symbols.length;
  const row = new Float64Array(n);
  const total = rw.times.length;
  const record = (note: AlertNotification | undefined, reading: RegimeReading | undefined) => {
    if (!note) return;
    notifications[note.kind]++;
    alerts.push({
      at: isoTime(note.at),
      state: note.kind,
      regime: note.regime,
      avgCorrelation: note.avgCorrelation,
      reason: reading && (note.kind === 'firing' || note.kind === 'escalated') ? `${note.reason}: ${reading.why}` : note.reason,
      episode: note.episode,
      z: note.score,
      ...(note.durationMs !== undefined ? { durationHours: note.durationMs / 3_600_000 } : {}),
      ...(note.peakAvgCorrelation !== undefined ? { peakAvgCorrelation: note.peakAvgCorrelation } : {}),
    });
  };
  for (let k = 0; k < total; k++) {
    const at = rw.times[k];
    for (let i = 0; i < n; i++) row[i] = rw.returns[i][k];
    const reading = detector.push(at, row, false);
    opts.onBar?.(row, reading, detector);
    const why = detector.noReadingWhy;
    if (why !== undefined && (opts.reportFrom === undefined || at >= opts.reportFrom)) {
      noReading ??= { bars: 0, from: at, to: at, why };
      noReading.bars++;
      noReading.to = at;
      noReading.why = why;
    }
    if (!reading) continue;
    firstDecisionAt ??= at;
    // Bars before reportFrom warm the detector and the policy up; only what happens from it on is reported.
    const reported = opts.reportFrom === undefined || at >= opts.reportFrom;
    if (reported) regimeBars[reading.regime]++;
    if (reported && opts.keepReadings !== false) readings.push(reading);
    // Time passing without bars (a gap in the data) is checked first, as the live watcher would between ticks.
    const stale = checkStale(state, at, policyCfg);
    state = stale.state;
    if (reported) record(stale.notification, undefined);
    const d = evaluateBar(state, { at, regime: reading.regime, score: reading.score, avgCorrelation: reading.avgCorrelation }, policyCfg, at);
    state = d.state;
    if (reported) record(d.notification, reading);
    if (opts.onProgress && (k % 500 === 0 || k === total - 1)) opts.onProgress(k + 1, total);
  }
  return {
    alerts,
    readings,
    summary: {
      returns: total,
      firstDecisionAt: firstDecisionAt === null ? null : isoTime(firstDecisionAt),
      warmupReturns: detector.warmupReturns,
      episodes: notifications.firing,
      notifications,
      regimeBars,
      ...(noReading ? { noReading: { bars: noReading.bars, from: isoTime(noReading.from), to: isoTime(noReading.to), why: noReading.why } } : {}),
    },
  };
}

export type { PolicyConfig };
