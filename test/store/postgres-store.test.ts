import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, type StoreOptions } from '../../src/store/index.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { postgresForFile } from '../helpers/postgres.js';
import { audit, basket, notification, pending, point, runtime, sent, subscription } from './builders.js';

// What only the PostgreSQL store has to show (issue 13): several replicas on one database, where the lowdb store
// relied on being the only writer under its lock file; its connection and its values. The behaviour it shares with
// lowdb is in contract.test.ts.

const pgServer = await postgresForFile();

describe.skipIf(!pgServer.server)(`PostgresStore shared by replicas${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
  });

  /** `n` stores on one new database, as `n` replicas would have, each opened. */
  async function replicas(n: number, opts: StoreOptions = {}, seed = [basket('majors')]): Promise<PostgresStore[]> {
    const url = pgServer.server!.url(await pgServer.server!.createDatabase('replicas'));
    const stores = Array.from({ length: n }, () => new PostgresStore({ url }, { ...opts, migrate: true }));
    for (const s of stores) {
      opened.push(s);
      await s.open(seed);
    }
    return stores;
  }

  it("one replica's writes are read by another at once", async () => {
    const [a, b] = await replicas(2);
    await a.putBasket(basket('defi'));
    await a.addSubscription(subscription('defi', 'C1'));
    expect((await b.listBaskets()).map((x) => x.name)).toEqual(['majors', 'defi']);
    expect(await b.listSubscriptions('defi')).toEqual([subscription('defi', 'C1')]);
    expect(await b.deleteBasket('defi')).toBe(true);
    expect(await a.getBasket('defi')).toBeUndefined();
  });

  it('the same notification added by three replicas at once is added once: one gets true', async () => {
    const stores = await replicas(3);
    for (let i = 0; i < 10; i++) {
      const id = `majors:${i}:firing`;
      const results = await Promise.all(stores.map((s, k) => s.addNotification(notification(id, { 'slack:C1': pending }, { payload: { by: k } }))));
      expect(results.filter(Boolean)).toHaveLength(1);
      // The record kept is the one of the replica that got true.
      expect((await stores[0].getNotification(id))!.payload).toEqual({ by: results.indexOf(true) });
    }
    expect(await stores[1].listNotifications()).toHaveLength(10);
  });

  it('acknowledged by two replicas at once: the first acknowledgement is kept and both get the record with it', async () => {
    const [a, b] = await replicas(2);
    for (let i = 0; i < 10; i++) {
      const id = `majors:${i}:firing`;
      await a.addNotification(notification(id));
      const [ra, rb] = await Promise.all([a.acknowledge(id, { by: 'UA', platform: 'slack', at: 1 }), b.acknowledge(id, { by: 'UB', platform: 'discord', at: 2 })]);
      expect(ra!.acknowledged).toEqual(rb!.acknowledged);
      expect(['UA', 'UB']).toContain(ra!.acknowledged!.by);
      expect((await a.getNotification(id))!.acknowledged).toEqual(ra!.acknowledged);
    }
  });

  it('the bound never drops a notification another replica has just made pending again', async () => {
    // maxNotifications 1: every add drops the older records not being delivered. Meanwhile the other replica sets an
    // old record's delivery back to pending and reads it back; when it saw it pending, the record must survive. (A
    // bound deleting in one statement, whose check of the deliveries does not see that change, fails this in most runs.)
    const [adder, retrier] = await replicas(2, { maxNotifications: 1 });
    const survivors: string[] = [];
    for (let i = 0; i < 100; i++) {
      const old = `old:${i}:firing`;
      await adder.addNotification(notification(old, { 'slack:C1': sent }));
      await Promise.all([
        adder.addNotification(notification(`new:${i}:firing`, { 'slack:C1': sent })),
        (async () => {
          await retrier.updateDelivery(old, 'slack:C1', { status: 'pending', attempts: 2 });
          const seen = await retrier.getNotification(old);
          if (seen?.deliveries['slack:C1'].status === 'pending') survivors.push(old);
        })(),
      ]);
    }
    const kept = new Set((await adder.listNotifications()).map((n) => n.id));
    for (const id of survivors) expect(kept.has(id), id).toBe(true);
    // Every pending one is still there; the delivered ones beyond the newest are gone.
    expect((await adder.pendingNotifications()).map((n) => n.id).sort()).toEqual([...survivors].sort());
    expect([...kept].filter((id) => !survivors.includes(id))).toEqual(['new:99:firing']);
  });

  it('putRuntimes from two replicas on the same baskets in opposite orders neither deadlocks nor mixes histories', async () => {
    const [a, b] = await replicas(2);
    const names = Array.from({ length: 20 }, (_, i) => `b${i}`);
    for (let round = 1; round <= 10; round++) {
      const mine = (who: string) => names.map((n) => runtime(n, { alertState: { who }, lastBarAt: round, history: [point(round)] }));
      await Promise.all([a.putRuntimes(mine('a')), b.putRuntimes(mine('b').toReversed())]);
    }
    // Each basket holds one replica's last runtime whole (its alert state and its history agree).
    for (const n of names) {
      const rt = (await a.getRuntime(n))!;
      expect(rt.lastBarAt).toBe(10);
      expect(rt.history).toEqual([point(10)]);
      expect(['a', 'b']).toContain((rt.alertState as { who: string }).who);
    }
  });

  it('commitTick is one transaction: the database failing on the runtimes leaves no record, failing on a record leaves no runtime', async () => {
    const url = pgServer.server!.url(await pgServer.server!.createDatabase('commit'));
    const store = new PostgresStore({ url }, { migrate: true });
    opened.push(store);
    await store.open([basket('majors')]);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`);
      const tick = (episode: number) => ({ runtimes: [runtime('majors', { alertState: { phase: 'firing', episode }, lastBarAt: episode })], notifications: [notification(`majors:${episode}:firing`)] });
      // the runtime's write fails after the record was inserted in the same transaction
      await admin.query(`CREATE TRIGGER refuse_runtime BEFORE UPDATE ON runtimes FOR EACH ROW EXECUTE FUNCTION refuse()`);
      await expect(store.commitTick(tick(1))).rejects.toMatchObject({ code: 'io', message: expect.stringContaining('refused by the test') });
      expect(await store.getNotification('majors:1:firing')).toBeUndefined();
      expect(await store.getRuntime('majors')).toBeUndefined();
      await admin.query('DROP TRIGGER refuse_runtime ON runtimes');
      // a record's write fails (its deliveries): the runtime is not written either
      await admin.query(`CREATE TRIGGER refuse_delivery BEFORE INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION refuse()`);
      await expect(store.commitTick(tick(2))).rejects.toMatchObject({ code: 'io' });
      expect(await store.getRuntime('majors')).toBeUndefined();
      expect(await store.listNotifications()).toEqual([]);
      await admin.query('DROP TRIGGER refuse_delivery ON deliveries');
      // and once the database accepts, both are there
      await store.commitTick(tick(3));
      expect((await store.getRuntime('majors'))!.lastBarAt).toBe(3);
      expect((await store.listNotifications()).map((n) => n.id)).toEqual(['majors:3:firing']);
    } finally {
      await admin.end();
    }
  });

  it('firstSeen: a key is new once across the replicas until it expires, then new again', async () => {
    const [a, b] = await replicas(2);
    const soon = Date.now() + 60_000;
    expect(await a.firstSeen('slack:v0=abc', soon)).toBe(true);
    expect(await b.firstSeen('slack:v0=abc', soon)).toBe(false);
    expect(await a.firstSeen('slack:v0=abc', soon)).toBe(false);
    // the same key given at once by three callers: one gets true
    const at = await Promise.all([a, b, a].map((s) => s.firstSeen('slack:v0=def', soon)));
    expect(at.filter(Boolean)).toHaveLength(1);
    // an expired key is new again
    expect(await a.firstSeen('slack:v0=old', Date.now() - 1)).toBe(true);
    expect(await b.firstSeen('slack:v0=old', soon)).toBe(true);
    expect(await a.firstSeen('slack:v0=old', soon)).toBe(false);
    await expect(a.firstSeen('bad\u0000key', soon)).rejects.toMatchObject({ code: 'invalid' });
  });

  it('audit appended by two replicas at once keeps the newest maxAudit, newest first', async () => {
    const [a, b] = await replicas(2, { maxAudit: 5 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).appendAudit(audit(`x${i}`, undefined, i))));
    expect(await a.listAudit()).toHaveLength(5);
    expect(await b.listAudit()).toEqual(await a.listAudit());
  });
});

