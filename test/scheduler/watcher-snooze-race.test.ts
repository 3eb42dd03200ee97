import { describe, expect, it } from 'vitest';
import { initialAlertState, parseAlertState, snoozeUntil } from '../../src/alerts/policy.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { basket, FakeMarket, Harness, HOUR, nowAfter } from './fakes.js';

describe('Watcher and a snooze made while a tick runs', () => {
  it('keeps the snooze an admin set during the tick (the tick does not write back its stale copy)', async () => {
    const store = new MemoryStore();
    await store.open([basket('majors', ['A', 'B', 'C'])]);
    const market = new FakeMarket().addGroup(['A', 'B', 'C'], 600, [{ from: 0, rho: 0.3, vol: 0.01 }], 7);
    const h = new Harness(store, market);
    await h.tickAt(300); // the basket has runtime state now
    market.available = 400;
    market.hold();
    const tick = h.tickAt(320);
    // While the tick waits on the exchange, an admin snoozes the basket (as `alerts snooze` does).
    await market.parked;
    const until = nowAfter(320) + 4 * HOUR;
    const rt = await store.getRuntime('majors');
    expect(rt).toBeDefined();
    await store.putRuntime({ ...rt!, alertState: snoozeUntil(parseAlertState(rt!.alertState ?? initialAlertState()), until) });
    market.release();
    await tick;
    const after = await store.getRuntime('majors');
    expect(parseAlertState(after!.alertState).snoozedUntil).toBe(until);
    expect(after!.lastTickAt).toBe(nowAfter(320));
  });
});
