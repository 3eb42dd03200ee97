import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../log.js';
import { connectionString, redactedUrl, type PostgresTarget } from './connection.js';

/**
 * The advisory lock key of a name (a signed 64-bit integer from its SHA-256): replicas that compute it from the same
 * name contend for the same lock. A secret (a bot token) may be the name: only a hash of it reaches the database.
 */
export function lockKey(name: string): bigint {
  return createHash('sha256').update(name).digest().readBigInt64BE(0);
}

export interface SessionLockOptions {
  target: PostgresTarget;
  /** pg_try_advisory_lock's key (lockKey). */
  key: bigint;
  /** What the lock guards, for the log: "the Discord gateway". */
  what: string;
  log: Logger;
  /** Called once the lock is held: start what only one replica may run. A throw is logged; the lock stays held. */
  onAcquired(): Promise<void>;
  /** Called when the lock is no longer held (its connection failed) or at `stop`: stop what `onAcquired` started. */
  onLost(reason: string): Promise<void>;
  /** How often a replica without the lock tries to take it (default 5 s). */
  retryMs?: number;
  /** How often the holder checks that its connection (and so its lock) is alive (default 5 s; also its timeout). */
  checkMs?: number;
  /** Shown in pg_stat_activity (default `corrwatch lock`). */
  applicationName?: string;
}

/**
 * A PostgreSQL session-level advisory lock held on a connection of its own (issue 13): what one replica at a time may
 * run (the Discord gateway) runs on the replica whose connection holds the lock. The others try pg_try_advisory_lock
 * every `retryMs`. The lock lives as long as the holder's session: when the holder process dies its connection
 * closes and PostgreSQL releases the lock at once, and another replica takes it at its next try. When the holder's
 * connection fails while the process lives (the database restarted, the network cut), the holder finds out on its
 * next check (`checkMs`, or at once when the socket closes) and stops what it runs (`onLost`) before trying again; the
 * server, for its part, ends a session whose client stopped answering within about 25 s (TCP keepalives asked for
 * below), which releases the lock for the others.
 */
export class SessionLock {
  readonly #opts: SessionLockOptions;
  readonly #where: string;
  #client: pg.Client | undefined;
  /** The client's connection ended or failed (set by its events; the loop drops it). */
  #broken: string | undefined;
  #held = false;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** Attempts made to take the lock (for tests and the log). */
  attempts = 0;

  constructor(opts: SessionLockOptions) {
    this.#opts = opts;
    this.#where = redactedUrl(opts.target.url);
  }

  get held(): boolean {
    return this.#held;
  }

  /**
   * Try to take the lock once (calling onAcquired when taken, and throwing what it throws: start fails as it would
   * without replicas), then keep trying, or watching the lock, in the background. Returns whether this replica holds it.
   */
  async start(): Promise<boolean> {
    if (await this.#tryLock()) {
      try {
        await this.#opts.onAcquired();
      } catch (e) {
        this.#stopped = true;
        await this.#release();
        throw e;
      }
    }
    this.#loop = this.#run();
    return this.#held;
  }

  /** Stop trying; when held, stop what runs under the lock (onLost), then release it and close the connection. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    if (this.#held) {
      this.#held = false;
      await this.#opts.onLost('this replica is stopping').catch((e: unknown) => this.#opts.log.warn(`stopping ${this.#opts.what} failed`, { error: e }));
    }
    await this.#release();
  }

  async #run(): Promise<void> {
    const { log, what } = this.#opts;
    while (!this.#stopped) {
      await this.#sleep(this.#held ? (this.#opts.checkMs ?? 5_000) : (this.#opts.retryMs ?? 5_000));
      if (this.#stopped) break;
      if (this.#held) {
        const failure = await this.#check();
        if (failure === undefined) continue;
        this.#held = false;
        log.warn(`lost the lock on ${what}: stopping it here; a replica that takes the lock runs it`, { reason: failure });
        await this.#opts.onLost(failure).catch((e: unknown) => log.warn(`stopping ${what} failed`, { error: e }));
        await this.#drop();
      } else if (await this.#tryLock()) {
        log.info(`took the lock on ${what}: this replica runs it now`, { attempts: this.attempts });
        await this.#opts.onAcquired().catch((e: unknown) => log.error(`${what} did not start on this replica, which holds its lock`, { error: e }));
      }
    }
  }

  /** One try: connect when needed, then pg_try_advisory_lock. A failure to connect or query is logged and counted as not taken. */
  async #tryLock(): Promise<boolean> {
    this.attempts++;
    try {
      const client = await this.#connection();
      const r = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [this.#opts.key.toString()]);
      this.#held = r.rows[0].locked === true && this.#broken === undefined;
      return this.#held;
    } catch (e) {
      this.#opts.log.warn(`cannot ask PostgreSQL for the lock on ${this.#opts.what}; trying again`, { database: this.#where, error: (e as Error).message });
      await this.#drop();
      return false;
    }
  }

  /** Why the held lock may be gone (the connection failed or does not answer), or undefined when it is still held. */
  async #check(): Promise<string | undefined> {
    if (this.#broken !== undefined) return this.#broken;
    try {
      await this.#client!.query('SELECT 1');
      return this.#broken;
    } catch (e) {
      return `the lock's connection failed: ${(e as Error).message}`;
    }
  }

  async #connection(): Promise<pg.Client> {
    if (this.#client && this.#broken === undefined) return this.#client;
    await this.#drop();
    const client = new pg.Client({
      connectionString: connectionString(this.#opts.target),
      application_name: this.#opts.applicationName ?? 'corrwatch lock',
      connectionTimeoutMillis: 10_000,
      // A check that gets no answer within its period counts as a failed connection.
      query_timeout: this.#opts.checkMs ?? 5_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      // The server ends this session about 25 s after its client stops answering (a dead host, a cut network): the
      // lock is released for the other replicas without waiting for the operating system's two hours.
      options: '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3',
    });
    const broke = (why: string) => {
      this.#broken ??= why;
      // The holder stops what it runs at once; a replica without the lock just reconnects at its next try.
      if (this.#held) this.#wake?.();
    };
    client.on('error', (e) => broke(`the lock's connection failed: ${e.message}`));
    client.on('end', () => broke("the lock's connection was closed"));
    this.#broken = undefined;
    this.#client = client;
    await client.connect();
    return client;
  }

  /** Close the connection, if any (a session lock it held goes with it). */
  async #drop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#broken = undefined;
    if (!client) return;
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    await bounded(client.end(), 2_000);
  }

  /** Unlock (when the connection still works) and close. */
  async #release(): Promise<void> {
    if (this.#client && this.#broken === undefined) {
      await bounded(this.#client.query('SELECT pg_advisory_unlock($1::bigint)', [this.#opts.key.toString()]), 2_000);
    }
    this.#held = false;
    await this.#drop();
  }

  /** Wait `ms`, or less when woken (the held lock's connection failed, or stop). */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stopped || (this.#held && this.#broken !== undefined)) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}

/** `p` settled, or given up on after `ms` (closing a dead connection must not hold anything up). Never throws. */
async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
