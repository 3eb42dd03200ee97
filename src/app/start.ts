import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { consoleNotifier } from '../alerts/console-notifier.js';
import type { Notifier } from '../alerts/notifier.js';
import { chartRenderer } from '../chart/index.js';
import type { Config } from '../config/schema.js';
import type { Clock, MarketSource } from '../domain/ports.js';
import { isoTime, parseDuration } from '../domain/timeframe.js';
import { DEFAULT_TIME_ZONE, formatDateTime } from '../domain/timezone.js';
import { renderAlertWithChart } from './alert-chart.js';
import type { Logger } from '../log.js';
import { healthOf } from '../ops/health.js';
import { OpsMetrics } from '../ops/metrics.js';
import { opsHandler, type OpsEndpoints } from '../ops/routes.js';
import { autoSchedule, schedulePeriodMs, scheduleTicks } from '../scheduler/cron.js';
import { Watcher, type TickReport } from '../scheduler/watcher.js';
import { StoreError } from '../store/errors.js';
import type { Store } from '../store/types.js';
import { seedBaskets } from '../config/baskets.js';
import { acceleratedClock } from './demo-clock.js';
import { buildMarketSource } from './market.js';
import { createRuntime, type AppRuntime as ChatRuntime } from './runtime.js';
import { QueryPool, queryThreads } from './query-pool.js';
import { version } from './version.js';
import { chooseStore, createStore } from './store.js';
import { connectionString } from '../store/postgres/connection.js';

export interface StartOptions {
  config: Config;
  log: Logger;
  source?: string;
  schedule?: string;
  /** Demo speed-up of the clock (sim sources); 1 = real time. */
  speed?: number;
  /** Where alerts and tick summaries are printed (the terminal, or the console REPL's print). */
  write: (text: string) => void;
  clock: Clock;
  /**
   * Serve GET /healthz and /metrics on this port (0 = any free one) when no chat adapter serves HTTP (Slack does);
   * undefined = not at all (tests that need no server).
   */
  httpPort?: number;
  httpHost?: string;
  /** The market source; default built from `source` or the config (tests pass one in). */
  market?: MarketSource;
  /**
   * Aborted when a stop is asked for (SIGTERM) before startWatcher returns: the first tick (a whole history, which can
   * take minutes against an exchange) then gets `stopGraceMs` to finish before it is aborted, as `stop` does later.
   */
  stopRequested?: AbortSignal;
  stopGraceMs?: number;
  /**
   * The environment the store is chosen from (DATABASE_URL, PGPASSWORD: src/app/store.ts); default none, so the
   * config's `store.url` decides, else the lowdb files in dataDir. A PostgreSQL store is migrated at boot.
   */
  env?: Record<string, string | undefined>;
}

/** A chat adapter started next to the watcher: its notifier joins the fan-out. */
export interface StartedAdapter {
  name: string;
  notifier: Notifier;
  stop(): Promise<void>;
  /** It serves runtime.ops (/healthz, /metrics) on an HTTP server of its own. */
  servesHttp?: boolean;
}

export interface Running {
  watcher: Watcher;
  store: Store;
  runtime: ChatRuntime;
  clock: Clock;
  metrics: OpsMetrics;
  /** The port of corrwatch's own /healthz and /metrics server, when it runs one. */
  httpPort?: number;
  /**
   * Stop the schedule, let a tick in flight finish for up to `graceMs` (default 30 s); past that, abort it (its market
   * calls reject with SourceError 'aborted', its baskets record the failure) and wait for it a little more (up to
   * 2 s, at most `graceMs`: past that it is left behind, its basket states unsaved). Both are said in the log. Then
   * stop the adapters, close the servers and the store.
   */
  stop(graceMs?: number): Promise<void>;
}

