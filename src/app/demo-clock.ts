import type { Clock } from '../domain/ports.js';

/**
 * A clock that runs `speed` times faster than the wall clock from `start` on: for live demos on the simulator,
 * where hourly bars must arrive every fraction of a second for regimes to switch within a minute or two.
 */
export function acceleratedClock(speed: number, base: Clock = { now: () => Date.now() }): Clock {
  const t0 = base.now();
  return { now: () => t0 + (base.now() - t0) * speed };
}
