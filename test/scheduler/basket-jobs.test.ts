import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertReply } from '../../src/alerts/alert-reply.js';
import type { AlertMessage, Notifier, NotifyResult } from '../../src/alerts/notifier.js';
import { BASKET_BAR_QUEUE, BASKET_LOCK_CLASS, basketBarKey, jobIdOf, startBasketJobs, type BasketJobs } from '../../src/scheduler/basket-jobs.js';
import { Watcher } from '../../src/scheduler/watcher.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { StoreError } from '../../src/store/errors.js';
import { postgresForFile } from '../helpers/postgres.js';
import { barTime, basket, capturingLogger, config, FakeMarket, HOUR, nowAfter, subscribe } from './fakes.js';

// The PostgreSQL scheduler (issue 13, src/scheduler/basket-jobs.ts) with three replicas in this process, each with its
// own store connections, pg-boss workers and Watcher, on one real PostgreSQL: one job per basket-bar however many
// replicas insert it, each bar evaluated once and in order per basket, with a backlog, a job whose replica died (pg-boss
// expires and retries it), and a basket lock whose holder died. Killed processes: test/reliability/replicas.test.ts.

const pgServer = await postgresForFile();

const BASKETS = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5'];
/** A high-correlation episode per basket at different bars, so alerts are decided along the run. */
function segments(i: number) {
  return [
    { from: 0, rho: 0.1, vol: 0.01 },
    { from: 705 + 3 * i, rho: 0.9, vol: 0.01 },
    { from: 740 + 3 * i, rho: 0.1, vol: 0.01 },
  ];
}
const FIRST = 700;
/** The test moves the bar clock 45 hours in seconds: alerts decided at early bars must not be given up as too old. */
const CONFIG = { ...config, alerts: { ...config.alerts, giveUpAfter: '30d' } };

/** A chat platform the replicas post to (by alert id and channel), which they can search (findSent). */
class Platform {
  readonly posted: { id: string; channel: string }[] = [];
  notifier(): Notifier {
    const posted = this.posted;
    return {
      platform: 'slack',
      async send(channel: string, { record }: AlertMessage): Promise<NotifyResult> {
        posted.push({ id: record.id, channel });
        return { ok: true, messageRef: `${channel}/${posted.length}` };
      },
      async findSent(channel: string, { record }: AlertMessage) {
        const i = posted.findIndex((m) => m.id === record.id && m.channel === channel);
        return i < 0 ? undefined : `${channel}/${i + 1}`;
      },
    };
  }
}

/** Every evaluation, as the basket's lock holder made it: which replica, which basket, which bars. */
const evaluations: { replica: number; basket: string; bars: number[] }[] = [];
/** Each replica's log. */
const LOGS = [capturingLogger(), capturingLogger(), capturingLogger()];

class RecordingWatcher extends Watcher {
  constructor(
    readonly replica: number,
    ...args: ConstructorParameters<typeof Watcher>
  ) {
    super(...args);
  }
  override async evaluateBasket(name: string, now: number, signal?: AbortSignal) {
    const report = await super.evaluateBasket(name, now, signal);
    if (report) evaluations.push({ replica: this.replica, basket: name, bars: report.evaluatedBars ?? [] });
    return report;
  }
}