/** One line per basket after each tick, for the terminal. */
export function tickSummary(r: TickReport, timeZone: string = DEFAULT_TIME_ZONE): string {
  const parts = r.baskets.map((b) => `${b.basket}: ${b.error ? b.error : `${b.regime ?? '-'} (+${b.newBars} bars)`}`);
  return `[${formatDateTime(Date.parse(r.at), timeZone)}] ${parts.join(' · ')}${r.delivery.sent ? ` · ${r.delivery.sent} alert(s) sent` : ''}`;
}

/**
 * The composition root of `corrwatch start`: open the store (seeding baskets from config the first time), build
 * the market source, the runtime the chat adapters serve, the notifiers and the watcher; run one tick at once, then
 * on the schedule. `adapters` start the chat platforms whose tokens are set (after the runtime exists). With the store
 * in PostgreSQL the schedule inserts basket-bar jobs that any replica evaluates instead (src/scheduler/basket-jobs.ts),
 * and start returns without waiting for them.
 */
export async function startWatcher(opts: StartOptions, adapters: (runtime: ChatRuntime) => Promise<StartedAdapter[]> = async () => []): Promise<Running> {
  const { config, log } = opts;
  const sourceSpec = opts.source ?? config.market.source;
  const speed = opts.speed ?? (sourceSpec.startsWith('sim:') && opts.schedule ? 34560 : 1);
  const clock = speed === 1 ? opts.clock : acceleratedClock(speed, opts.clock);
  const choice = chooseStore(config, opts.env ?? {});
  const chosen = await createStore(choice, config.store, { migrate: true });
  const store = chosen.store;
  if (chosen.postgres) chosen.postgres.onWarning = (message) => log.warn(message);
  await store.open(seedBaskets(config, clock.now()));
  if (chosen.postgres) {
    const m = chosen.postgres.lastMigration;
    log.info('store: PostgreSQL', { location: store.location, schemaVersion: m?.version, appliedMigrations: m?.applied.map((a) => `${a.version}_${a.name}`) });
  }
  // With the store in PostgreSQL the candle cache is there too, shared by the replicas.
  const market = opts.market ?? buildMarketSource(config, sourceSpec, clock, log, choice);
  // The runtime (and the chat adapters) exist before the watcher; /healthz reads its last tick through this.
  const holder: { watcher?: Watcher } = {};
  const metrics = new OpsMetrics();
  if (chosen.lowdb) {
    chosen.lowdb.onWrite = (bytes, seconds) => metrics.recordStoreWrite(bytes, seconds);
    chosen.lowdb.onBackupError = (e) => log.warn('could not back up the data file; the next write tries again', { error: e });
    chosen.lowdb.onWarning = (message) => log.warn(message);
  }
  // Health is judged in wall-clock time (the demo clock may run thousands of times faster).
  const startedAt = Date.now();
  const health = { lastCompletedAt: undefined as number | undefined, periodMs: 3_600_000, storeError: undefined as { at: number; message: string } | undefined };
  const ops: OpsEndpoints = {
    health: () => healthOf({ now: Date.now(), startedAt, lastCompletedAt: health.lastCompletedAt, periodMs: health.periodMs, version: version(), lastTickAt: holder.watcher?.lastTick?.at, storeError: health.storeError }),
    metrics: () => metrics.text(),
  };
  const threads = queryThreads(config.queries.threads);
  const queries = threads > 0 ? new QueryPool({ config, version: version(), market, store, log, threads }) : undefined;
  const runtime = createRuntime({
    config,
    log,
    clock,
    store,
    market,
    queries,
    charts: chartRenderer,
    version: version(),
    lastTickAt: () => holder.watcher?.lastTick?.at,
    ops,
    onCommand: (command, platform, outcome, seconds) => metrics.recordCommand(command, platform, outcome, seconds),
  });
  let started: StartedAdapter[] = [];
  try {
    started = await adapters(runtime);
  } catch (e) {
    await queries?.close();
    await store.close();
    throw e;
  }
  const chartDir = join(config.dataDir, 'charts');
  const notifiers: Notifier[] = [
    consoleNotifier(opts.write, log, (png, name) => {
      mkdirSync(chartDir, { recursive: true });
      const p = join(chartDir, name);
      writeFileSync(p, png);
      return p;
    }),
    ...started.map((a) => a.notifier),
  ];
  // With replicas on PostgreSQL each outbox round claims what it delivers, named after this replica.
  const claim = choice.kind === 'postgres' ? { owner: `${hostname()}:${process.pid}`, leaseMs: parseDuration(config.replicas.deliveryLease, 'replicas.deliveryLease') } : undefined;
  const w = new Watcher({ store, market, config, clock, log, notifiers, renderAlert: (record) => renderAlertWithChart(store, record, config.display.timezone), onDelivery: (a) => metrics.recordDelivery(a), claim });
  holder.watcher = w;
  const baskets = await store.listBaskets();
  const expression = opts.schedule ?? (config.schedule === 'auto' ? autoSchedule(baskets.length ? baskets.map((b) => b.timeframe) : ['1h']) : config.schedule);
  health.periodMs = await schedulePeriodMs(expression);
  log.info('watcher starting', { baskets: baskets.map((b) => b.name), schedule: expression, source: market.id, speed, adapters: started.map((a) => a.name) });
  const server = started.some((a) => a.servesHttp) || opts.httpPort === undefined ? undefined : await serveOps(ops, opts.httpPort, opts.httpHost, log);
  // Aborted by stop() when the tick in flight outlasts the grace period; every tick's market calls take its signal.
  const shutdown = new AbortController();
  let inFlight: Promise<unknown> | undefined;
  /** Disk full, permissions: the operator's to fix. One line (no stack), counted, and in /healthz; never a market outage. */
  const storeFailed = (e: StoreError, what: string) => {
    log.error(`the store cannot be written; ${what}: ${e.message}`, { code: e.code });
    metrics.recordStoreFailure(e.code);
    health.storeError ??= { at: Date.now(), message: e.message };
  };
  const runTick = async () => {
    const t0 = performance.now();
    const idle = !w.busy;
    const p = w.tick(clock.now(), shutdown.signal);
    if (idle) inFlight = p;
    let r;
    try {
      r = await p;
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      storeFailed(e, "this tick's decisions were not saved and are made again on the next tick");
      return;
    }
    if (r) {
      health.storeError = undefined;
      metrics.recordTick(r, (performance.now() - t0) / 1000);
      health.lastCompletedAt = Date.now();
      opts.write(tickSummary(r, config.display.timezone) + '\n');
    } else {
      // The schedule never overlaps itself (scheduleTicks); this is a tick started some other way meanwhile.
      metrics.recordSkippedTick();
      log.warn('another tick is running; skipped', { at: isoTime(clock.now()) });
    }
  };
  /** After the schedule has stopped: the adapters, the servers and the store. */
  const closeAll = async () => {
    shutdown.abort(new Error('corrwatch is stopping'));
    for (const a of started) await a.stop().catch((e: unknown) => log.warn('adapter stop failed', { adapter: a.name, error: e }));
    await queries?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    // The PostgreSQL candle cache's connections (a market given by the caller is the caller's to close).
    if (!opts.market) await market.close?.().catch((e: unknown) => log.warn('could not close the candle cache', { error: e }));
    await store.close();
  };
  /** What start returns, whichever scheduler runs (only how it stops differs); a stop's grace period defaults to 30 s. */
  const running = (stop: (graceMs: number) => Promise<void>): Running => ({
    watcher: w,
    store,
    runtime,
    clock,
    metrics,
    httpPort: server ? (server.address() as AddressInfo).port : undefined,
    stop: (graceMs = 30_000) => stop(graceMs),
  });
  if (choice.kind === 'postgres') {
    // Replicas (issue 13): basket-bar jobs on pg-boss instead of node-cron ticks; src/scheduler/basket-jobs.ts. Loaded
    // only here: a run on the lowdb files never loads pg-boss.
    const { startBasketJobs } = await import('../scheduler/basket-jobs.js');
    const ms = (text: string, key: string) => parseDuration(text, `replicas.${key}`);
    const jobs = await startBasketJobs({
      connectionString: connectionString(choice.target),
      watcher: w,
      store,
      clock,
      log,
      schedule: expression,
      workers: config.replicas.workers,
      jobTimeoutMs: ms(config.replicas.jobTimeout, 'jobTimeout'),
      pollMs: ms(config.replicas.pollEvery, 'pollEvery'),
      outboxEveryMs: ms(config.replicas.outboxEvery, 'outboxEvery'),
      onEvaluated: (report, seconds, job) => {
        const r = { at: isoTime(job.close), baskets: [report], delivery: { sent: 0, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 } };
        health.storeError = undefined;
        health.lastCompletedAt = Date.now();
        metrics.recordTick(r, seconds);
        opts.write(tickSummary(r, config.display.timezone) + '\n');
      },
      onOutbox: (r) => metrics.recordOutbox(r),
      // This replica's schedule reached the database: alive, whether or not it took a job of that time.
      onEnqueued: () => (health.lastCompletedAt = Date.now()),
      onStoreError: storeFailed,
    });
    return running(async (graceMs) => {
      await jobs.stop(graceMs);
      await closeAll();
    });
  }
  const first = runTick();
  opts.stopRequested?.addEventListener(
    'abort',
    () =>
      void settlesWithin(first, opts.stopGraceMs ?? 30_000).then((done) => {
        if (done) return;
        log.warn('stopping during the first tick, which did not finish in time; aborting it', { graceMs: opts.stopGraceMs ?? 30_000 });
        shutdown.abort(new Error('corrwatch is stopping'));
      }),
    { once: true },
  );
  await first;
  const ticks = scheduleTicks(expression, runTick, log, () => metrics.recordSkippedTick());
  // The outbox also runs between ticks, so a delivery that failed is retried after its backoff (30 s, doubling, at
  // most 10 min) rather than at the next bar, an hour later; alerts.giveUpAfter still bounds how late it may go.
  let outboxRound: Promise<unknown> = Promise.resolve();
  const outbox = setInterval(() => {
    outboxRound = w
      .deliver(clock.now())
      .then((r) => r && metrics.recordOutbox(r))
      .catch((e: unknown) => (e instanceof StoreError ? storeFailed(e, 'the outbox is tried again in 30 s') : log.error('the outbox round failed', { error: e })));
  }, OUTBOX_EVERY_MS);
  outbox.unref();
  return running(async (graceMs) => {
    clearInterval(outbox);
    await ticks.stop();
    await settlesWithin(outboxRound, graceMs);
    if (w.busy && inFlight && !(await settlesWithin(inFlight, graceMs))) {
      log.warn('the tick in flight did not finish in time; aborting it', { graceMs });
      shutdown.abort(new Error('corrwatch is stopping'));
      const abortWaitMs = Math.min(2_000, graceMs);
      if (!(await settlesWithin(inFlight, abortWaitMs))) {
        log.warn('the aborted tick did not stop; stopping without it (what it had not saved is redone on the next start)', { abortWaitMs });
      }
    }
    await closeAll();
  });
}

/** How often the outbox runs between ticks (each delivery still waits out its own backoff). */
const OUTBOX_EVERY_MS = 30_000;

/** Whether `p` settles (either way) within `ms`; the timer is cleared either way. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true as const, () => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * corrwatch's own HTTP server for GET /healthz and /metrics (when no chat adapter serves them). A port already in use
 * is logged and the watcher goes on without it: the endpoints are for an orchestrator, the alerts do not need them.
 */
async function serveOps(ops: OpsEndpoints, port: number, host: string | undefined, log: Logger): Promise<Server | undefined> {
  const server = createServer(opsHandler(ops));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    log.warn('cannot serve /healthz and /metrics; going on without them (set PORT to a free port)', { port, error: (e as Error).message });
    return undefined;
  }
  log.info('serving /healthz and /metrics', { port: (server.address() as AddressInfo).port });
  return server;
}
