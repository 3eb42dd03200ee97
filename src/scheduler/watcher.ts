import { checkStale, evaluateBar, initialAlertState, parseAlertState, snoozeUntil, unsnooze, type AlertNotification, type AlertState, type PolicyConfig, withCalendar } from '../alerts/policy.js';
import { isOverdue } from '../alerts/check-stale.js';
import { deliverPending, type ClaimOptions, type DeliveryAttempt, type FanoutReport, type GiveUpPolicy } from '../alerts/fanout.js';
import { targetKey, type Notifier } from '../alerts/notifier.js';
import type { Config } from '../config/schema.js';
import type { Calendar } from '../domain/calendar.js';
import { SourceError, UserError } from '../domain/errors.js';
import { StoreError } from '../store/errors.js';
import type { Reply } from '../domain/reply.js';
import type { Clock, MarketSource } from '../domain/ports.js';
import { isoTime, parseDuration, timeframeMs } from '../domain/timeframe.js';
import { stressedWithinDay } from '../forecast/regime-outlook.js';
import type { Logger } from '../log.js';
import { detectorConfigFor, policyConfigFor } from '../config/basket-settings.js';
import type { RegimeReading } from '../regime/types.js';
import type { Basket, BasketRuntime, NotificationRecord, RegimePoint, Store } from '../store/types.js';
import { BasketSession } from './basket-session.js';
import { clampText } from '../render/clamp.js';

export interface WatcherDeps {
  store: Store;
  market: MarketSource;
  config: Config;
  clock: Clock;
  log: Logger;
  notifiers: Notifier[];
  /** Turns a notification record into the message to post (text, fields, chart). */
  renderAlert: (record: NotificationRecord) => Promise<Reply>;
  /** Told of every delivery attempt (for metrics). */
  onDelivery?: (attempt: DeliveryAttempt) => void;
  /** Who this process is and how long its delivery claims last, on a store replicas share (deliverPending). */
  claim?: ClaimOptions;
}

export interface BasketTickReport {
  basket: string;
  newBars: number;
  regime?: string;
  /** Convergence evidence at the basket's last bar. */
  score?: number;
  notifications: string[];
  error?: string;
  /** What kind of failure `error` is: the source's or user error's code (timeout, rate_limited, unknown_symbol, ...), or internal. */
  errorKind?: string;
  /** evaluateBasket only: the bars (open times) the alert policy evaluated, in order. */
  evaluatedBars?: number[];
}

export interface TickReport {
  at: string;
  baskets: BasketTickReport[];
  delivery: FanoutReport;
}

/** One basket's part of a tick: its report, and its runtime to save (none when cancelled), with the runtime as the tick found it. */
interface TickedBasket {
  report: BasketTickReport;
  runtime: BasketRuntime | undefined;
  stored: BasketRuntime | undefined;
  /** The outbox records this basket's decisions made, committed with its runtime (Store.commitTick). */
  notifications: NotificationRecord[];
}

function sessionKey(b: Basket): string {
  return JSON.stringify([b.symbols, b.timeframe, b.window, b.baseline, b.thresholds]);
}

/**
 * How a basket's detector was built, kept in its runtime (BasketRuntime.model) when replicas share the basket
 * (evaluateBasket): the detector settings (`key`), the bar its replay of history started from, and the newest bar it
 * has seen. Any replica rebuilding the detector from `from` over the same candles gets the same detector, bar for bar.
 */
interface Replay {
  key: string;
  from: number;
  through?: number;
}

/** A replay is restarted from a fresh origin once it would replay more than this many times the history a detector needs. */
const REPLAY_RESTART_FACTOR = 3;

function replayOf(model: unknown): Replay | undefined {
  const r = (model as { replay?: Partial<Replay> } | undefined)?.replay;
  if (!r || typeof r.key !== 'string' || typeof r.from !== 'number' || !Number.isFinite(r.from)) return undefined;
  return { key: r.key, from: r.from, ...(typeof r.through === 'number' && Number.isFinite(r.through) ? { through: r.through } : {}) };
}

