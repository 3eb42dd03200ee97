import { createHash } from 'node:crypto';
import cron from 'node-cron';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { FanoutReport } from '../alerts/fanout.js';
import type { Clock } from '../domain/ports.js';
import { isoTime, timeframeMs } from '../domain/timeframe.js';
import type { Logger } from '../log.js';
import { StoreError } from '../store/errors.js';
import type { Store } from '../store/types.js';
import type { BasketTickReport, Watcher } from './watcher.js';

/**
 * Scheduling when the store is PostgreSQL and several replicas share it (issue 13): one pg-boss job per basket and
 * closed bar, taken by whichever replica's worker asks first, instead of every process ticking every basket on its
 * own node-cron schedule (which stays the scheduler of the lowdb store, one process).
 *
 * Why pg-boss rather than graphile-worker: both are job queues in PostgreSQL that hand each job to one worker with
 * SELECT ... FOR UPDATE SKIP LOCKED and retry failed jobs. What decided is the replica that dies mid-job (SIGKILL, a
 * machine lost), which the issue requires to be retried elsewhere: pg-boss expires an active job whose worker went
 * silent after the job's own expireIn (here `replicas.jobTimeout`, default 10 min) and puts it back; graphile-worker
 * leaves such a job locked for at least 4 hours (only its commercial Pro edition makes that shorter, with
 * heartbeats). pg-boss 10 also runs on Node 20, which corrwatch supports (graphile-worker's newest release needs
 * Node 22.18), and lets the job's id be chosen (the deduplication below). In graphile-worker's favour: its named
 * queues run their jobs one at a time, which would have kept the order per basket by itself; pg-boss's queue
 * policies cannot do that without stalling (see "Order"), so a PostgreSQL advisory lock keeps it: the engine's, not
 * home-made.
 *
 * Producing: every replica, at each time of the schedule (the same cron expression as `schedule:`, read in UTC; `auto`
 * is one bar close of the smallest timeframe), inserts for every basket the job of its newest closed bar. The job's
 * singleton key is `basket@barOpenTime`, and its id is a UUID derived from that key: the first replica's insert
 * creates it and every other insert of the same key is refused by the primary key (pg-boss's own singleton
 * throttling, singletonSeconds, keys on a time slot of the insert, which the inserts of one bar could straddle). So
 * with any number of replicas each basket-bar is one job, and with none running for a while nothing piles up: the
 * next job evaluates every bar since the last one evaluated.
 *
 * Consuming: `workers` pg-boss workers per replica take jobs one at a time, oldest first. A job evaluates its basket
 * up to the close of its bar (Watcher.evaluateBasket: bars the store has seen only rebuild the detector, so a bar is
 * evaluated once; the detector is the same on every replica). A replica that dies mid-job leaves its job active
 * until pg-boss expires it (`jobTimeoutMs`, found by pg-boss's maintenance) and puts it back for another replica.
 *
 * Order: a job holds its basket's advisory lock (pg_advisory_lock on a connection of its own) while it evaluates, so
 * one replica at a time evaluates a basket, and a job for bar t taken while bar t−1's job runs elsewhere waits for it
 * (jobs are taken oldest first). The lock dies with the connection of a replica that dies: then the next job of the
 * basket evaluates the bars its job had not saved before its own, in bar order, and the expired job, retried, finds
 * its bars done. pg-boss's `singleton` policy would keep one active job per basket too, but its fetch fails as a
 * whole while the oldest queued job is blocked, which stalls every basket behind one slow one.
 *
 * The outbox runs on every replica after a job that decided an alert, and every `outboxEveryMs`; deliveries are
 * claimed (deliverPending with the store's claims), so each is sent by one replica.
 */

/** The pg-boss queue of basket-bar jobs. */
export const BASKET_BAR_QUEUE = 'corrwatch-basket-bar';

/** First key of the basket advisory locks ('corb'); the second is hashtext(basket name). */
export const BASKET_LOCK_CLASS = 0x636f7262;

/** What a basket-bar job carries. */
export interface BasketBarJob {
  basket: string;
  /** Open time of the bar (ms). */
  bar: number;
  /** Its close: the job evaluates the basket's bars that closed by then (ms). */
  close: number;
}

/** The singleton key of a basket-bar job. */
export function basketBarKey(basket: string, bar: number): string {
  return `${basket}@${bar}`;
}