describe.skipIf(!pgServer.server)(`basket-bar jobs on pg-boss, three replicas${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  let url: string;
  let admin: pg.Pool;
  const clock = { t: nowAfter(FIRST) };
  const platform = new Platform();
  const market = new FakeMarket();
  BASKETS.forEach((_, i) => market.addGroup([`A${i}`, `B${i}`, `C${i}`], 900, segments(i), 20 + i));
  const stores: PostgresStore[] = [];
  const replicas: BasketJobs[] = [];

  beforeAll(async () => {
    url = pgServer.server!.url(await pgServer.server!.createDatabase('basket_jobs'));
    admin = new pg.Pool({ connectionString: url });
    for (let r = 0; r < 3; r++) {
      const store = new PostgresStore({ url }, { migrate: true });
      await store.open(r === 0 ? BASKETS.map((b, i) => basket(b, [`A${i}`, `B${i}`, `C${i}`])) : []);
      if (r === 0) for (const b of BASKETS) await subscribe(store, b, 'slack', 'C1');
      stores.push(store);
      const watcher = new RecordingWatcher(r, {
        store,
        market,
        config: CONFIG,
        clock: { now: () => clock.t },
        log: LOGS[r],
        notifiers: [platform.notifier()],
        renderAlert: async (record) => alertReply(record),
        claim: { owner: `replica${r}`, leaseMs: 60_000 },
      });
      // A schedule that never fires during the test: the test inserts the jobs (each replica's enqueue, as its schedule would).
      replicas.push(
        await startBasketJobs({ connectionString: url, watcher, store, clock: { now: () => clock.t }, log: capturingLogger(), schedule: '0 0 1 1 *', workers: 2, jobTimeoutMs: 3_000, pollMs: 500, outboxEveryMs: 500 }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop(1_000)));
    await Promise.all(stores.map((s) => s.close()));
    await admin?.end();
  });

  /** Wait until no basket-bar job is waiting or running, and the outbox is empty. */
  async function drained(timeoutMs = 30_000): Promise<void> {
    for (const deadline = Date.now() + timeoutMs; ; ) {
      const r = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM pgboss.job WHERE name = $1 AND state < 'completed'`, [BASKET_BAR_QUEUE]);
      if (Number(r.rows[0].n) === 0 && (await stores[0].pendingNotifications()).length === 0) return;
      if (Date.now() > deadline) throw new Error(`jobs or deliveries still pending after ${timeoutMs} ms: ${r.rows[0].n} jobs`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  /** Each basket's evaluated bars in the order they were evaluated. */
  function barsOf(b: string): number[] {
    return evaluations.filter((e) => e.basket === b).flatMap((e) => e.bars);
  }

  /** Bars FIRST − 1 .. k − 1, hourly, as the evaluations since the first replay should have covered them. */
  function expectedThrough(k: number): number[] {
    return Array.from({ length: k - FIRST + 1 }, (_, i) => barTime(FIRST - 1 + i));
  }

  it('a backlog of bars inserted by every replica: one job per basket-bar, each bar evaluated once, in order, the work shared, each alert delivered once', async () => {
    // The start inserted bar FIRST − 1 of each basket (three times: once per replica). Then 40 more bars arrive faster
    // than they are evaluated, each inserted by all three replicas.
    for (let k = FIRST + 1; k <= FIRST + 40; k++) {
      clock.t = nowAfter(k);
      await Promise.all(replicas.map((r) => r.enqueue()));
    }
    await drained();
    const jobs = await admin.query<{ singleton_key: string; id: string; n: string }>(`SELECT singleton_key, id, count(*) OVER (PARTITION BY singleton_key) AS n FROM pgboss.job WHERE name = $1`, [BASKET_BAR_QUEUE]);
    expect(jobs.rows).toHaveLength(BASKETS.length * 41);
    expect(jobs.rows.every((j) => j.n === '1' && j.id === jobIdOf(j.singleton_key))).toBe(true);
    for (const b of BASKETS) {
      const bars = barsOf(b);
      // The first job replays history (bars before FIRST − 1, evaluated silently once); every bar after it once, in order.
      const tail = bars.slice(bars.indexOf(barTime(FIRST - 1)));
      expect(tail).toEqual(expectedThrough(FIRST + 40));
      expect(new Set(bars).size).toBe(bars.length);
      expect(bars).toEqual([...bars].sort((x, y) => x - y));
    }
    expect(new Set(evaluations.map((e) => e.replica)).size).toBe(3);
    // Alerts were decided and each went to the channel once.
    const records = await stores[1].listNotifications();
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(platform.posted.map((p) => p.id).sort()).toEqual(records.map((r) => r.id).sort());
    expect(LOGS.flatMap((l) => l.lines).filter((l) => l.level === 'error')).toEqual([]);
  }, 60_000);

  it("a job taken by a replica that died (never finished) is expired by pg-boss and retried by another; the basket's next job evaluates the bar first", async () => {
    clock.t = nowAfter(FIRST + 41);
    // A replica that takes the next job and dies holding it: a pg-boss client of its own that fetches and never answers.
    const dead = new PgBoss({ connectionString: url, supervise: false, schedule: false, migrate: false });
    await dead.start();
    await replicas[0].enqueue();
    let taken: PgBoss.Job<{ basket: string; bar: number }> | undefined;
    for (const deadline = Date.now() + 10_000; !taken; ) {
      [taken] = await dead.fetch<{ basket: string; bar: number }>(BASKET_BAR_QUEUE);
      if (!taken && Date.now() > deadline) throw new Error('the dead replica never got a job');
    }
    await dead.stop({ graceful: false, close: true });
    const basketOfDead = taken.data.basket;
    // The next bar comes: that basket's job for it evaluates the dead one's bar first, then its own.
    clock.t = nowAfter(FIRST + 42);
    await Promise.all(replicas.map((r) => r.enqueue()));
    await drained(30_000);
    const retried = await admin.query<{ state: string; retry_count: number; output: { value?: { message?: string } } }>(`SELECT state, retry_count, output FROM pgboss.job WHERE id = $1`, [taken.id]);
    expect(retried.rows[0]).toMatchObject({ state: 'completed' });
    expect(retried.rows[0].retry_count).toBeGreaterThanOrEqual(1);
    for (const b of BASKETS) {
      const bars = barsOf(b);
      expect(bars.slice(bars.indexOf(barTime(FIRST - 1))), b).toEqual(expectedThrough(FIRST + 42));
    }
    // The basket's bars were evaluated once: the retried job found nothing left.
    expect(evaluations.filter((e) => e.basket === basketOfDead && e.bars.includes(taken!.data.bar))).toHaveLength(1);
  }, 60_000);

  it("a basket whose lock is held by a replica mid-job waits; when that replica's connection dies the lock goes with it and the basket catches up", async () => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1, hashtext($2))', [BASKET_LOCK_CLASS, 'b3']);
    const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    holder.on('error', () => undefined);
    clock.t = nowAfter(FIRST + 43);
    await replicas[1].enqueue();
    // Every other basket gets bar FIRST + 42; b3's job waits on the lock.
    for (const deadline = Date.now() + 20_000; BASKETS.filter((b) => b !== 'b3').some((b) => !barsOf(b).includes(barTime(FIRST + 42))); ) {
      if (Date.now() > deadline) throw new Error('the other baskets were not evaluated');
      await new Promise((r) => setTimeout(r, 50));
    }
    const waiting = await admin.query<{ state: string }>('SELECT state FROM pgboss.job WHERE id = $1', [jobIdOf(basketBarKey('b3', barTime(FIRST + 42)))]);
    expect(waiting.rows[0].state).toBe('active');
    expect(barsOf('b3')).not.toContain(barTime(FIRST + 42));
    // The holder's process dies: PostgreSQL ends its session, and its lock with it.
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await drained(30_000);
    expect(barsOf('b3').slice(barsOf('b3').indexOf(barTime(FIRST - 1)))).toEqual(expectedThrough(FIRST + 43));
    await holder.end().catch(() => undefined);
  }, 60_000);

  it('the job of a basket deleted after it was inserted is dropped; the others go on', async () => {
    await stores[2].deleteBasket('b5');
    // A replica that listed the baskets just before the deletion inserts b5's job.
    const late = new PgBoss({ connectionString: url, supervise: false, schedule: false, migrate: false });
    await late.start();
    const key = basketBarKey('b5', barTime(FIRST + 43));
    await late.send(BASKET_BAR_QUEUE, { basket: 'b5', bar: barTime(FIRST + 43), close: barTime(FIRST + 43) + HOUR }, { id: jobIdOf(key), singletonKey: key });
    await late.stop({ graceful: false, close: true });
    clock.t = nowAfter(FIRST + 44);
    await replicas[2].enqueue();
    await drained();
    expect(barsOf('b5')).not.toContain(barTime(FIRST + 43));
    expect(barsOf('b0')).toContain(barTime(FIRST + 43));
    expect((await admin.query(`SELECT state FROM pgboss.job WHERE singleton_key = $1`, [key])).rows).toEqual([{ state: 'completed' }]);
  }, 60_000);
});