function toPoint(r: RegimeReading): RegimePoint {
  return { at: r.at, avgCorrelation: r.avgCorrelation, regime: r.regime, z: r.z, stressProbability: r.stressProbability ?? 0 };
}

/** RuntimeMerge: the runtime written, with the snooze of the one stored (when both alert states parse). */
function keepStoredSnooze(stored: BasketRuntime | undefined, next: BasketRuntime): BasketRuntime {
  if (!stored) return next;
  try {
    const current = parseAlertState(stored.alertState).snoozedUntil;
    const state = parseAlertState(next.alertState);
    if (state.snoozedUntil === current) return next;
    return { ...next, alertState: current === null ? unsnooze(state) : snoozeUntil(state, current) };
  } catch {
    return next; // a malformed stored state was already reported when the basket was ticked
  }
}

/** Longest cause of missing data an alert quotes (an exchange's error can be long). */
const MAX_DATA_PROBLEM_CHARS = 300;

/**
 * Why a basket's data stopped, said in its stale alert (`text`); `noReading`: bars still come, but give no reading
 * (a stale alert), or came back after that (a recovered one).
 */
interface DataProblem {
  text?: string;
  noReading: boolean;
}

function payloadOf(b: Basket, n: AlertNotification, r: RegimeReading | undefined, dataProblem: DataProblem | undefined, stressedWithinDay: number | null): Record<string, unknown> {
  return {
    ...(dataProblem?.text !== undefined && n.kind === 'stale' ? { dataProblem: clampText(dataProblem.text, MAX_DATA_PROBLEM_CHARS) } : {}),
    ...(dataProblem?.noReading && (n.kind === 'stale' || n.kind === 'recovered') ? { noReading: true } : {}),
    ...(stressedWithinDay !== null ? { stressedWithinDay } : {}),
    basket: b.name,
    symbols: b.symbols,
    timeframe: b.timeframe,
    regime: n.regime,
    avgCorrelation: n.avgCorrelation,
    z: n.score,
    reason: n.reason,
    startedAt: n.startedAt,
    durationMs: n.durationMs,
    peakAvgCorrelation: n.peakAvgCorrelation,
    ...(r
      ? {
          baselineRho: r.baselineRho,
          ...(Number.isFinite(r.recentAvgCorrelation) ? { recentAvgCorrelation: r.recentAvgCorrelation } : {}),
          drivers: r.drivers,
          stressProbability: r.stressProbability,
          why: r.why,
          dispersion: r.dispersion,
          absorptionRatio: r.absorptionRatio,
        }
      : {}),
  };
}

/**
 * The scheduled watcher. `tick(now)` does one round for every basket: fetch new candles (incrementally, through
 * the candle cache), advance the detector, apply the alert policy, write each decision to the outbox, then
 * deliver what is pending through the notifiers. One basket's failure is reported for that basket and does not
 * stop the others. Overlapping ticks are refused (the caller logs the skip).
 */
export class Watcher {
  private readonly sessions = new Map<string, BasketSession>();
  /**
   * Each basket's calendar and longest closure as its session last saw them (for withCalendar): kept apart from
   * the session, which is dropped on a failed tick, so a source that fails on a weekend is not called stale.
   */
  private readonly calendars = new Map<string, { calendar: Calendar; longestClosure: number }>();
  private running = false;
  lastTick: TickReport | undefined;

  constructor(private readonly deps: WatcherDeps) {}

  /**
   * Run the outbox alone, between ticks (`start` calls it every 30 s, so a delivery that failed is retried within its
   * backoff rather than an hour later). Refused (undefined) while a tick runs, which delivers anyway.
   */
  async deliver(now: number = this.deps.clock.now()): Promise<FanoutReport | undefined> {
    if (this.running || this.delivering) return undefined;
    const round = deliverPending(this.deps.store, this.deps.notifiers, this.deps.renderAlert, this.deps.log, now, this.deps.onDelivery, this.giveUpPolicy(), this.deps.claim);
    this.delivering = round;
    try {
      return await round;
    } finally {
      this.delivering = undefined;
    }
  }

