import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertReply } from '../alerts/alert-reply.js';
import { consoleNotifier } from '../alerts/console-notifier.js';
import type { Notifier } from '../alerts/notifier.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../domain/ports.js';
import type { Logger } from '../log.js';
import { autoSchedule, scheduleTicks } from '../scheduler/cron.js';
import { Watcher, type TickReport } from '../scheduler/watcher.js';
import { LowdbStore } from '../store/lowdb-store.js';
import type { Store } from '../store/types.js';
import { seedBaskets } from './baskets.js';
import { acceleratedClock } from './demo-clock.js';
import { buildMarketSource } from './market.js';

export interface StartOptions {
  config: Config;
  log: Logger;
  source?: string;
  schedule?: string;
  /** Demo speed-up of the clock (sim sources); 1 = real time. */
  speed?: number;
  write: (text: string) => void;
  clock: Clock;
}

export interface Running {
  watcher: Watcher;
  store: Store;
  stop(): Promise<void>;
}

/** One line per basket after each tick, for the terminal. */
export function tickSummary(r: TickReport): string {
  const parts = r.baskets.map((b) => `${b.basket}: ${b.error ? b.error : `${b.regime ?? '-'} (+${b.newBars} bars)`}`);
  return `[${r.at}] ${parts.join(' · ')}${r.delivery.sent ? ` · ${r.delivery.sent} alert(s) sent` : ''}`;
}

/**
 * The composition root of `corrwatch start`: open the store (seeding baskets from config the first time), build
 * the market source, the notifiers and the watcher, run one tick at once, then on the schedule.
 */
export async function startWatcher(opts: StartOptions, extraNotifiers: Notifier[] = []): Promise<Running> {
  const { config, log } = opts;
  const sourceSpec = opts.source ?? config.market.source;
  const speed = opts.speed ?? (sourceSpec.startsWith('sim:') && opts.schedule ? 8640 : 1);
  const clock = speed === 1 ? opts.clock : acceleratedClock(speed, opts.clock);
  const store = new LowdbStore(config.dataDir);
  await store.open(seedBaskets(config, clock.now()));
  const market = buildMarketSource(config, sourceSpec, clock, log);
  const chartDir = join(config.dataDir, 'charts');
  const notifiers: Notifier[] = [
    consoleNotifier(opts.write, log, (png, name) => {
      mkdirSync(chartDir, { recursive: true });
      const p = join(chartDir, name);
      writeFileSync(p, png);
      return p;
    }),
    ...extraNotifiers,
  ];
  const watcher = new Watcher({ store, market, config, clock, log, notifiers, renderAlert: async (record) => alertReply(record) });
  const baskets = await store.listBaskets();
  const expression = opts.schedule ?? (config.schedule === 'auto' ? autoSchedule(baskets.length ? baskets.map((b) => b.timeframe) : ['1h']) : config.schedule);
  log.info('watcher starting', { baskets: baskets.map((b) => b.name), schedule: expression, source: market.id, speed });
  const runTick = async () => {
    const r = await watcher.tick(clock.now());
    if (r) opts.write(tickSummary(r) + '\n');
    else log.warn('previous tick still running; skipped');
  };
  await runTick();
  const ticks = scheduleTicks(expression, runTick, log);
  return {
    watcher,
    store,
    async stop() {
      await ticks.stop();
      while (watcher.busy) await new Promise((r) => setTimeout(r, 50));
      await store.close();
    },
  };
}
