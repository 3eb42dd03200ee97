import { describe, expect, it } from 'vitest';
import { SlackReplayGuard } from '../../../src/adapters/slack/replay-guard.js';

describe('SlackReplayGuard', () => {
  const T = 1_700_000_000; // seconds
  const at = (sec: number) => () => sec * 1000;

  it('refuses a signature seen before within the window, and forgets it once the window after its timestamp is over', () => {
    let now = T;
    const guard = new SlackReplayGuard({ now: () => now * 1000 });
    expect(guard.check(String(T), 'v0=aaa')).toEqual({ ok: true });
    now = T + 2;
    expect(guard.check(String(T), 'v0=aaa')).toEqual({ ok: false, reason: 'replayed' });
    expect(guard.check(String(T + 2), 'v0=bbb')).toEqual({ ok: true });
    now = T + 301;
    // Bolt refuses it as stale now; the guard no longer needs to remember it.
    expect(guard.check(String(T + 301), 'v0=ccc')).toEqual({ ok: true });
    expect(guard.size).toBe(2);
  });

  it('refuses a timestamp more than the skew ahead of the clock, accepts one within it', () => {
    const guard = new SlackReplayGuard({ now: at(T), skewSeconds: 60 });
    expect(guard.check(String(T + 6 * 60), 'v0=1')).toEqual({ ok: false, reason: 'future_timestamp' });
    expect(guard.check(String(T + 61), 'v0=2')).toEqual({ ok: false, reason: 'future_timestamp' });
    expect(guard.check(String(T + 60), 'v0=3')).toEqual({ ok: true });
  });

  it('lets requests without the headers through (Bolt refuses them with its own message)', () => {
    const guard = new SlackReplayGuard({ now: at(T) });
    expect(guard.check(undefined, 'v0=1')).toEqual({ ok: true });
    expect(guard.check('soon', 'v0=1')).toEqual({ ok: true });
    expect(guard.check(String(T), undefined)).toEqual({ ok: true });
    expect(guard.check(String(T), undefined)).toEqual({ ok: true });
  });

  it('remembers at most maxRemembered signatures, forgetting the oldest', () => {
    const guard = new SlackReplayGuard({ now: at(T), maxRemembered: 3 });
    for (const s of ['a', 'b', 'c', 'd']) expect(guard.check(String(T), s)).toEqual({ ok: true });
    expect(guard.size).toBe(3);
    expect(guard.check(String(T), 'd')).toEqual({ ok: false, reason: 'replayed' });
    expect(guard.check(String(T), 'a')).toEqual({ ok: true });
  });
});