  /** An outbox round running between ticks: a tick waits for it (it is never skipped for one). */
  private delivering: Promise<FanoutReport> | undefined;

  private giveUpPolicy(): GiveUpPolicy {
    return { maxAgeMs: parseDuration(this.deps.config.alerts.giveUpAfter, 'alerts.giveUpAfter') };
  }

  get busy(): boolean {
    return this.running;
  }

  /**
   * `signal` aborts the tick's market calls (a graceful stop): the basket being fetched reports SourceError 'aborted'
   * and keeps its stored state, the baskets not reached yet are left, and nothing is delivered.
   */
  async tick(now: number = this.deps.clock.now(), signal?: AbortSignal): Promise<TickReport | undefined> {
    if (this.running) return undefined;
    this.running = true;
    try {
      // One outbox at a time: let a round started between ticks finish (its failures are its own).
      await this.delivering?.catch(() => undefined);
      const baskets = await this.deps.store.listBaskets();
      // Every line of this tick carries its time (the bar clock), so a log search finds one tick's story.
      const log = this.deps.log.child({ tick: isoTime(now) });
      const ticked: TickedBasket[] = [];
      try {
        for (const b of baskets) {
          // A stop aborted this tick: the baskets not reached yet are left for the next start.
          if (signal?.aborted) break;
          ticked.push(await this.tickBasket(b, now, log, signal));
        }
        await this.commit(ticked);
      } catch (e) {
        // The detectors in memory have moved past what the store holds: rebuild them on the next tick, which then
        // evaluates every bar after the stored state (as after a restart), so no decision is skipped.
        if (e instanceof StoreError) this.sessions.clear();
        throw e;
      }
      const reports = ticked.map((t) => t.report);
      for (const name of [...this.sessions.keys()]) if (!baskets.some((b) => b.name === name)) this.sessions.delete(name);
      for (const name of [...this.calendars.keys()]) if (!baskets.some((b) => b.name === name)) this.calendars.delete(name);
      // Past the stop's grace period nothing more is posted: what is pending stays in the outbox for the next start.
      const delivery = signal?.aborted
        ? { sent: 0, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 }
        : await deliverPending(this.deps.store, this.deps.notifiers, this.deps.renderAlert, log, now, this.deps.onDelivery, this.giveUpPolicy(), this.deps.claim);
      this.lastTick = { at: isoTime(now), baskets: reports, delivery };
      return this.lastTick;
    } finally {
      this.running = false;
    }
  }

  /**
   * Evaluate one basket up to `now` and save its runtime: what a replica does with one basket-bar job when several
   * share a PostgreSQL store (issue 13; src/scheduler/basket-jobs.ts: the caller holds the basket's lock, so one
   * replica at a time evaluates it). As a tick does for each basket, with three differences: the outbox is not run (the
   * caller does), `tick`'s no-overlap guard is not taken (jobs of different baskets run at once), and the detector is
   * built so that every replica has the same one: its replay origin is kept in the runtime (`model.replay`), a replica
   * whose detector in memory is not the one the store describes (another origin, or bars past the saved ones) rebuilds
   * it from that origin, and a detector continuing from where another replica left reads only the newer bars. So the
   * detector is sequential across replicas and the store's alert state decides what was announced: bars up to the
   * runtime's lastBarAt only rebuild the detector, and a decision made again after a crash has the same record id.
   * Undefined when the basket no longer exists. A stop (`signal`) leaves the stored runtime as it was (report error
   * kind `aborted`). A StoreError is thrown (the job fails and is retried).
   */
  async evaluateBasket(name: string, now: number, signal?: AbortSignal): Promise<BasketTickReport | undefined> {
    const b = await this.deps.store.getBasket(name);
    if (!b) {
      this.sessions.delete(name);
      this.calendars.delete(name);
      return undefined;
    }
    const log = this.deps.log.child({ tick: isoTime(now) });
    try {
      const ticked = await this.tickBasket(b, now, log, signal, true);
      await this.commit([ticked]);
      return ticked.report;
    } catch (e) {
      // Rebuilt from what the store holds on the next evaluation, here or on another replica.
      this.sessions.delete(name);
      throw e;
    }
  }