describe.skipIf(!pgServer.server)(`PostgresStore connection and values${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  const opened: PostgresStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
  });
  async function database(): Promise<string> {
    return pgServer.server!.url(await pgServer.server!.createDatabase('values'));
  }
  function store(url: string, opts: StoreOptions & { migrate?: boolean } = {}, password?: string): PostgresStore {
    const s = new PostgresStore({ url, password }, { migrate: true, ...opts });
    opened.push(s);
    return s;
  }

  it('its location is the URL without the password; the password can come apart from the URL (PGPASSWORD)', async () => {
    const server = pgServer.server!;
    const url = await database();
    const name = new URL(url).pathname.slice(1);
    const s = store(server.url(name, false), {}, server.password);
    expect(s.location).toBe(`postgres://postgres@127.0.0.1:${server.port}/${name}`);
    expect(s.location).not.toContain(server.password);
    await s.open([basket('majors')]);
    expect((await s.listBaskets()).map((b) => b.name)).toEqual(['majors']);
  });

  it('a wrong password or an unreachable server is a StoreError io naming the database, never the password', async () => {
    const server = pgServer.server!;
    const name = new URL(await database()).pathname.slice(1);
    const wrong = store(server.url(name, false), {}, 'not-the-password');
    const e1 = await wrong.open([]).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(StoreError);
    expect(e1).toMatchObject({ code: 'io', message: expect.stringContaining('password authentication failed') });
    expect((e1 as Error).message).toContain(`postgres://postgres@127.0.0.1:${server.port}/${name}`);
    expect((e1 as Error).message).not.toContain('not-the-password');
    // A port nothing listens on (the server's own port + 1 is not it, and connections are refused at once).
    const closed = store(`postgres://postgres:secret-pw@127.0.0.1:1/${name}`);
    const e2 = await closed.open([]).catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'io', message: expect.stringMatching(/ECONNREFUSED/) });
    expect((e2 as Error).message).not.toContain('secret-pw');
  });

  it('a failing database mid-run: a StoreError io, and the store works again once it is back', async () => {
    const url = await database();
    const s = store(url);
    await s.open([basket('majors')]);
    // Every connection of the store is ended by the server (as by a restart or a failover).
    const admin = new pg.Client({ connectionString: pgServer.server!.url('postgres') });
    await admin.connect();
    const name = new URL(url).pathname.slice(1);
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    const e = await s.putBasket(basket('defi')).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'io', message: expect.stringMatching(/This change was not saved/) });
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    await admin.end();
    await s.putBasket(basket('defi'));
    expect((await s.listBaskets()).map((b) => b.name)).toEqual(['majors', 'defi']);
  });

  it('refuses a text PostgreSQL cannot hold (NUL, a lone surrogate) as StoreError invalid; looking one up finds nothing', async () => {
    const s = store(await database());
    await s.open([]);
    await expect(s.putBasket(basket('a\0b'))).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('basket.name: it holds a NUL character') });
    await expect(s.addSubscription(subscription('majors', 'C\ud800'))).rejects.toMatchObject({ code: 'invalid' });
    expect(await s.getBasket('a\0b')).toBeUndefined();
    expect(await s.deleteBasket('a\0b')).toBe(false);
    // Inside a JSON value any string is fine, as in the lowdb files.
    await s.addNotification(notification('m:1:firing', {}, { payload: { text: 'nul \0 and lone \ud800' } }));
    expect((await s.getNotification('m:1:firing'))!.payload).toEqual({ text: 'nul \0 and lone \ud800' });
  });

  it('bounds lowered in the config apply at the next open, as lowdb applies them at load', async () => {
    const url = await database();
    const first = store(url);
    await first.open([]);
    for (let i = 1; i <= 5; i++) {
      await first.appendAudit(audit('x', undefined, i));
      await first.addNotification(notification(`m:${i}:firing`, { 'slack:C1': i === 1 ? pending : sent }));
    }
    await first.putRuntime(runtime('majors', { history: [1, 2, 3, 4].map((at) => point(at)) }));
    await first.close();
    const again = store(url, { maxAudit: 2, maxNotifications: 2, maxHistory: 2 });
    await again.open([]);
    expect((await again.listAudit()).map((a) => a.at)).toEqual([5, 4]);
    expect((await again.listNotifications()).map((n) => n.id)).toEqual(['m:5:firing', 'm:4:firing', 'm:1:firing']);
    expect((await again.getRuntime('majors'))!.history.map((p) => p.at)).toEqual([3, 4]);
    // The next tick continues the bounded history.
    await again.putRuntime(runtime('majors', { history: [3, 4, 5].map((at) => point(at)) }));
    expect((await again.getRuntime('majors'))!.history.map((p) => p.at)).toEqual([4, 5]);
  });
});