describe.skipIf(!pgServer.server)(`basket-bar jobs: a replica's start${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  /** A replica's parts on a new or given database: its store (opened, `majors` seeded) and its Watcher. */
  async function replicaOn(url: string, store?: PostgresStore) {
    const s = store ?? new PostgresStore({ url }, { migrate: true });
    await s.open([basket('majors', ['A0', 'B0', 'C0'])]);
    const market = new FakeMarket().addGroup(['A0', 'B0', 'C0'], 900, segments(0), 20);
    const log = capturingLogger();
    const watcher = new Watcher({ store: s, market, config: CONFIG, clock: { now: () => nowAfter(FIRST) }, log, notifiers: [], renderAlert: async (record) => alertReply(record) });
    return { store: s, watcher, log };
  }
  const options = (url: string, r: Awaited<ReturnType<typeof replicaOn>>, onStoreError?: (e: Error) => void) => ({
    connectionString: url,
    watcher: r.watcher,
    store: r.store,
    clock: { now: () => nowAfter(FIRST) },
    log: r.log,
    schedule: '0 0 1 1 *',
    workers: 1,
    jobTimeoutMs: 3_000,
    pollMs: 500,
    outboxEveryMs: 500,
    onStoreError,
  });

  it("sets pg-boss up one replica at a time: a start waits while another replica's set-up holds the lock, then starts", async () => {
    const url = pgServer.server!.url(await pgServer.server!.createDatabase('jobs_setup'));
    const r = await replicaOn(url);
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    let jobs: BasketJobs | undefined;
    try {
      // Another replica in the middle of its set-up: it holds the set-up lock ("corrwatch jobs").
      await other.query('SELECT pg_advisory_lock($1)', [0x636a6f62]);
      const starting = startBasketJobs(options(url, r)).then((j) => (jobs = j));
      // This one waits for that lock, on its own connection, before touching pg-boss's schema.
      for (let i = 0; ; i++) {
        const waiting = await other.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'corrwatch-jobs-setup' AND wait_event_type = 'Lock'`);
        if (waiting.rowCount) break;
        if (i > 200) throw new Error('the start never waited for the set-up lock');
        await new Promise((res) => setTimeout(res, 25));
      }
      expect(jobs).toBeUndefined();
      expect((await other.query(`SELECT 1 FROM information_schema.schemata WHERE schema_name = 'pgboss'`)).rowCount).toBe(0);
      await other.query('SELECT pg_advisory_unlock($1)', [0x636a6f62]);
      await starting;
      expect((await other.query(`SELECT name FROM pgboss.queue`)).rows).toEqual([{ name: BASKET_BAR_QUEUE }]);
    } finally {
      await jobs?.stop(1_000);
      await other.end();
      await r.store.close();
    }
  }, 60_000);

  it('three replicas starting at once on a new database all start, with one queue; a first insert that fails does not stop a start', async () => {
    const url = pgServer.server!.url(await pgServer.server!.createDatabase('jobs_together'));
    const rs = [await replicaOn(url), await replicaOn(url), await replicaOn(url)];
    // The third replica's store fails its first listing of the baskets (the first insert of jobs fails).
    const failing = rs[2].store;
    const list = failing.listBaskets.bind(failing);
    let failed = false;
    failing.listBaskets = async () => {
      if (!failed) {
        failed = true;
        throw new StoreError('io', 'the PostgreSQL store failed: connection reset (test)');
      }
      return list();
    };
    const storeErrors: Error[] = [];
    const started = await Promise.all(rs.map((r, i) => startBasketJobs(options(url, r, i === 2 ? (e) => storeErrors.push(e) : undefined))));
    try {
      expect(failed).toBe(true);
      expect(storeErrors.map((e) => e.message)).toEqual(['the PostgreSQL store failed: connection reset (test)']);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      expect((await admin.query(`SELECT name FROM pgboss.queue`)).rows).toEqual([{ name: BASKET_BAR_QUEUE }]);
      await admin.end();
      // and the failed one inserts at its next time
      expect(await started[2].enqueue()).toBe(1);
    } finally {
      await Promise.all(started.map((j) => j.stop(1_000)));
      await Promise.all(rs.map((r) => r.store.close()));
    }
  }, 60_000);
});