  /**
   * The session of a basket evaluated by replicas in turn (evaluateBasket): the one in memory when it is the detector
   * the stored replay describes, up to bars the store has seen; else a new one replaying from the stored origin (or
   * from a fresh origin: none stored, other detector settings, or the replay grown past REPLAY_RESTART_FACTOR times
   * the history a detector needs, where the detector restarts as a single process's does at a restart).
   */
  private sharedSession(b: Basket, replay: Replay | undefined, now: number): { session: BasketSession; key: string } {
    const detectorCfg = detectorConfigFor(b, this.deps.config);
    const key = JSON.stringify([b.timeframe, detectorCfg]);
    let current = this.sessions.get(b.name);
    if (current && current.key !== sessionKey(b)) current = undefined;
    // Decided on what the store holds and `now` only, so every replica restarts the replay at the same evaluation.
    const historyBars = (current ?? new BasketSession(sessionKey(b), b.symbols, b.timeframe, detectorCfg)).historyBars();
    const keep = replay !== undefined && replay.key === key && now - replay.from <= REPLAY_RESTART_FACTOR * historyBars * timeframeMs(b.timeframe);
    if (current && keep && current.lastBarAt !== undefined && current.replayFrom === replay.from && current.lastBarAt <= (replay.through ?? -Infinity)) {
      return { session: current, key };
    }
    const session = new BasketSession(sessionKey(b), b.symbols, b.timeframe, detectorCfg, keep ? { origin: replay.from } : {});
    this.sessions.set(b.name, session);
    return { session, key };
  }

