import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LowdbStore, MemoryStore, StoreError, type Store, type StoreOptions } from '../../src/store/index.js';
import { migrate, PostgresStore } from '../../src/store/postgres/index.js';
import pgLib from 'pg';
import { postgresForFile } from '../helpers/postgres.js';
import { audit, basket, failed, notification, pending, point, runtime, sent, subscription } from './builders.js';
import { tempDir } from './temp-dirs.js';

/** How the contract suite gets stores of one implementation. */
interface StoreHarness {
  /** A new store on empty data, not yet opened. */
  create(opts?: StoreOptions): Promise<Store>;
  /** Close `store` and return a store (not yet opened) on the same data, as after a restart. */
  reopen(store: Store, opts?: StoreOptions): Promise<Store>;
  /**
   * Another store (not yet opened) on the same data while `store` stays open, as a second process has (memory: the
   * same one). Undefined where one process cannot open the data twice (lowdb: lowdb-store-processes.test.ts has it).
   */
  twin?(store: Store): Promise<Store>;
}

const pg = await postgresForFile();
/** The URL each PostgreSQL store of this file was made for (a restart opens a new instance on the same database). */
const pgUrls = new WeakMap<Store, string>();
/** A database migrated once, which each store's database is copied from (postgres-migrate.test.ts tests migrating). */
let pgTemplate: Promise<string> | undefined;
async function migratedTemplate(): Promise<string> {
  pgTemplate ??= (async () => {
    const name = await pg.server!.createDatabase('contract_template');
    const pool = new pgLib.Pool({ connectionString: pg.server!.url(name) });
    await migrate(pool);
    await pool.end();
    return name;
  })();
  return pgTemplate;
}

const backends: { name: string; unavailable?: string; harness: StoreHarness }[] = [
  {
    name: 'MemoryStore',
    harness: {
      create: async (opts) => new MemoryStore(opts),
      // Closing and opening the same instance again is how a MemoryStore "restarts".
      reopen: async (store) => {
        await store.close();
        return store;
      },
      twin: async (store) => store,
    },
  },
  {
    name: 'LowdbStore',
    harness: {
      create: async (opts) => new LowdbStore(await tempDir(), opts),
      // A new instance on the same directory: only what reached the files survives.
      reopen: async (store, opts) => {
        await store.close();
        return new LowdbStore(dirname(store.location), opts);
      },
    },
  },
  {
    name: 'PostgresStore',
    unavailable: pg.reason,
    harness: {
      // A database of its own for each store, a copy of a migrated one (opened with migrate: true, as start does).
      create: async (opts) => {
        const url = pg.server!.url(await pg.server!.createDatabase('contract', await migratedTemplate()));
        const store = new PostgresStore({ url }, { ...opts, migrate: true });
        pgUrls.set(store, url);
        return store;
      },
      // A new instance on the same database: only what was committed survives.
      reopen: async (store, opts) => {
        await store.close();
        const url = pgUrls.get(store)!;
        const again = new PostgresStore({ url }, opts);
        pgUrls.set(again, url);
        return again;
      },
      twin: async (store) => new PostgresStore({ url: pgUrls.get(store)! }),
    },
  },
];

/**
 * The behaviour every Store implementation must have, one suite run on each backend: the in-memory store of the
 * other modules' tests, the embedded lowdb files and PostgreSQL (issue 13). Backend-specific behaviour (lowdb's file
 * format, compaction and corruption; PostgreSQL's replicas and migrations) has its own files.
 */
for (const { name, unavailable, harness } of backends) {
  describe.skipIf(unavailable !== undefined)(unavailable ? `${name} (skipped: ${unavailable})` : name, () => {
    storeContract(name, harness);
  });
}

