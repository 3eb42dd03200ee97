import { describe, expect, it } from 'vitest';
import { alertReply } from '../../src/alerts/alert-reply.js';
import { mulberry32 } from '../../src/domain/random.js';
import { Watcher } from '../../src/scheduler/watcher.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { RegimePoint, Store } from '../../src/store/types.js';
import { barTime, basket, capturingLogger, config, FakeMarket, nowAfter } from './fakes.js';

// Replicas taking a basket in turn (issue 13): Watcher.evaluateBasket, as the PostgreSQL scheduler's basket-bar jobs
// call it, on whichever replica took the job. The detector is sequential; every replica rebuilds it from the replay
// origin the store keeps, so the basket's history and alerts are those of one process that never stopped: bar for
// bar, number for number. (The jobs, the locks and PostgreSQL are in basket-jobs.test.ts; processes in
// test/reliability/replicas.test.ts.)

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
/** Three episodes of high correlation over 2,400 hourly bars. */
const SEGMENTS = [
  { from: 0, rho: 0.1, vol: 0.01 },
  { from: 800, rho: 0.85, vol: 0.01 },
  { from: 950, rho: 0.1, vol: 0.01 },
  { from: 1400, rho: 0.8, vol: 0.012 },
  { from: 1550, rho: 0.1, vol: 0.01 },
  { from: 2000, rho: 0.85, vol: 0.01 },
  { from: 2150, rho: 0.1, vol: 0.01 },
];
const FIRST = 700;
const LAST = 2300;

const market = new FakeMarket().addGroup(SYMBOLS, 2400, SEGMENTS, 11);

async function openStore(): Promise<Store> {
  // A short history kept (copies of a long one would be most of the test's time): `run` collects every point.
  const store = new MemoryStore({ maxHistory: 20 });
  await store.open([]);
  await store.putBasket(basket('majors', SYMBOLS));
  return store;
}

function watcher(store: Store): Watcher {
  return new Watcher({ store, market, config, clock: { now: () => 0 }, log: capturingLogger(), notifiers: [], renderAlert: async (r) => alertReply(r) });
}

/** Every regime point the basket's evaluations added, in order, however many the store keeps. */
class Points {
  readonly all: RegimePoint[] = [];
  async collect(store: Store): Promise<void> {
    const last = this.all.length ? this.all[this.all.length - 1].at : -Infinity;
    this.all.push(...(await store.getRuntime('majors'))!.history.filter((p) => p.at > last));
  }
}

/**
 * What the basket left: every point of its history, its alert state, and every notification decided, whole but for
 * the absorption ratio (returned separately): its eigenvector iteration is warm-started from the bars computed with
 * per-pair detail (the newest of each evaluation), so it agrees to about 1e-12, not to the last bit.
 */
async function outcome(store: Store, points: Points) {
  const rt = (await store.getRuntime('majors'))!;
  const records = (await store.listNotifications()).reverse();
  const notifications = records.map(({ id, at, kind, episode, payload: { absorptionRatio: _ar, ...payload } }) => ({ id, at, kind, episode, payload }));
  return { history: points.all, alertState: rt.alertState, lastBarAt: rt.lastBarAt, notifications, absorption: records.map((r) => r.payload.absorptionRatio as number | undefined) };
}

describe('Watcher.evaluateBasket: replicas taking a basket in turn', () => {
  it('give the history and alerts of one process evaluating every bar, however the bars are dealt out, through restarts and a new replay origin', async () => {
    const single = await openStore();
    const one = watcher(single);
    const evaluated: number[] = [];
    const singlePoints = new Points();
    for (let k = FIRST; k <= LAST; k++) {
      const r = await one.evaluateBasket('majors', nowAfter(k));
      evaluated.push(...(r?.evaluatedBars ?? []));
      await singlePoints.collect(single);
    }
    const { absorption, ...reference } = await outcome(single, singlePoints);
    // About something: episodes fired and resolved, and the replay origin moved on once (REPLAY_RESTART_FACTOR).
    expect(reference.notifications.map((n) => n.kind)).toEqual(expect.arrayContaining(['firing', 'resolved']));
    expect(reference.notifications.filter((n) => n.kind === 'firing').length).toBeGreaterThanOrEqual(2);
    // Each bar once, in order: the first evaluation replays silently to bar FIRST − 1, then one new bar each time.
    expect(evaluated).toEqual([...new Set(evaluated)].sort((a, b) => a - b));
    expect(evaluated[evaluated.length - 1]).toBe(barTime(LAST - 1));

    const shared = await openStore();
    const replicas = [watcher(shared), watcher(shared), watcher(shared)];
    const rand = mulberry32(7);
    const origins = new Set<number>();
    let restarts = 0;
    const sharedPoints = new Points();
    for (let k = FIRST; k <= LAST; k++) {
      const i = Math.floor(rand() * replicas.length);
      // Now and then a replica is restarted: a new process with no detector in memory.
      if (rand() < 0.01) {
        replicas[i] = watcher(shared);
        restarts++;
      }
      await replicas[i].evaluateBasket('majors', nowAfter(k));
      await sharedPoints.collect(shared);
      origins.add(((await shared.getRuntime('majors'))!.model as { replay: { from: number } }).replay.from);
    }
    expect(restarts).toBeGreaterThan(5);
    expect(origins.size).toBe(2);
    const { absorption: sharedAbsorption, ...replicated } = await outcome(shared, sharedPoints);
    expect(replicated).toEqual(reference);
    // Points of every bar evaluated (the first evaluation's replay is kept as the store's last 20 only).
    expect(replicated.history.map((p) => p.at)).toEqual(evaluated.slice(evaluated.length - replicated.history.length));
    expect(replicated.history.length).toBeGreaterThan(LAST - FIRST);
    sharedAbsorption.forEach((a, i) => (a === undefined ? expect(absorption[i]).toBeUndefined() : expect(a).toBeCloseTo(absorption[i]!, 9)));
  }, 60_000);

  it('without the shared origin (each replica replaying from where it started, as `tick` does) the detectors disagree', async () => {
    const single = await openStore();
    const one = watcher(single);
    const a = new Points();
    for (let k = FIRST; k <= 1100; k++) {
      await one.tick(nowAfter(k));
      await a.collect(single);
    }
    const shared = await openStore();
    const replicas = [watcher(shared), watcher(shared), watcher(shared)];
    const rand = mulberry32(7);
    const b = new Points();
    // Replicas that first see the basket at different bars replay from different origins.
    for (let k = FIRST; k <= 1100; k++) {
      await replicas[k < FIRST + 100 ? 0 : Math.floor(rand() * 3)].tick(nowAfter(k));
      await b.collect(shared);
    }
    expect(b.all.map((p) => p.at)).toEqual(a.all.map((p) => p.at));
    expect(b.all.map((p) => p.z)).not.toEqual(a.all.map((p) => p.z));
  }, 60_000);
});