  private async tickBasket(b: Basket, now: number, log: Logger, signal?: AbortSignal, shared = false): Promise<TickedBasket> {
    const { store, config } = this.deps;
    const report: BasketTickReport = { basket: b.name, newBars: 0, notifications: [] };
    const records: NotificationRecord[] = [];
    const stored = await store.getRuntime(b.name);
    const runtime: BasketRuntime = stored ?? { basket: b.name, alertState: initialAlertState(), history: [] };
    let state: AlertState;
    try {
      state = stored ? parseAlertState(stored.alertState) : initialAlertState();
    } catch (e) {
      log.error('stored alert state is malformed; starting the basket fresh', { basket: b.name, error: e });
      state = initialAlertState();
    }
    const basePolicy = policyConfigFor(b, config);
    const known = this.calendars.get(b.name);
    let policy: PolicyConfig = known ? withCalendar(basePolicy, known.calendar, known.longestClosure) : basePolicy;
    const firstRun = runtime.lastBarAt === undefined;
    // `dataProblem`: why the data stopped, where known (said in a stale alert).
    // `noReading`: the bars come, but give no reading (RegimeDetector.noReadingWhy).
    const emit = async (n: AlertNotification | undefined, r: RegimeReading | undefined, dataProblem?: string, noReading = false) => {
      if (!n) return;
      // A recovery says what came back: readings (after a "no regime reading" alert) or the market data.
      if (n.kind === 'recovered' && (await this.lastStale(b.name, records))?.payload.noReading === true) noReading = true;
      report.notifications.push(n.kind);
      records.push(await this.recordOf(b, n, r, now, dataProblem === undefined && !noReading ? undefined : { text: dataProblem, noReading }));
    };
    // A replica's job for a bar the basket's detector has already passed (a job retried late, or taken after the next
    // bar's job, which evaluated it first): nothing to evaluate, nothing to save; the detectors in memory stay as they are.
    const replay = shared ? replayOf(stored?.model) : undefined;
    if (replay?.through !== undefined && replay.through >= Math.floor(now / timeframeMs(b.timeframe)) * timeframeMs(b.timeframe) - timeframeMs(b.timeframe)) {
      return { report: { ...report, evaluatedBars: [] }, runtime: undefined, stored, notifications: [] };
    }
    try {
      let session = this.sessions.get(b.name);
      let replayKey: string | undefined;
      if (shared) ({ session, key: replayKey } = this.sharedSession(b, replay, now));
      else if (!session || session.key !== sessionKey(b)) {
        session = new BasketSession(sessionKey(b), b.symbols, b.timeframe, detectorConfigFor(b, config));
        this.sessions.set(b.name, session);
      }
      // Per-pair detail (drivers, dispersion, absorption ratio: O(N³) a bar) only where a message may need it: bars
      // the policy has not seen yet, and the newest bar. A first run replays history silently: the newest bar only.
      const bars = await session.advance(this.deps.market, now, { detailAfter: runtime.lastBarAt ?? Number.POSITIVE_INFINITY, signal });
      if (replayKey !== undefined && session.replayFrom !== undefined) {
        runtime.model = { replay: { key: replayKey, from: session.replayFrom, ...(session.lastBarAt !== undefined ? { through: session.lastBarAt } : {}) } satisfies Replay };
      }
      if (shared) report.evaluatedBars = [];
      const calendar = session.staleness();
      this.calendars.set(b.name, calendar);
      policy = withCalendar(basePolicy, calendar.calendar, calendar.longestClosure);
      const newPoints: RegimePoint[] = [];
      let last: AlertNotification | undefined;
      for (const { at, reading } of bars) {
        if (!reading) continue;
        // Bars the policy already evaluated (before a restart) only rebuild the detector.
        if (runtime.lastBarAt !== undefined && at <= runtime.lastBarAt) continue;
        newPoints.push(toPoint(reading));
        report.evaluatedBars?.push(at);
        const stale = checkStale(state, at, policy);
        state = stale.state;
        if (!firstRun) await emit(stale.notification, undefined);
        const d = evaluateBar(state, { at, regime: reading.regime, score: reading.score, avgCorrelation: reading.avgCorrelation }, policy, now);
        state = d.state;
        if (firstRun) {
          if (d.notification?.kind === 'firing') last = d.notification;
        } else {
          await emit(d.notification, reading);
        }
        report.newBars++;
      }
      // On the very first run, history is replayed silently; an episode still firing at the end is announced once,
      // with what drives it now (the newest bar's reading, the only one computed with per-pair detail).
      if (firstRun && last && state.phase === 'firing' && state.notified && last.episode === state.episode) {
        await emit({ ...last, regime: state.level ?? last.regime }, session.lastReading);
      }
      runtime.lastBarAt = session.lastReading?.at ?? runtime.lastBarAt;
      // Never back, whichever replica saves (one whose detector is behind the stored one reads only newer bars).
      if (shared && stored?.lastBarAt !== undefined && (runtime.lastBarAt === undefined || runtime.lastBarAt < stored.lastBarAt)) runtime.lastBarAt = stored.lastBarAt;
      runtime.history = [...runtime.history, ...newPoints];
      runtime.lastError = undefined;
      report.regime = session.lastReading?.regime;
      report.score = session.lastReading?.score;
      if (!session.lastReading) report.error = `warming up: ${session.detector.count} of ${session.detector.warmupReturns} returns`;
      // Bars arrive but the newest has no reading (a symbol that did not move over the window): said as the basket's
      // problem, and in the stale alert if it lasts (the policy sees no bar meanwhile).
      const unreadable = bars.length > 0 ? session.detector.noReadingWhy : undefined;
      if (unreadable !== undefined) {
        log.warn('basket has no regime reading', { basket: b.name, error: unreadable });
        report.error = unreadable;
        report.errorKind = 'no_reading';
        runtime.lastError = { at: now, message: unreadable };
      }
      // No new bar because some symbols have none while the others have newer ones (a feed that stopped, a delisting
      // the exchange does not announce): say which, as long as the calendar expects a bar (not over a weekend).
      const behind = bars.length === 0 && session.lastBarAt !== undefined && isOverdue(session.lastBarAt, now, { ...policy, staleBars: 1 }) ? session.behind : [];
      if (behind.length > 0) {
        const message = `no new bar: ${behind.map((s) => `${s.symbol} has none after ${s.lastBar}`).join(', ')} (the other symbols have newer bars)`;
        log.warn('basket has no new bar', { basket: b.name, error: message });
        report.error = message;
        report.errorKind = 'no_new_bar';
        runtime.lastError = { at: now, message };
      }
      if (newPoints.length === 0) {
        const s = checkStale(state, now, policy);
        state = s.state;
        await emit(s.notification, undefined, runtime.lastError?.message, unreadable !== undefined);
      }
    } catch (e) {
      // The store failing (disk full) is the operator's problem, never the market's: the whole tick stops, nothing
      // is reported as missing data; the caller logs it and /healthz says so.
      if (e instanceof StoreError) throw e;
      if (e instanceof SourceError && e.code === 'aborted') {
        // corrwatch is stopping: not a market outage (no stale alert, no error kept); the next start redoes the bars.
        log.info('basket tick cancelled', { basket: b.name });
        report.error = e.message;
        report.errorKind = e.code;
        return { report, runtime: undefined, stored, notifications: [] };
      }
      const message = e instanceof UserError || e instanceof SourceError ? e.message : `internal error: ${(e as Error).message}`;
      if (!(e instanceof UserError || e instanceof SourceError)) log.error('basket tick failed', { basket: b.name, error: e });
      else log.warn('basket tick failed', { basket: b.name, error: message });
      report.error = message;
      report.errorKind = e instanceof UserError || e instanceof SourceError ? e.code : 'internal';
      runtime.lastError = { at: now, message };
      this.sessions.delete(b.name);
      // Missing data is never a resolution: the policy can only go stale.
      const s = checkStale(state, now, policy);
      state = s.state;
      await emit(s.notification, undefined, message);
    }
    runtime.alertState = state;
    runtime.lastTickAt = now;
    return { report, runtime, stored, notifications: records };
  }

