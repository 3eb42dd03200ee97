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

/**
 * The shortest interval between runs of a cron expression (read in UTC), from its next few runs: the period in
 * which /healthz expects a tick. A task is created (not started) to ask node-cron, then destroyed.
 */
export async function schedulePeriodMs(expression: string, now: Date = new Date()): Promise<number> {
  const task = cron.createTask(expression, () => undefined, { timezone: 'Etc/UTC' });
  try {
    const runs = task.getNextRuns(6).map((d) => d.getTime()).filter((t) => t >= now.getTime());
    let best = Infinity;
    for (let i = 1; i < runs.length; i++) best = Math.min(best, runs[i] - runs[i - 1]);
    return Number.isFinite(best) && best > 0 ? best : 86_400_000;
  } finally {
    await task.destroy();
  }
}

export interface ScheduledTicks {
  stop(): Promise<void>;
}

/**
 * Run `tick` on a cron schedule. A tick still running when the next is due makes that one skip (node-cron's
 * `noOverlap`), with a log line and `onSkip`; a failing tick is logged and the schedule goes on.
 */
export function scheduleTicks(expression: string, tick: () => Promise<unknown>, log: Logger, onSkip: () => void = () => {}): ScheduledTicks {
  // Bars close on UTC boundaries: read the expression in UTC whatever the host's time zone.
  const task = cron.schedule(
    expression,
    async () => {
      try {
        await tick();
      } catch (e) {
        log.error('tick failed', { error: e });
      }
    },
    { timezone: 'Etc/UTC', noOverlap: true },
  );
  task.on('execution:overlap', () => {
    log.warn('previous tick still running; skipping this one', { schedule: expression });
    onSkip();
  });
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
