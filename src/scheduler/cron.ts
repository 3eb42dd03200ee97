import cron from 'node-cron';
import { timeframeMs } from '../domain/timeframe.js';
import type { Logger } from '../log.js';

/**
 * The cron expression for `schedule: auto`: one minute after each bar of the smallest timeframe closes
 * (5 seconds after for bars under 5 minutes), so each tick sees a freshly closed bar.
 */
export function autoSchedule(timeframes: string[]): string {
  const ms = Math.min(...timeframes.map(timeframeMs));
  const sec = 1000;
  const min = 60 * sec;
  const hour = 60 * min;
  if (ms < min) return `*/${Math.max(1, Math.round(ms / sec))} * * * * *`;
  if (ms < 5 * min) return `5 */${ms / min} * * * *`;
  if (ms < hour) return `1-59/${ms / min} * * * *`;
  if (ms < 24 * hour) return `1 */${ms / hour} * * *`;
  return '1 0 * * *';
}

export interface ScheduledTicks {
  stop(): Promise<void>;
}

/**
 * Run `tick` on a cron schedule. A tick still running when the next is due makes that one skip, with a log line;
 * a failing tick is logged and the schedule goes on.
 */
export function scheduleTicks(expression: string, tick: () => Promise<unknown>, log: Logger): ScheduledTicks {
  let running = false;
  // Bars close on UTC boundaries: read the expression in UTC whatever the host's time zone.
  const task = cron.schedule(expression, async () => {
    if (running) {
      log.warn('previous tick still running; skipping this one', { schedule: expression });
      return;
    }
    running = true;
    try {
      await tick();
    } catch (e) {
      log.error('tick failed', { error: e });
    } finally {
      running = false;
    }
  }, { timezone: 'Etc/UTC' });
  return {
    async stop() {
      await task.stop();
      await task.destroy();
    },
  };
}

/** Whether node-cron accepts the expression (5 fields, or 6 with seconds). */
export function isValidSchedule(expression: string): boolean {
  return cron.validate(expression);
}
