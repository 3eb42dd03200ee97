import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/index.js';
import { migrate, MIGRATIONS, PostgresStore } from '../../src/store/postgres/index.js';
import { postgresForFile } from '../helpers/postgres.js';
import { basket, notification, pending, sent } from './builders.js';

// Claims on deliveries (issue 13, replicas delivering from one outbox; migration 3): a pending delivery is taken by
// one outbox round at a time, given back when its outcome is recorded, and free again when the round's lease lapses
// (its process died). The outbox's use of them is in test/scheduler/fanout-claims.test.ts.

const pgServer = await postgresForFile();

describe.skipIf(!pgServer.server)(`PostgresStore delivery claims${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
  });

  /** `n` stores on one new database (as `n` replicas have), opened, with one notification pending to C1 and C2. */
  async function replicas(n: number): Promise<PostgresStore[]> {
    const url = pgServer.server!.url(await pgServer.server!.createDatabase('claims'));
    const stores = Array.from({ length: n }, () => new PostgresStore({ url }, { migrate: true }));
    for (const s of stores) {
      opened.push(s);
      await s.open([basket('majors')]);
    }
    await stores[0].addNotification(notification('majors:1:firing', { 'slack:C1': pending, 'slack:C2': pending }));
    return stores;
  }

  const lease = (owner: string, leaseMs = 60_000) => ({ owner, leaseMs });

  it('a pending delivery is claimed by one owner until it is released; the claim survives updates of the delivery', async () => {
    const [a, b] = await replicas(2);
    expect(await a.claimDelivery('majors:1:firing', 'slack:C1', lease('a#1'))).toEqual(pending);
    expect(await b.claimDelivery('majors:1:firing', 'slack:C1', lease('b#1'))).toBeUndefined();
    // The owner itself cannot take it twice either (two rounds of one replica have different owners anyway).
    expect(await a.claimDelivery('majors:1:firing', 'slack:C1', lease('a#1'))).toBeUndefined();
    // The other target is free.
    expect(await b.claimDelivery('majors:1:firing', 'slack:C2', lease('b#1'))).toEqual(pending);
    // The in-flight mark written before a send keeps the claim.
    const marked = { ...pending, inFlight: true, lastAttemptAt: 5 };
    await a.updateDelivery('majors:1:firing', 'slack:C1', marked);
    expect(await b.claimDelivery('majors:1:firing', 'slack:C1', lease('b#2'))).toBeUndefined();
    // Another owner's release changes nothing; the owner's frees it, and the next claim sees the delivery as stored.
    await b.releaseDelivery('majors:1:firing', 'slack:C1', 'b#2');
    expect(await b.claimDelivery('majors:1:firing', 'slack:C1', lease('b#3'))).toBeUndefined();
    await a.releaseDelivery('majors:1:firing', 'slack:C1', 'a#1');
    expect(await b.claimDelivery('majors:1:firing', 'slack:C1', lease('b#4'))).toEqual(marked);
  });

  it('a sent, given-up or unknown delivery cannot be claimed', async () => {
    const [a] = await replicas(1);
    await a.updateDelivery('majors:1:firing', 'slack:C1', sent);
    await a.updateDelivery('majors:1:firing', 'slack:C2', { status: 'failed', attempts: 1, error: 'channel_not_found' });
    expect(await a.claimDelivery('majors:1:firing', 'slack:C1', lease('a'))).toBeUndefined();
    expect(await a.claimDelivery('majors:1:firing', 'slack:C2', lease('a'))).toBeUndefined();
    expect(await a.claimDelivery('majors:1:firing', 'slack:C3', lease('a'))).toBeUndefined();
    expect(await a.claimDelivery('nope:1:firing', 'slack:C1', lease('a'))).toBeUndefined();
    await expect(a.claimDelivery('majors:1:firing', 'slack:C1', lease('a', 0))).rejects.toThrow(StoreError);
  });

  it('a claim whose owner never released it lapses after its lease (the process died), on the database clock', async () => {
    const [a, b] = await replicas(2);
    expect(await a.claimDelivery('majors:1:firing', 'slack:C1', lease('a#1', 300))).toEqual(pending);
    expect(await b.claimDelivery('majors:1:firing', 'slack:C1', lease('b#1'))).toBeUndefined();
    // Wait on the database until the lease is over (its clock decides, not this process's).
    const pool = new pg.Pool({ connectionString: pgServer.server!.url(dbName(a)) });
    try {
      for (const deadline = Date.now() + 10_000; ; ) {
        const r = await pool.query<{ free: boolean }>("SELECT claimed_until <= clock_timestamp() AS free FROM deliveries WHERE target = 'slack:C1'");
        if (r.rows[0].free) break;
        if (Date.now() > deadline) throw new Error('the lease never lapsed');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await pool.end();
    }
    expect(await b.claimDelivery('majors:1:firing', 'slack:C1', lease('b#2'))).toEqual(pending);
    // The late owner's release does not free the new claim.
    await a.releaseDelivery('majors:1:firing', 'slack:C1', 'a#1');
    expect(await a.claimDelivery('majors:1:firing', 'slack:C1', lease('a#2'))).toBeUndefined();
  });

  it("renewing extends the owner's own claim only, and only while it holds it", async () => {
    const [a, b] = await replicas(2);
    const pool = new pg.Pool({ connectionString: pgServer.server!.url(dbName(a)) });
    const secondsLeft = async () => Number((await pool.query<{ s: number }>("SELECT extract(epoch FROM claimed_until - clock_timestamp()) AS s FROM deliveries WHERE target = 'slack:C1'")).rows[0].s);
    try {
      expect(await a.claimDelivery('majors:1:firing', 'slack:C1', lease('a#1', 1_000))).toEqual(pending);
      expect(await secondsLeft()).toBeLessThanOrEqual(1);
      expect(await a.renewDelivery('majors:1:firing', 'slack:C1', lease('a#1', 120_000))).toBe(true);
      expect(await secondsLeft()).toBeGreaterThan(100);
      // another owner renews nothing, and an unknown delivery is not renewed
      expect(await b.renewDelivery('majors:1:firing', 'slack:C1', lease('b#1', 1))).toBe(false);
      expect(await secondsLeft()).toBeGreaterThan(100);
      expect(await a.renewDelivery('majors:1:firing', 'slack:C9', lease('a#1'))).toBe(false);
      // released, or recorded as sent: nothing left to renew
      await a.releaseDelivery('majors:1:firing', 'slack:C1', 'a#1');
      expect(await a.renewDelivery('majors:1:firing', 'slack:C1', lease('a#1'))).toBe(false);
      expect(await b.claimDelivery('majors:1:firing', 'slack:C2', lease('b#2'))).toEqual(pending);
      await b.updateDelivery('majors:1:firing', 'slack:C2', sent);
      expect(await b.renewDelivery('majors:1:firing', 'slack:C2', lease('b#2'))).toBe(false);
      await expect(a.renewDelivery('majors:1:firing', 'slack:C1', lease('a#1', Number.NaN))).rejects.toThrow(StoreError);
    } finally {
      await pool.end();
    }
  });

  it('of many claims at once from three replicas, exactly one wins each delivery', async () => {
    const stores = await replicas(3);
    for (let i = 2; i <= 21; i++) await stores[0].addNotification(notification(`majors:${i}:firing`, { 'slack:C1': pending }));
    const tries = await Promise.all(
      Array.from({ length: 20 }, (_, k) => k + 2).flatMap((i) =>
        [0, 1, 2, 0, 1, 2].map(async (s, j) => ((await stores[s].claimDelivery(`majors:${i}:firing`, 'slack:C1', lease(`r${s}#${j}`))) ? i : undefined)),
      ),
    );
    const won = tries.filter((t) => t !== undefined).sort((x, y) => x - y);
    expect(won).toEqual(Array.from({ length: 20 }, (_, k) => k + 2));
  });

  it('migration 3 on a database of the previous version: a delivery pending there is claimable after', async () => {
    const name = await pgServer.server!.createDatabase('claims_up');
    const pool = new pg.Pool({ connectionString: pgServer.server!.url(name) });
    try {
      await migrate(pool, 'db', MIGRATIONS.filter((m) => m.version < 3));
      await pool.query('INSERT INTO store_meta (created_at, seeded) VALUES (1, true)');
      await pool.query(`INSERT INTO notifications (id, basket, episode, kind, at, created_at, doc) VALUES ('majors:1:firing', 'majors', 1, 'firing', 1, 1, $1)`, [
        JSON.stringify({ ...notification('majors:1:firing'), deliveries: {} }),
      ]);
      await pool.query(`INSERT INTO deliveries (notification_id, target, status, attempts, doc) VALUES ('majors:1:firing', 'slack:C1', 'pending', 0, $1)`, [JSON.stringify(pending)]);
      expect((await migrate(pool)).applied.map((m) => m.name)).toContain('delivery_claims');
    } finally {
      await pool.end();
    }
    const store = new PostgresStore({ url: pgServer.server!.url(name) });
    opened.push(store);
    await store.open([]);
    expect(await store.claimDelivery('majors:1:firing', 'slack:C1', lease('a'))).toEqual(pending);
  });
});

/** The database a store of this file is on (its location is the URL without the password). */
function dbName(store: PostgresStore): string {
  return decodeURIComponent(new URL(store.location).pathname.slice(1));
}
