import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { autoSchedule, isValidSchedule, scheduleTicks } from '../../src/scheduler/cron.js';
import { capturingLogger } from './fakes.js';

/**
 * A naive cron field matcher (independent of node-cron): `*`, `*∕n`, `a`, `a-b`, `a-b/n` and comma lists.
 * 5 fields are minute hour dom month dow (second 0); 6 fields start with the second.
 */
function fieldMatches(field: string, value: number, min: number, max: number): boolean {
  return field.split(',').some((part) => {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range.includes('-')) [lo, hi] = range.split('-').map(Number);
    else [lo, hi] = stepText === undefined ? [Number(range), Number(range)] : [Number(range), max];
    return value >= lo && value <= hi && (value - lo) % step === 0;
  });
}

/** Seconds of one UTC day (0 .. 86399) at which the expression fires, read as UTC. */
function firesInDay(expression: string): number[] {
  const f = expression.trim().split(/\s+/);
  const [sec, min, hour, dom, mon, dow] = f.length === 6 ? f : ['0', ...f];
  expect([dom, mon, dow]).toEqual(['*', '*', '*']); // every day
  const out: number[] = [];
  for (let s = 0; s < 86400; s++) {
    if (fieldMatches(sec, s % 60, 0, 59) && fieldMatches(min, Math.floor(s / 60) % 60, 0, 59) && fieldMatches(hour, Math.floor(s / 3600), 0, 23)) out.push(s);
  }
  return out;
}

const SECONDS: Record<string, number> = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '4h': 14400, '1d': 86400 };

describe('autoSchedule: one tick per bar, just after the bar closes', () => {
  for (const [tf, barSec] of Object.entries(SECONDS)) {
    // Bars under 5 minutes: 5 seconds after the close; otherwise one minute after.
    const offset = barSec < 300 ? 5 : 60;
    it(`${tf}: fires at every bar close + ${offset}s of a day and at no other second`, () => {
      const expr = autoSchedule([tf]);
      expect(isValidSchedule(expr)).toBe(true);
      const want: number[] = [];
      for (let s = 0; s < 86400; s++) if (s % barSec === offset) want.push(s);
      expect(firesInDay(expr)).toEqual(want);
      expect(want.length).toBe(86400 / barSec);
    });
  }

  it('several timeframes: the smallest decides', () => {
    expect(autoSchedule(['4h', '15m', '1d'])).toBe(autoSchedule(['15m']));
    expect(autoSchedule(['1d', '1h'])).toBe(autoSchedule(['1h']));
  });

  // BUG (src/scheduler/cron.ts, scheduleTicks: `cron.schedule(expression, ...)` without a `timezone`): node-cron
  // reads the expression in the process's local time zone, while bars are aligned to UTC. On a host not in UTC
  // the ticks drift from the bar closes: with TZ=Asia/Kolkata (UTC+5:30) a 1d basket ticks at 18:31 UTC (18.5 h
  // after its bar closed), a 4h basket at 02:31, 06:31... UTC (2.5 h late), a 1h basket at :31. Fix: pass
  // `{ timezone: 'Etc/UTC' }` to cron.schedule (and say in config/default.yaml that `schedule` is read in UTC).
  for (const tz of ['UTC', 'Asia/Kolkata', 'America/New_York']) {
    it(`the scheduled ticks follow UTC bar closes whatever the host time zone (TZ=${tz})`, async () => {
      const script = join(import.meta.dirname, 'next-runs.ts');
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, '1h', '4h', '1d'], {
        cwd: join(import.meta.dirname, '..', '..'),
        env: { ...process.env, TZ: tz },
        timeout: 30_000,
      });
      const runs = JSON.parse(stdout) as Record<string, number[]>;
      // Seconds after the UTC bar open of each of the next 6 ticks: 60 (one minute after the close) every time.
      const offsets = Object.fromEntries(['1h', '4h', '1d'].map((tf) => [tf, runs[tf].map((t) => (t / 1000) % SECONDS[tf])]));
      const sixty = [60, 60, 60, 60, 60, 60];
      expect(offsets).toEqual({ '1h': sixty, '4h': sixty, '1d': sixty });
    });
  }
});

describe('isValidSchedule', () => {
  it.each([
    ['1 * * * *', true],
    ['*/5 * * * * *', true],
    ['1-59/15 * * * *', true],
    ['0 0 * * 1', true],
    ['61 * * * *', false],
    ['* * * *', false],
    ['every hour', false],
    ['', false],
  ])('%j -> %s', (expr, ok) => {
    expect(isValidSchedule(expr)).toBe(ok);
  });
});

/** Wait (bounded) until `cond` holds; throws if it never does. */
async function until(cond: () => boolean, what: string, maxMs = 5000): Promise<void> {
  for (let waited = 0; !cond(); waited += 20) {
    if (waited > maxMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('scheduleTicks', () => {
  it('skips a tick while the previous one is still running (logged), never runs two at once, and goes on after', async () => {
    const log = capturingLogger();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    let running = 0;
    let maxRunning = 0;
    const before = new Set(cron.getTasks().keys());
    const ticks = scheduleTicks(
      '* * * * * *',
      async () => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        try {
          if (calls === 1) await gate; // the first tick is slow: it outlasts the next second's tick
        } finally {
          running--;
        }
      },
      log,
    );
    const created = [...cron.getTasks().keys()].filter((id) => !before.has(id));
    try {
      await until(() => log.lines.some((l) => l.level === 'warn' && l.msg.includes('skipping')), 'a skipped tick');
      expect(calls).toBe(1);
      release();
      await until(() => calls >= 2, 'the next tick after the slow one');
      expect(maxRunning).toBe(1);
      expect(log.lines.find((l) => l.msg.includes('skipping'))!.ctx).toEqual({ schedule: '* * * * * *' });
    } finally {
      release();
      await ticks.stop();
    }
    // stop() removes the task from node-cron.
    expect(created).toHaveLength(1);
    expect(cron.getTasks().has(created[0])).toBe(false);
  });

  it('a failing tick is logged and the schedule goes on', async () => {
    const log = capturingLogger();
    let calls = 0;
    const ticks = scheduleTicks(
      '* * * * * *',
      async () => {
        calls++;
        if (calls === 1) throw new Error('tick exploded');
      },
      log,
    );
    try {
      await until(() => calls >= 2, 'a second tick after a failing one');
      const failed = log.lines.filter((l) => l.msg === 'tick failed');
      expect(failed).toHaveLength(1);
      expect(failed[0].level).toBe('error');
      expect((failed[0].ctx!.error as Error).message).toBe('tick exploded');
    } finally {
      await ticks.stop();
    }
  });
});
