import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { storeFilePath } from '../../src/store/paths.js';
import type { NotificationRecord, StoreData } from '../../src/store/types.js';
import { barTime, basket, FakeMarket, Harness, subscribe } from './fakes.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
const JUMP = [
  { from: 0, rho: 0.1, vol: 0.01 },
  { from: 800, rho: 0.85, vol: 0.01 },
  { from: 1000, rho: 0.1, vol: 0.01 },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corrwatch-watcher-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The data file, with the notifications as the outbox file beside it holds them (the last line of each id wins). */
async function onDisk(): Promise<StoreData> {
  const doc = JSON.parse(await readFile(storeFilePath(dir), 'utf8')) as StoreData;
  const lines = (await readFile(join(dir, 'outbox.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as NotificationRecord);
  return { ...doc, notifications: [...new Map(lines.map((n) => [n.id, n])).values()] };
}

describe('Watcher state survives a restart through LowdbStore (a JSON file in a temp dir)', () => {
  it('firing, a pending delivery, restart with a new store instance and watcher: no repeat, the pending one delivered once, resolved threaded', async () => {
    let store = new LowdbStore(dir);
    await store.open([]);
    await store.putBasket(basket('majors', SYMBOLS));
    await subscribe(store, 'majors', 'slack', 'C1');
    await subscribe(store, 'majors', 'slack', 'C2');
    const market = new FakeMarket().addGroup(SYMBOLS, 1400, JUMP, 5);
    const h = new Harness(store, market);
    h.slack.failures.set('C2', [{ ok: false, retryable: true, error: 'rate_limited' }]);

    await h.tickAt(790);
    let k = 791;
    for (; k < 860; k++) if ((await h.tickAt(k)).baskets[0].notifications.length) break;
    expect(k).toBeLessThan(860);
    const firingBar = k - 1;

    // What is on disk now: the policy state, the outbox with one delivery pending.
    let disk = await onDisk();
    expect(disk.runtime.majors.lastBarAt).toBe(barTime(firingBar));
    expect((disk.runtime.majors.alertState as { phase: string; episode: number }).phase).toBe('firing');
    expect(disk.notifications.map((n) => n.id)).toEqual(['majors:1:firing']);
    expect(disk.notifications[0].deliveries['slack:C1'].status).toBe('sent');
    expect(disk.notifications[0].deliveries['slack:C2']).toMatchObject({ status: 'pending', attempts: 1, error: 'rate_limited' });

    // Restart: close the file, open it with a new store instance, build a new watcher (fresh sessions).
    await store.close();
    store = new LowdbStore(dir);
    await store.open([]);
    h.store = store;
    h.watcher = h.newWatcher();
    const r = await h.tickAt(k + 1);
    expect(r.baskets[0].error).toBeUndefined();
    expect(r.baskets[0].notifications).toEqual([]);
    expect(r.delivery).toEqual({ sent: 1, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    disk = await onDisk();
    expect(disk.notifications[0].deliveries['slack:C2']).toMatchObject({ status: 'sent', attempts: 2 });
    expect(h.slack.sent.filter((s) => s.id === 'majors:1:firing').map((s) => s.target).sort()).toEqual(['slack:C1', 'slack:C2']);

    // On to the resolution, with a second restart on the way.
    let resolvedAt: number | undefined;
    for (let j = k + 2; j <= 1200 && resolvedAt === undefined; j += 4) {
      if (j === k + 62) {
        await store.close();
        store = new LowdbStore(dir);
        await store.open([]);
        h.store = store;
        h.watcher = h.newWatcher();
      }
      const t = await h.tickAt(j);
      const notes = t.baskets[0].notifications;
      // An escalation of the episode may come first (it depends on the Markov model); nothing else may.
      expect(notes.every((n) => n === 'resolved' || n === 'escalated')).toBe(true);
      if (notes.includes('resolved')) resolvedAt = j;
    }
    expect(resolvedAt).toBeDefined();
    expect(resolvedAt!).toBeGreaterThan(k + 62);
    const firing = (await store.getNotification('majors:1:firing'))!;
    const resolved = h.slack.sent.filter((s) => s.id === 'majors:1:resolved');
    expect(resolved.map((s) => s.target).sort()).toEqual(['slack:C1', 'slack:C2']);
    for (const s of resolved) expect(s.threadRef).toBe(firing.deliveries[s.target].messageRef);
    expect(h.slack.sent.filter((s) => s.id === 'majors:1:firing')).toHaveLength(2);
    disk = await onDisk();
    expect(disk.notifications.map((n) => n.id).filter((id) => id !== 'majors:1:escalated').sort()).toEqual(['majors:1:firing', 'majors:1:resolved']);
    expect((disk.runtime.majors.alertState as { phase: string }).phase).toBe('inactive');
    await store.close();
  });
});