  /**
   * Save every basket's runtime and the outbox records its decisions made in one store write (the main document is
   * rewritten once a tick, not once a basket; PostgreSQL: one transaction), so a decision and its record are stored
   * together or not at all. An admin may have snoozed or unsnoozed a basket while this tick ran: that change is kept,
   * not our stale copy.
   */
  private async commit(ticked: TickedBasket[]): Promise<void> {
    const runtimes = ticked.flatMap(({ runtime }) => (runtime ? [runtime] : []));
    const notifications = ticked.flatMap((t) => t.notifications);
    // The snooze is an admin's (alerts snooze/unsnooze, another process perhaps): the alert policy never changes it,
    // so each runtime keeps the snooze stored at the moment of the write, inside the store's atomic write.
    await this.deps.store.commitTick({ runtimes, notifications, merge: keepStoredSnooze });
  }

  /** The basket's newest stale record: among this tick's records not yet committed, else in the outbox. */
  private async lastStale(basket: string, pending: NotificationRecord[]): Promise<NotificationRecord | undefined> {
    return pending.findLast((x) => x.kind === 'stale') ?? (await this.deps.store.listNotifications(basket, 20)).find((x) => x.kind === 'stale');
  }

  /** The outbox record of a decision: one pending delivery per channel subscribed now (and each notifier's own). */
  private async recordOf(b: Basket, n: AlertNotification, r: RegimeReading | undefined, now: number, dataProblem?: DataProblem): Promise<NotificationRecord> {
    const subs = await this.deps.store.listSubscriptions(b.name);
    const targets = new Set(subs.map((s) => targetKey(s.platform, s.channelId)));
    for (const notifier of this.deps.notifiers) for (const t of notifier.implicitTargets ?? []) targets.add(t);
    return {
      id: `${b.name}:${n.episode}:${n.kind}${n.kind === 'stale' || n.kind === 'recovered' ? `:${n.at}` : ''}`,
      basket: b.name,
      episode: n.episode,
      kind: n.kind,
      at: n.at,
      createdAt: now,
      payload: payloadOf(b, n, r, dataProblem, stressedWithinDay(this.sessions.get(b.name)?.detector.regimeModelState() ?? null, timeframeMs(b.timeframe))),
      deliveries: Object.fromEntries([...targets].map((t) => [t, { status: 'pending' as const, attempts: 0 }])),
    };
  }
}
