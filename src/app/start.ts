import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertReply } from '../alerts/alert-reply.js';
import { consoleNotifier } from '../alerts/console-notifier.js';
import type { Notifier } from '../alerts/notifier.js';
import { chartRenderer } from '../chart/index.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../domain/ports.js';
import { isoTime } from '../domain/timeframe.js';
import type { Logger } from '../log.js';
import { autoSchedule, scheduleTicks } from '../scheduler/cron.js';
import { Watcher, type TickReport } from '../scheduler/watcher.js';
import { LowdbStore } from '../store/lowdb-store.js';
import type { NotificationRecord, Store } from '../store/types.js';
import { seedBaskets } from './baskets.js';
import { acceleratedClock } from './demo-clock.js';
import { buildMarketSource } from './market.js';
import { createRuntime, type ChatRuntime } from './runtime.js';
import { version } from './version.js';

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
}

/** A chat adapter started next to the watcher: its notifier joins the fan-out. */
export interface StartedAdapter {
  name: string;
  notifier: Notifier;
  stop(): Promise<void>;
}

export interface Running {
  watcher: Watcher;
  store: Store;
  runtime: ChatRuntime;
  clock: Clock;
  stop(): Promise<void>;
}

/** One line per basket after each tick, for the terminal. */
export function tickSummary(r: TickReport): string {
  const parts = r.baskets.map((b) => `${b.basket}: ${b.error ? b.error : `${b.regime ?? '-'} (+${b.newBars} bars)`}`);
  return `[${r.at}] ${parts.join(' · ')}${r.delivery.sent ? ` · ${r.delivery.sent} alert(s) sent` : ''}`;
}

/** The regime chart for an alert, from the basket's recent history in the store. */
async function renderAlertWithChart(store: Store, record: NotificationRecord) {
  const rt = await store.getRuntime(record.basket);
  const points = (rt?.history ?? []).filter((p) => p.at <= record.at).slice(-500);
  if (points.length < 2) return alertReply(record);
  const chart = await chartRenderer.regime({
    timestamps: points.map((p) => p.at),
    avgCorrelation: points.map((p) => p.avgCorrelation),
    regimes: points.map((p) => p.regime),
    basket: record.basket,
    title: `${record.basket}: average correlation and regime`,
  });
  return alertReply(record, chart);
}

/**
 * The composition root of `corrwatch start`: open the store (seeding baskets from config the first time), build
 * the market source, the runtime the chat adapters serve, the notifiers and the watcher; run one tick at once, then
 * on the schedule. `adapters` start the chat platforms whose tokens are set (after the runtime exists).
 */
export async function startWatcher(opts: StartOptions, adapters: (runtime: ChatRuntime) => Promise<StartedAdapter[]> = async () => []): Promise<Running> {
  const { config, log } = opts;
  const sourceSpec = opts.source ?? config.market.source;
  const speed = opts.speed ?? (sourceSpec.startsWith('sim:') && opts.schedule ? 34560 : 1);
  const clock = speed === 1 ? opts.clock : acceleratedClock(speed, opts.clock);
  const store = new LowdbStore(config.dataDir);
  await store.open(seedBaskets(config, clock.now()));
  const market = buildMarketSource(config, sourceSpec, clock, log);
  // The runtime (and the chat adapters) exist before the watcher; /healthz reads its last tick through this.
  const holder: { watcher?: Watcher } = {};
  const runtime = createRuntime({
    config,
    log,
    clock,
    store,
    market,
    charts: chartRenderer,
    version: version(),
    lastTickAt: () => holder.watcher?.lastTick?.at,
  });
  let started: StartedAdapter[] = [];
  try {
    started = await adapters(runtime);
  } catch (e) {
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
  const w = new Watcher({ store, market, config, clock, log, notifiers, renderAlert: (record) => renderAlertWithChart(store, record) });
  holder.watcher = w;
  const baskets = await store.listBaskets();
  const expression = opts.schedule ?? (config.schedule === 'auto' ? autoSchedule(baskets.length ? baskets.map((b) => b.timeframe) : ['1h']) : config.schedule);
  log.info('watcher starting', { baskets: baskets.map((b) => b.name), schedule: expression, source: market.id, speed, adapters: started.map((a) => a.name) });
  const runTick = async () => {
    const r = await w.tick(clock.now());
    if (r) opts.write(tickSummary(r) + '\n');
    else log.warn('previous tick still running; skipped', { at: isoTime(clock.now()) });
  };
  await runTick();
  const ticks = scheduleTicks(expression, runTick, log);
  return {
    watcher: w,
    store,
    runtime,
    clock,
    async stop() {
      await ticks.stop();
      while (w.busy) await new Promise((r) => setTimeout(r, 50));
      for (const a of started) await a.stop().catch((e: unknown) => log.warn('adapter stop failed', { adapter: a.name, error: e }));
      await store.close();
    },
  };
}