function storeContract(name: string, given: StoreHarness): void {
  // Every store a test makes is closed after it (a PostgreSQL store holds connections).
  const made: Store[] = [];
  const harness: StoreHarness = {
    create: async (opts) => keep(await given.create(opts)),
    reopen: async (store, opts) => keep(await given.reopen(store, opts)),
    ...(given.twin ? { twin: async (store: Store) => keep(await given.twin!(store)) } : {}),
  };
  function keep(store: Store): Store {
    made.push(store);
    return store;
  }
  afterEach(async () => {
    await Promise.all(made.splice(0).map((s) => s.close().catch(() => undefined)));
  });

  async function opened(opts?: StoreOptions, seed = [basket('majors')]): Promise<Store> {
    const store = await harness.create(opts);
    await store.open(seed);
    return store;
  }

  describe(`${name}: opening and seeding`, () => {
    it('seeds the baskets on first open', async () => {
      const store = await opened(undefined, [basket('majors'), basket('defi', { symbols: ['UNI/USDT', 'AAVE/USDT'] })]);
      expect((await store.listBaskets()).map((b) => b.name)).toEqual(['majors', 'defi']);
      expect(await store.getBasket('defi')).toEqual(basket('defi', { symbols: ['UNI/USDT', 'AAVE/USDT'] }));
    });

    it('seeds only once: a deleted seeded basket does not come back, a new seed basket is not added', async () => {
      let store = await opened(undefined, [basket('majors'), basket('defi')]);
      expect(await store.deleteBasket('majors')).toBe(true);
      store = await harness.reopen(store);
      await store.open([basket('majors'), basket('defi'), basket('memes')]);
      expect((await store.listBaskets()).map((b) => b.name)).toEqual(['defi']);
    });

    it('refuses calls before open and after close', async () => {
      const store = await harness.create();
      await expect(store.listBaskets()).rejects.toThrow(/not open: call open\(\) first/);
      await store.open([]);
      await store.close();
      await expect(store.putBasket(basket('x'))).rejects.toThrow(/not open/);
    });

    it('keeps every kind of data across close and re-open', async () => {
      let store = await opened();
      await store.putBasket(basket('defi'));
      await store.addSubscription(subscription('majors', 'C1'));
      await store.putRuntime(runtime('majors', { model: { weights: [0.1, 0.2] }, lastBarAt: 9, lastTickAt: 10, lastError: { at: 10, message: 'boom' } }));
      await store.addNotification(notification('majors:1:firing', { 'slack:C1': sent, 'discord:D1': pending }));
      await store.acknowledge('majors:1:firing', { by: 'U1', platform: 'slack', at: 11 });
      await store.appendAudit(audit('basket.create', 'defi'));
      const before = await everything(store);
      store = await harness.reopen(store);
      await store.open([basket('ignored')]);
      expect(await everything(store)).toEqual(before);
      expect(before.runtime?.lastError).toEqual({ at: 10, message: 'boom' });
    });
  });

  describe(`${name}: baskets`, () => {
    it('inserts, replaces by name in place, and reports unknown names as undefined', async () => {
      const store = await opened();
      await store.putBasket(basket('defi'));
      await store.putBasket(basket('majors', { window: '30d' }));
      expect((await store.listBaskets()).map((b) => [b.name, b.window])).toEqual([['majors', '30d'], ['defi', '7d']]);
      expect(await store.getBasket('nope')).toBeUndefined();
    });

    it('hands out copies and keeps its own copy of what it was given', async () => {
      const store = await opened();
      const input = basket('defi');
      const put = store.putBasket(input);
      input.symbols.push('MUTATED');
      await put;
      const got = await store.getBasket('defi');
      got!.symbols.push('ALSO_MUTATED');
      (await store.listBaskets())[0].thresholds.enterZ = 99;
      expect(await store.getBasket('defi')).toEqual(basket('defi'));
      expect((await store.getBasket('majors'))!.thresholds.enterZ).toBe(2);
    });

    it('deleting a basket removes its subscriptions and runtime, keeps notifications and audit', async () => {
      const store = await opened(undefined, [basket('majors'), basket('defi')]);
      await store.addSubscription(subscription('majors', 'C1'));
      await store.addSubscription(subscription('defi', 'C1'));
      await store.putRuntime(runtime('majors'));
      await store.putRuntime(runtime('defi'));
      await store.addNotification(notification('majors:1:firing'));
      await store.appendAudit(audit('basket.set', 'majors'));
      expect(await store.deleteBasket('majors')).toBe(true);
      expect(await store.deleteBasket('majors')).toBe(false);
      expect(await store.getBasket('majors')).toBeUndefined();
      expect(await store.listSubscriptions()).toEqual([subscription('defi', 'C1')]);
      expect(await store.getRuntime('majors')).toBeUndefined();
      expect(await store.getRuntime('defi')).toEqual(runtime('defi'));
      expect((await store.listNotifications()).map((n) => n.id)).toEqual(['majors:1:firing']);
      expect(await store.listAudit({ basket: 'majors' })).toHaveLength(1);
    });
  });

  describe(`${name}: changing a basket`, () => {
    it('changeBasket applies the change to the basket stored at the write and returns it; a new name creates one', async () => {
      const store = await opened();
      const seen: unknown[] = [];
      const changed = await store.changeBasket('majors', (b) => {
        seen.push(b && b.symbols);
        return { ...b!, symbols: [...b!.symbols, 'SOL'] };
      });
      expect(seen).toEqual([basket('majors').symbols]);
      expect(changed.symbols).toEqual([...basket('majors').symbols, 'SOL']);
      expect(await store.getBasket('majors')).toEqual(changed);
      const created = await store.changeBasket('defi', (b) => {
        expect(b).toBeUndefined();
        return basket('defi');
      });
      expect(created).toEqual(basket('defi'));
      expect((await store.listBaskets()).map((b) => b.name)).toEqual(['majors', 'defi']);
    });

    it('a change that throws stores nothing and its error comes out as thrown; a change renaming the basket is refused', async () => {
      const store = await opened();
      class Refusal extends Error {
        code = 'basket_exists';
      }
      await expect(store.changeBasket('majors', () => {
        throw new Refusal('no');
      })).rejects.toBeInstanceOf(Refusal);
      await expect(store.changeBasket('majors', (b) => ({ ...b!, name: 'other' }))).rejects.toMatchObject({ name: 'StoreError', code: 'invalid' });
      await expect(store.changeBasket('majors', (b) => ({ ...b!, window: Number.NaN as unknown as string }))).rejects.toMatchObject({ name: 'StoreError', code: 'invalid' });
      expect(await store.getBasket('majors')).toEqual(basket('majors'));
      expect(await store.getBasket('other')).toBeUndefined();
    });

    it.skipIf(!given.twin)('changes of one basket from two processes at once all land (each sees the one before); two creating one name: one wins', async () => {
      const a = await opened();
      const b = await harness.twin!(a);
      await b.open([]);
      const added = Array.from({ length: 12 }, (_, i) => `S${i}`);
      await Promise.all(added.map((sym, i) => (i % 2 ? a : b).changeBasket('majors', (cur) => ({ ...cur!, symbols: [...cur!.symbols, sym] }))));
      expect([...(await a.getBasket('majors'))!.symbols].sort()).toEqual([...basket('majors').symbols, ...added].sort());
      const outcomes = await Promise.allSettled(
        [a, b, a, b].map((s, i) =>
          s.changeBasket('defi', (cur) => {
            if (cur) throw new Error('exists');
            return { ...basket('defi'), createdBy: `admin${i}` };
          }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.message)).toEqual(['exists', 'exists', 'exists']);
    });
  });

  describe(`${name}: subscriptions`, () => {
    it('adds once per (basket, platform, channel), lists by basket, removes', async () => {
      const store = await opened(undefined, [basket('majors'), basket('defi')]);
      expect(await store.addSubscription(subscription('majors', 'C1'))).toBe(true);
      expect(await store.addSubscription(subscription('majors', 'C1', { createdBy: 'slack:U2' }))).toBe(false);
      expect(await store.addSubscription(subscription('majors', 'C1', { platform: 'discord' }))).toBe(true);
      expect(await store.addSubscription(subscription('defi', 'C1'))).toBe(true);
      expect(await store.listSubscriptions('majors')).toEqual([subscription('majors', 'C1'), subscription('majors', 'C1', { platform: 'discord' })]);
      expect(await store.listSubscriptions()).toHaveLength(3);
      expect(await store.removeSubscription('majors', 'slack', 'C1')).toBe(true);
      expect(await store.removeSubscription('majors', 'slack', 'C1')).toBe(false);
      expect(await store.removeSubscription('majors', 'discord', 'C2')).toBe(false);
      expect(await store.listSubscriptions('majors')).toEqual([subscription('majors', 'C1', { platform: 'discord' })]);
    });
  });

  describe(`${name}: runtime`, () => {
    it('round-trips, drops undefined fields, and does not find inherited names', async () => {
      const store = await opened();
      expect(await store.getRuntime('majors')).toBeUndefined();
      expect(await store.getRuntime('toString')).toBeUndefined();
      const rt = runtime('majors', { model: { mu: [0.1, 0.5], sigma: [[1, 0], [0, 1]] }, lastBarAt: 3, lastError: undefined });
      await store.putRuntime(rt);
      const got = await store.getRuntime('majors');
      expect(got).toEqual(rt);
      expect(got).not.toHaveProperty('lastError');
      await store.putRuntime({ ...rt, alertState: { phase: 'firing', episode: 2 } });
      expect((await store.getRuntime('majors'))!.alertState).toEqual({ phase: 'firing', episode: 2 });
    });

    it('putRuntimes saves several baskets in one write, each bounded as putRuntime does', async () => {
      const store = await opened({ maxHistory: 2 });
      await store.putRuntime(runtime('defi', { lastBarAt: 1 }));
      await store.putRuntimes([runtime('majors', { history: [1, 2, 3].map((at) => point(at)) }), runtime('defi', { lastBarAt: 7 })]);
      expect((await store.getRuntime('majors'))!.history.map((p) => p.at)).toEqual([2, 3]);
      expect((await store.getRuntime('defi'))!.lastBarAt).toBe(7);
      await store.putRuntimes([]);
      expect((await store.getRuntime('defi'))!.lastBarAt).toBe(7);
    });

    it('putRuntimes with merge: each runtime written is merge(the one stored at the write, the one given); history kept when merge keeps it', async () => {
      const store = await opened();
      await store.putRuntime(runtime('majors', { alertState: { phase: 'idle', episode: 0, snoozedUntil: 99 }, history: [1, 2, 3].map((at) => point(at)), lastBarAt: 3 }));
      const seen: unknown[] = [];
      // a writer that read before the snooze was set keeps the stored snooze (the watcher's merge)
      await store.putRuntimes([runtime('majors', { alertState: { phase: 'firing', episode: 1, snoozedUntil: null }, history: [1, 2, 3, 4].map((at) => point(at)), lastBarAt: 4 }), runtime('defi', { lastBarAt: 1 })], (stored, next) => {
        seen.push(stored?.alertState ?? null);
        return stored ? { ...next, alertState: { ...(next.alertState as object), snoozedUntil: (stored.alertState as { snoozedUntil: number }).snoozedUntil } } : next;
      });
      expect(seen).toContainEqual({ phase: 'idle', episode: 0, snoozedUntil: 99 });
      const m = (await store.getRuntime('majors'))!;
      expect(m.alertState).toEqual({ phase: 'firing', episode: 1, snoozedUntil: 99 });
      expect(m.history.map((p) => p.at)).toEqual([1, 2, 3, 4]);
      expect((await store.getRuntime('defi'))!.lastBarAt).toBe(1);
      // a change of one field from the stored runtime (an admin's snooze) leaves its history and the rest as stored
      await store.putRuntimes([runtime('majors')], (stored) => ({ ...stored!, alertState: { ...(stored!.alertState as object), snoozedUntil: 123 } }));
      const after = (await store.getRuntime('majors'))!;
      expect(after.alertState).toEqual({ phase: 'firing', episode: 1, snoozedUntil: 123 });
      expect(after.history.map((p) => p.at)).toEqual([1, 2, 3, 4]);
      expect(after.lastBarAt).toBe(4);
    });

    it('putRuntimes with one invalid runtime saves none of them', async () => {
      const store = await opened();
      await expect(store.putRuntimes([runtime('majors', { lastBarAt: 5 }), runtime('defi', { lastBarAt: NaN })])).rejects.toMatchObject({ code: 'invalid' });
      expect(await store.getRuntime('majors')).toBeUndefined();
    });

    it('commitTick stores the records and the runtimes together; a record whose id is stored stays as it was', async () => {
      const store = await opened();
      await store.addNotification(notification('majors:1:firing', {}, { payload: { first: true } }));
      await store.putRuntime(runtime('majors', { alertState: { phase: 'idle', episode: 0, snoozedUntil: 99 } }));
      await store.commitTick({
        runtimes: [runtime('majors', { alertState: { phase: 'firing', episode: 2, snoozedUntil: null }, lastBarAt: 9, history: [point(9)] }), runtime('defi', { lastBarAt: 9 })],
        notifications: [notification('majors:1:firing', {}, { payload: { again: true } }), notification('majors:2:firing'), notification('defi:1:firing')],
        merge: (stored, next) => (stored ? { ...next, alertState: { ...(next.alertState as object), snoozedUntil: (stored.alertState as { snoozedUntil: number }).snoozedUntil } } : next),
      });
      const reopened = await harness.reopen(store);
      await reopened.open([]);
      expect((await reopened.getNotification('majors:1:firing'))!.payload).toEqual({ first: true });
      expect((await reopened.listNotifications()).map((n) => n.id)).toEqual(['defi:1:firing', 'majors:2:firing', 'majors:1:firing']);
      expect((await reopened.getRuntime('majors'))!.alertState).toEqual({ phase: 'firing', episode: 2, snoozedUntil: 99 });
      expect((await reopened.getRuntime('majors'))!.history.map((p) => p.at)).toEqual([9]);
      expect((await reopened.getRuntime('defi'))!.lastBarAt).toBe(9);
      // nothing to write is no write, and records alone (no runtime) are stored
      await reopened.commitTick({ runtimes: [], notifications: [] });
      await reopened.commitTick({ runtimes: [], notifications: [notification('defi:2:firing')] });
      expect(await reopened.getNotification('defi:2:firing')).toEqual(notification('defi:2:firing'));
    });

    it('commitTick with one invalid record or runtime stores nothing of it', async () => {
      const store = await opened();
      await expect(store.commitTick({ runtimes: [runtime('majors', { lastBarAt: 5 })], notifications: [notification('majors:1:firing', {}, { at: NaN })] })).rejects.toMatchObject({ code: 'invalid' });
      await expect(store.commitTick({ runtimes: [runtime('majors', { lastBarAt: NaN })], notifications: [notification('majors:1:firing')] })).rejects.toMatchObject({ code: 'invalid' });
      expect(await store.getRuntime('majors')).toBeUndefined();
      expect(await store.getNotification('majors:1:firing')).toBeUndefined();
    });

    it('keeps only the newest maxHistory points', async () => {
      const store = await opened({ maxHistory: 3 });
      await store.putRuntime(runtime('majors', { history: [1, 2, 3, 4, 5].map((at) => point(at)) }));
      expect((await store.getRuntime('majors'))!.history.map((p) => p.at)).toEqual([3, 4, 5]);
    });

    it('keeps 2000 points by default', async () => {
      const store = await opened();
      await store.putRuntime(runtime('majors', { history: Array.from({ length: 2001 }, (_, i) => point(i)) }));
      const history = (await store.getRuntime('majors'))!.history;
      expect(history).toHaveLength(2000);
      expect(history[0].at).toBe(1);
    });
  });

  describe(`${name}: notifications`, () => {
    it('adds once per id (the first record stays), gets by id', async () => {
      const store = await opened();
      expect(await store.addNotification(notification('majors:1:firing'))).toBe(true);
      expect(await store.addNotification(notification('majors:1:firing', {}, { payload: { other: true } }))).toBe(false);
      expect(await store.getNotification('majors:1:firing')).toEqual(notification('majors:1:firing'));
      expect(await store.getNotification('majors:9:firing')).toBeUndefined();
    });

    it('lists pending ones (any delivery not sent, failed included) oldest first', async () => {
      const store = await opened();
      await store.addNotification(notification('majors:1:firing', { 'slack:C1': sent, 'discord:D1': failed }));
      await store.addNotification(notification('majors:1:resolved', { 'slack:C1': sent }));
      await store.addNotification(notification('defi:1:firing', { 'slack:C1': sent, 'slack:C2': pending }));
      await store.addNotification(notification('defi:2:firing', {}));
      expect((await store.pendingNotifications()).map((n) => n.id)).toEqual(['majors:1:firing', 'defi:1:firing']);
    });

    it('lists newest first, by basket, with a limit', async () => {
      const store = await opened();
      for (const id of ['majors:1:firing', 'defi:1:firing', 'majors:1:resolved', 'majors:2:firing']) await store.addNotification(notification(id));
      expect((await store.listNotifications()).map((n) => n.id)).toEqual(['majors:2:firing', 'majors:1:resolved', 'defi:1:firing', 'majors:1:firing']);
      expect((await store.listNotifications('majors', 2)).map((n) => n.id)).toEqual(['majors:2:firing', 'majors:1:resolved']);
      expect(await store.listNotifications('majors', 0)).toEqual([]);
      expect(await store.listNotifications('nope')).toEqual([]);
    });

    it('updates one delivery (a sent record leaves the pending list); an unknown id changes nothing', async () => {
      const store = await opened();
      await store.addNotification(notification('majors:1:firing', { 'slack:C1': pending, 'discord:D1': pending }));
      await store.updateDelivery('majors:1:firing', 'slack:C1', sent);
      expect((await store.getNotification('majors:1:firing'))!.deliveries).toEqual({ 'slack:C1': sent, 'discord:D1': pending });
      await store.updateDelivery('majors:1:firing', 'discord:D1', { status: 'sent', attempts: 2 });
      expect(await store.pendingNotifications()).toEqual([]);
      await store.updateDelivery('majors:1:firing', 'console:console', pending);
      expect(Object.keys((await store.getNotification('majors:1:firing'))!.deliveries)).toEqual(['slack:C1', 'discord:D1', 'console:console']);
      const before = await store.listNotifications();
      await store.updateDelivery('majors:7:firing', 'slack:C1', sent);
      expect(await store.listNotifications()).toEqual(before);
    });

    it('acknowledges once (the first acknowledgement stays) and returns a copy', async () => {
      const store = await opened();
      await store.addNotification(notification('majors:1:firing'));
      const ack = { by: 'U1', platform: 'slack' as const, at: 100 };
      const got = await store.acknowledge('majors:1:firing', ack);
      expect(got).toEqual({ ...notification('majors:1:firing'), acknowledged: ack });
      got!.acknowledged!.by = 'MUTATED';
      expect((await store.acknowledge('majors:1:firing', { by: 'U2', platform: 'discord', at: 200 }))!.acknowledged).toEqual(ack);
      expect((await store.getNotification('majors:1:firing'))!.acknowledged).toEqual(ack);
      expect(await store.acknowledge('majors:9:firing', ack)).toBeUndefined();
    });

    it('hands out copies', async () => {
      const store = await opened();
      await store.addNotification(notification('majors:1:firing'));
      const [mine] = await store.pendingNotifications();
      mine.deliveries['slack:C1'].status = 'sent';
      mine.payload.regime = 'calm';
      expect(await store.getNotification('majors:1:firing')).toEqual(notification('majors:1:firing'));
    });

    it('keeps the newest maxNotifications plus every older one still being delivered (pending); a given-up one goes', async () => {
      const store = await opened({ maxNotifications: 2 });
      await store.addNotification(notification('a:1:firing', { 'slack:C1': sent }));
      await store.addNotification(notification('b:1:firing', { 'slack:C1': pending }));
      await store.addNotification(notification('c:1:firing', { 'slack:C1': sent }));
      await store.addNotification(notification('d:1:firing', { 'slack:C1': failed }));
      // a: old and delivered -> dropped; b: old but pending -> kept; c, d: the newest two -> kept.
      expect((await store.listNotifications()).map((n) => n.id)).toEqual(['d:1:firing', 'c:1:firing', 'b:1:firing']);
      await store.updateDelivery('b:1:firing', 'slack:C1', sent);
      await store.addNotification(notification('e:1:firing', { 'slack:C1': sent }));
      // Now b is delivered, so only the newest two and the undelivered d remain.
      expect((await store.listNotifications()).map((n) => n.id)).toEqual(['e:1:firing', 'd:1:firing']);
      // d was given up (failed): once it is no longer among the newest two, it goes like a delivered one.
      await store.addNotification(notification('f:1:firing', { 'slack:C1': sent }));
      expect((await store.listNotifications()).map((n) => n.id)).toEqual(['f:1:firing', 'e:1:firing']);
    });
  });

  describe(`${name}: audit`, () => {
    it('appends, lists newest first, by basket, with a limit', async () => {
      const store = await opened();
      await store.appendAudit(audit('basket.create', 'defi', 1));
      await store.appendAudit(audit('alerts.subscribe', 'majors', 2));
      await store.appendAudit(audit('config.reload', undefined, 3));
      expect((await store.listAudit()).map((a) => a.at)).toEqual([3, 2, 1]);
      expect(await store.listAudit({ basket: 'majors' })).toEqual([audit('alerts.subscribe', 'majors', 2)]);
      expect((await store.listAudit({ limit: 2 })).map((a) => a.at)).toEqual([3, 2]);
    });

    it('keeps 10000 by default and the newest maxAudit when set', async () => {
      const unbounded = await opened();
      const bounded = await opened({ maxAudit: 2 });
      for (let at = 1; at <= 30; at++) {
        await unbounded.appendAudit(audit('x', undefined, at));
        await bounded.appendAudit(audit('x', undefined, at));
      }
      expect(await unbounded.listAudit()).toHaveLength(30);
      expect((await bounded.listAudit()).map((a) => a.at)).toEqual([30, 29]);
    });
  });

  describe(`${name}: values JSON cannot hold`, () => {
    it('rejects them with StoreError invalid naming the field, and changes nothing', async () => {
      const store = await opened();
      await store.putRuntime(runtime('majors'));
      const bad = store.putRuntime(runtime('majors', { history: [point(1, { z: NaN })] }));
      await expect(bad).rejects.toBeInstanceOf(StoreError);
      await expect(bad).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('runtime.history[0].z is NaN') });
      await expect(store.addNotification(notification('m:1:firing', {}, { payload: { when: new Date(0) } }))).rejects.toMatchObject({
        code: 'invalid',
        message: expect.stringContaining('notification.payload.when is a Date'),
      });
      const missing = { ...basket('defi'), symbols: undefined } as unknown as Parameters<Store['putBasket']>[0];
      await expect(store.putBasket(missing)).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('basket.symbols') });
      expect(await store.getRuntime('majors')).toEqual(runtime('majors'));
      expect(await store.getNotification('m:1:firing')).toBeUndefined();
      expect(await store.getBasket('defi')).toBeUndefined();
    });
  });

  describe(`${name}: concurrent writes`, () => {
    it('applies 50 concurrent mutations without losing one, also after re-open', async () => {
      let store = await opened();
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 50; i++) {
        if (i % 3 === 0) writes.push(store.appendAudit(audit(`a${i}`, undefined, i)));
        else if (i % 3 === 1) writes.push(store.addSubscription(subscription('majors', `C${i}`)));
        else writes.push(store.putBasket(basket(`b${i}`)));
      }
      await Promise.all(writes);
      const counts = async (s: Store) => [(await s.listAudit()).length, (await s.listSubscriptions()).length, (await s.listBaskets()).length];
      expect(await counts(store)).toEqual([17, 17, 17]);
      store = await harness.reopen(store);
      await store.open([]);
      expect(await counts(store)).toEqual([17, 17, 17]);
    });

    it('each call sees the writes called before it, awaited or not, and none called after it', async () => {
      const store = await opened();
      const put = store.putBasket(basket('defi'));
      const listed = store.listBaskets();
      const deleted = store.deleteBasket('defi');
      const after = store.getBasket('defi');
      await put;
      expect((await listed).map((b) => b.name)).toEqual(['majors', 'defi']);
      expect(await deleted).toBe(true);
      expect(await after).toBeUndefined();
    });
  });

  describe(`${name}: order and fields kept`, () => {
    it('a basket deleted and created again, and a subscription removed and added again, go to the end of their lists', async () => {
      const store = await opened(undefined, [basket('majors'), basket('defi')]);
      await store.deleteBasket('majors');
      await store.putBasket(basket('majors', { window: '30d' }));
      expect((await store.listBaskets()).map((b) => b.name)).toEqual(['defi', 'majors']);
      await store.addSubscription(subscription('majors', 'C1'));
      await store.addSubscription(subscription('majors', 'C2'));
      await store.removeSubscription('majors', 'slack', 'C1');
      await store.addSubscription(subscription('majors', 'C1'));
      expect((await store.listSubscriptions('majors')).map((s) => s.channelId)).toEqual(['C2', 'C1']);
    });

    it('keeps fields it does not know, and the order of every key, through a restart', async () => {
      let store = await opened();
      const b = { ...basket('defi'), note: 'hand-written' } as ReturnType<typeof basket>;
      const record = notification('majors:1:firing', { 'discord:D1': { ...pending, extra: 1 } as typeof pending, 'slack:C1': sent }, {
        payload: { z: 1, a: { y: [1, 'two', null], b: true } },
        acknowledged: { by: 'U1', platform: 'slack', at: 3 },
      });
      await store.putBasket(b);
      await store.addNotification(record);
      await store.putRuntime(runtime('majors', { model: { b: 1, a: 2 }, lastBarAt: 2 }));
      const read = async (s: Store) => [await s.getBasket('defi'), await s.getNotification('majors:1:firing'), await s.getRuntime('majors')].map((v) => JSON.stringify(v));
      const before = await read(store);
      // Known fields come out in the schema's order (src/store/schema.ts), the others as given.
      expect(before.slice(0, 2)).toEqual([JSON.stringify(b), JSON.stringify(record)]);
      store = await harness.reopen(store);
      await store.open([]);
      expect(await read(store)).toEqual(before);
    });

    it('an acknowledgement given with the record is the one kept', async () => {
      const store = await opened();
      const ack = { by: 'U1', platform: 'slack' as const, at: 3 };
      await store.addNotification(notification('majors:1:firing', { 'slack:C1': pending }, { acknowledged: ack }));
      expect((await store.acknowledge('majors:1:firing', { by: 'U2', platform: 'discord', at: 4 }))!.acknowledged).toEqual(ack);
      expect((await store.pendingNotifications()).map((n) => n.acknowledged)).toEqual([ack]);
    });

    it('audit entries are listed in the order they were appended, whatever their time', async () => {
      const store = await opened();
      await store.appendAudit(audit('late', 'majors', 300));
      await store.appendAudit(audit('early', 'majors', 100));
      await store.appendAudit(audit('other', 'defi', 200));
      expect((await store.listAudit()).map((a) => a.action)).toEqual(['other', 'early', 'late']);
      expect((await store.listAudit({ basket: 'majors', limit: 1 })).map((a) => a.action)).toEqual(['early']);
    });

    it('limits: a fraction is rounded down, a negative or NaN gives none, Infinity gives all', async () => {
      const store = await opened();
      for (const id of ['a:1:firing', 'b:1:firing', 'c:1:firing']) await store.addNotification(notification(id));
      for (const at of [1, 2, 3]) await store.appendAudit(audit('x', undefined, at));
      const ids = async (limit: number) => (await store.listNotifications(undefined, limit)).map((n) => n.id);
      const ats = async (limit: number) => (await store.listAudit({ limit })).map((a) => a.at);
      expect(await ids(1.9)).toEqual(['c:1:firing']);
      expect(await ids(-1)).toEqual([]);
      expect(await ids(NaN)).toEqual([]);
      expect(await ids(Infinity)).toEqual(['c:1:firing', 'b:1:firing', 'a:1:firing']);
      expect(await ats(2.5)).toEqual([3, 2]);
      expect(await ats(-3)).toEqual([]);
      expect(await ats(Infinity)).toEqual([3, 2, 1]);
    });
  });

  describe(`${name}: regime history across ticks`, () => {
    it('a history that grows tick by tick keeps its newest maxHistory points, also after a restart', async () => {
      let store = await opened({ maxHistory: 4 });
      let history = [point(1), point(2)];
      await store.putRuntime(runtime('majors', { history }));
      for (let at = 3; at <= 7; at++) {
        // As the watcher does: the stored history, plus the new bar's point.
        history = [...(await store.getRuntime('majors'))!.history, point(at, { z: at })];
        await store.putRuntimes([runtime('majors', { history, lastBarAt: at })]);
      }
      const expected = [point(4, { z: 4 }), point(5, { z: 5 }), point(6, { z: 6 }), point(7, { z: 7 })];
      expect((await store.getRuntime('majors'))!.history).toEqual(expected);
      store = await harness.reopen(store, { maxHistory: 4 });
      await store.open([]);
      expect(await store.getRuntime('majors')).toEqual(runtime('majors', { history: expected, lastBarAt: 7 }));
    });

    it('a history that does not continue the stored one replaces it; an empty one clears it', async () => {
      let store = await opened();
      await store.putRuntime(runtime('majors', { history: [point(1), point(2), point(3)] }));
      // Newer points only (the stored ones are gone), then a longer past than was stored: each replaces the history.
      await store.putRuntime(runtime('majors', { history: [point(10), point(11)] }));
      expect((await store.getRuntime('majors'))!.history.map((p) => p.at)).toEqual([10, 11]);
      await store.putRuntime(runtime('majors', { history: [point(8), point(9), point(10), point(11), point(12)] }));
      expect((await store.getRuntime('majors'))!.history.map((p) => p.at)).toEqual([8, 9, 10, 11, 12]);
      await store.putRuntime(runtime('defi', { history: [point(1)] }));
      await store.putRuntime(runtime('defi', { history: [] }));
      store = await harness.reopen(store);
      await store.open([]);
      expect((await store.getRuntime('majors'))!.history.map((p) => p.at)).toEqual([8, 9, 10, 11, 12]);
      expect((await store.getRuntime('defi'))!.history).toEqual([]);
    });

    it('putRuntimes with the same basket twice keeps the last', async () => {
      const store = await opened();
      await store.putRuntimes([runtime('majors', { lastBarAt: 1, history: [point(1)] }), runtime('majors', { lastBarAt: 2, history: [point(1), point(2)] })]);
      expect(await store.getRuntime('majors')).toEqual(runtime('majors', { lastBarAt: 2, history: [point(1), point(2)] }));
    });
  });
}

async function everything(store: Store) {
  return {
    baskets: await store.listBaskets(),
    subscriptions: await store.listSubscriptions(),
    runtime: await store.getRuntime('majors'),
    notifications: await store.listNotifications(),
    audit: await store.listAudit(),
  };
}