/** The job id of a singleton key: a name-based UUID (version 5 layout, SHA-1), the same on every replica. */
export function jobIdOf(key: string): string {
  const h = createHash('sha1').update(`corrwatch basket-bar job\0${key}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The newest bar of a timeframe closed at `now`: its open time and close. */
export function latestClosedBar(timeframe: string, now: number): { bar: number; close: number } {
  const ms = timeframeMs(timeframe);
  const close = Math.floor(now / ms) * ms;
  return { bar: close - ms, close };
}

export interface BasketJobsOptions {
  /** The store's database (a node-postgres connection string, with its password): pg-boss's schema and the locks. */
  connectionString: string;
  watcher: Watcher;
  store: Store;
  /** The bar clock (a demo may run it faster than the wall clock, which the schedule follows). */
  clock: Clock;
  log: Logger;
  /** When each replica enqueues the newest closed bars: a cron expression (5 or 6 fields), read in UTC. */
  schedule: string;
  /** Jobs this replica evaluates at once (pg-boss workers). */
  workers: number;
  /** A job not finished this long after it started is failed and put back for another replica (pg-boss expireIn). */
  jobTimeoutMs: number;
  /** How often an idle worker asks for a job (pg-boss polling; at least 500 ms). */
  pollMs: number;
  /** How often the outbox runs between jobs. */
  outboxEveryMs: number;
  /** Told of each job evaluated, with its duration. */
  onEvaluated?: (report: BasketTickReport, seconds: number, job: BasketBarJob) => void;
  /** Told of each outbox round. */
  onOutbox?: (report: FanoutReport) => void;
  /** Told of each schedule time whose jobs were inserted (the replica is alive and reaches the database). */
  onEnqueued?: (baskets: number) => void;
  /** Told of a StoreError (the store cannot be written; the job is retried). */
  onStoreError?: (e: StoreError, what: string) => void;
}

export interface BasketJobs {
  /** Insert the jobs of the newest closed bar of every basket at `now` (bar clock); resolves to how many baskets. */
  enqueue(now?: number): Promise<number>;
  /** Run an outbox round now, or once more after the one running. */
  deliverSoon(): void;
  /**
   * Stop taking jobs and let the ones running finish for up to `graceMs`, then deliver what they decided; past that,
   * abort them (their evaluation is not saved) and fail them so that another replica takes them at once. Then close
   * pg-boss and the lock connections.
   */
  stop(graceMs: number): Promise<void>;
}

/** The longest a schedule timer waits at once (setTimeout holds at most 2^31 − 1 ms). */
const MAX_TIMER_MS = 3_600_000;

/** Jobs a failure puts back: a store failing for a while, a replica stopping with jobs in hand. */
const RETRY_LIMIT = 10;
const RETRY_DELAY_S = 1;

/** Session advisory lock replicas take in turn to set pg-boss up (its schema and the queue): "corrwatch jobs". */
const SETUP_LOCK_KEY = 0x636a6f62;

/**
 * Run pg-boss's set-up on one replica at a time, under a session advisory lock on a connection of its own. Creating the
 * queue is DDL (a partition of pgboss.job with a foreign key to pgboss.queue) after a row insert into pgboss.queue;
 * another replica inserting the same queue row meanwhile holds a lock the foreign key needs, and waits for the row:
 * PostgreSQL broke that cycle with "deadlock detected" and a replica failed to start (found by a CI run of the
 * three-replica test). In turn, the first creates the queue and the others find it there.
 */
async function oneReplicaAtATime<T>(connectionString: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, application_name: 'corrwatch-jobs-setup' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [SETUP_LOCK_KEY]);
    return await fn();
  } finally {
    // Ending the session releases its lock whatever happened.
    await client.end().catch(() => undefined);
  }
}

/** Start producing and consuming basket-bar jobs on this replica. Creates pg-boss's schema and queue when missing. */
export async function startBasketJobs(opts: BasketJobsOptions): Promise<BasketJobs> {
  const { watcher, store, clock, log } = opts;
  const expireInSeconds = Math.max(1, Math.round(opts.jobTimeoutMs / 1000));
  const boss = new PgBoss({
    connectionString: opts.connectionString,
    application_name: 'corrwatch-jobs',
    max: opts.workers + 2,
    // Our own schedule inserts the jobs: pg-boss's cron (minute-grained) is not needed.
    schedule: false,
    supervise: true,
    // Expired jobs are put back by maintenance: often enough that a dead replica's job waits about its timeout.
    maintenanceIntervalSeconds: Math.min(60, Math.max(1, Math.floor(expireInSeconds / 2))),
    expireInSeconds,
    retryLimit: RETRY_LIMIT,
    retryDelay: RETRY_DELAY_S,
  });
  boss.on('error', (e: Error) => log.warn('job queue: a background task failed; it runs again', { error: e.message }));
  await oneReplicaAtATime(opts.connectionString, async () => {
    await boss.start();
    if (!(await boss.getQueue(BASKET_BAR_QUEUE))) {
      await boss.createQueue(BASKET_BAR_QUEUE, { name: BASKET_BAR_QUEUE, policy: 'standard', retryLimit: RETRY_LIMIT, retryDelay: RETRY_DELAY_S, expireInSeconds });
    }
  });

  // Connections holding the basket locks, one per job at most; a lock waits at most a job's timeout.
  const locks = new pg.Pool({ connectionString: opts.connectionString, max: opts.workers + 1, application_name: 'corrwatch-locks', lock_timeout: opts.jobTimeoutMs, statement_timeout: 0 });
  locks.on('error', (e) => log.warn('job queue: an idle lock connection failed', { error: e.message }));
  const shutdown = new AbortController();
  const workerIds: string[] = [];

  const enqueue = async (now = clock.now()): Promise<number> => {
    const baskets = await store.listBaskets();
    const jobs = baskets.map((b) => {
      const { bar, close } = latestClosedBar(b.timeframe, now);
      const key = basketBarKey(b.name, bar);
      const data: BasketBarJob = { basket: b.name, bar, close };
      return { name: BASKET_BAR_QUEUE, id: jobIdOf(key), singletonKey: key, data, expireInSeconds, retryLimit: RETRY_LIMIT, retryDelay: RETRY_DELAY_S };
    });
    if (jobs.length) await boss.insert(jobs);
    opts.onEnqueued?.(jobs.length);
    // This replica's idle workers ask at once rather than at their next poll.
    for (const id of workerIds) if (!shutdown.signal.aborted) boss.notifyWorker(id);
    return jobs.length;
  };

  // The outbox: after a job that decided an alert, and every outboxEveryMs; one round at a time, one more if asked meanwhile.
  let round: Promise<void> | undefined;
  let again = false;
  const deliverSoon = (): void => {
    if (shutdown.signal.aborted) return;
    if (round) {
      again = true;
      return;
    }
    round = (async () => {
      do {
        again = false;
        try {
          const r = await watcher.deliver(clock.now());
          if (r) opts.onOutbox?.(r);
        } catch (e) {
          if (e instanceof StoreError) opts.onStoreError?.(e, 'the outbox is tried again later');
          else log.error('the outbox round failed', { error: e });
        }
      } while (again && !shutdown.signal.aborted);
    })().finally(() => (round = undefined));
  };
  const outbox = setInterval(deliverSoon, opts.outboxEveryMs);
  outbox.unref();

  const withBasketLock = async <T>(basket: string, fn: () => Promise<T>): Promise<T> => {
    const client = await locks.connect();
    // A lock query that failed (a lock timeout, a connection lost) drops the connection instead of pooling it again:
    // its session, and any lock it still held, ends with it.
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [BASKET_LOCK_CLASS, basket]).catch((e: Error) => {
        broken = e;
        throw e;
      });
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [BASKET_LOCK_CLASS, basket]).catch((e: Error) => (broken = e));
      }
    } finally {
      client.release(broken);
    }
  };

  const runJob = async (job: PgBoss.Job<BasketBarJob>, workerId: () => string | undefined): Promise<void> => {
    const data = job.data;
    if (typeof data?.basket !== 'string' || !Number.isFinite(data.bar) || !Number.isFinite(data.close)) {
      log.warn('job queue: a basket-bar job with malformed data; dropped', { job: job.id });
      return;
    }
    const t0 = performance.now();
    log.debug('basket bar job started', { basket: data.basket, bar: isoTime(data.bar), job: job.id });
    let report: BasketTickReport | undefined;
    try {
      report = await withBasketLock(data.basket, () => watcher.evaluateBasket(data.basket, data.close, shutdown.signal));
    } catch (e) {
      if (e instanceof StoreError) opts.onStoreError?.(e, `the job of ${data.basket} at ${isoTime(data.bar)} is tried again`);
      else log.error('basket bar job failed; it is tried again', { basket: data.basket, bar: isoTime(data.bar), error: e });
      throw e;
    }
    if (!report) {
      log.info('basket bar job of a basket that no longer exists; dropped', { basket: data.basket, bar: isoTime(data.bar) });
      return;
    }
    // Stopping: nothing of it was saved; failing the job puts it back at once for another replica.
    if (report.errorKind === 'aborted') throw new Error(`the job of ${data.basket} at ${isoTime(data.bar)} was cancelled: corrwatch is stopping`);
    log.debug('basket bar job done', { basket: data.basket, bar: isoTime(data.bar), job: job.id, evaluated: report.evaluatedBars?.length ?? 0, notifications: report.notifications });
    opts.onEvaluated?.(report, (performance.now() - t0) / 1000, data);
    if (report.notifications.length > 0) deliverSoon();
    // Ask again at once rather than after the polling interval: there may be more jobs waiting.
    const id = workerId();
    if (id && !shutdown.signal.aborted) boss.notifyWorker(id);
  };
  const pollingIntervalSeconds = Math.max(0.5, opts.pollMs / 1000);
  for (let i = 0; i < opts.workers; i++) {
    // The worker's id, known once work() returns (before its first job: the first fetch is a round trip away).
    const worker: { id?: string } = {};
    worker.id = await boss.work<BasketBarJob>(BASKET_BAR_QUEUE, { batchSize: 1, pollingIntervalSeconds }, async (jobs) => {
      for (const job of jobs) await runJob(job, () => worker.id);
    });
    workerIds.push(worker.id);
  }

  /** enqueue, a failure said rather than thrown: the jobs of a time are inserted by another replica, or at the next. */
  const enqueueOrSay = () =>
    enqueue().then(
      () => undefined,
      (e: unknown) => {
        if (e instanceof StoreError) opts.onStoreError?.(e, 'the jobs of this time are inserted by another replica, or at the next');
        else log.warn("job queue: could not insert this time's basket-bar jobs; another replica or the next time does", { error: (e as Error).message });
      },
    );

  // This replica's schedule: it inserts the jobs; the queue decides who evaluates them.
  const times = cron.createTask(opts.schedule, () => undefined, { timezone: 'Etc/UTC' });
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (shutdown.signal.aborted) return;
    const next = times.getNextRuns(2).find((d) => d.getTime() > Date.now())?.getTime() ?? Date.now() + MAX_TIMER_MS;
    // A time more than a timer can wait (a yearly schedule) is waited for in steps.
    if (next - Date.now() > MAX_TIMER_MS) {
      timer = setTimeout(arm, MAX_TIMER_MS);
      return;
    }
    timer = setTimeout(() => void enqueueOrSay().finally(arm), next - Date.now());
  };
  // The first insert is as any other: a failure (the database busy, a deadlock with another replica's insert of the
  // same jobs) is said, and another replica or this one's next time inserts them; the replica starts.
  await enqueueOrSay();
  arm();
  log.info('job queue: taking basket-bar jobs', { queue: BASKET_BAR_QUEUE, workers: opts.workers, schedule: opts.schedule, jobTimeoutSeconds: expireInSeconds });

  return {
    enqueue,
    deliverSoon,
    async stop(graceMs: number) {
      clearTimeout(timer);
      clearInterval(outbox);
      await times.destroy();
      // Aborts what still runs past the grace period: pg-boss then fails those jobs ("shut down while active").
      const abortLater = setTimeout(() => shutdown.abort(new Error('corrwatch is stopping')), graceMs);
      try {
        await boss.stop({ graceful: true, wait: true, timeout: graceMs + 1_000 });
        // What the last jobs decided goes out before the replica does (as a tick delivers before a stop completes).
        await round?.catch(() => undefined);
        if (!shutdown.signal.aborted) {
          const r = await watcher.deliver(clock.now()).catch((e: unknown) => log.warn('the last outbox round failed; another replica delivers', { error: e }));
          if (r) opts.onOutbox?.(r);
        }
      } finally {
        clearTimeout(abortLater);
        shutdown.abort(new Error('corrwatch is stopping'));
      }
      await round?.catch(() => undefined);
      await locks.end().catch(() => undefined);
    },
  };
}
