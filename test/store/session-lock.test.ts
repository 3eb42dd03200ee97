import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { lockKey, SessionLock, type SessionLockOptions } from '../../src/store/postgres/session-lock.js';
import { postgresForFile } from '../helpers/postgres.js';
import { waitFor } from '../fakes/fake-discord.js';

const pgServer = await postgresForFile();
const script = fileURLToPath(new URL('./fixtures/hold-lock.ts', import.meta.url));

/**
 * The session-level advisory lock that decides which replica runs what only one may run (issue 13: the Discord
 * gateway), against a real PostgreSQL: one holder at a time, and another takes over within a bounded time once the
 * holder's connection dies (killed backend, killed process).
 */
describe.skipIf(!pgServer.server)(`SessionLock${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop().catch(() => undefined)));
  });

  /** A holder whose events are recorded in `events` (`A acquired`, `A lost: ...`). */
  function holder(name: string, url: string, key: bigint, events: string[], opts: Partial<SessionLockOptions> = {}) {
    const log: string[] = [];
    const lock = new SessionLock({
      target: { url },
      key,
      what: 'the test lock',
      log: createLogger('debug', (l) => log.push(l)),
      retryMs: 100,
      checkMs: 500,
      applicationName: `corrwatch test ${name}`,
      onAcquired: async () => void events.push(`${name} acquired`),
      onLost: async (reason) => void events.push(`${name} lost: ${reason}`),
      ...opts,
    });
    stops.push(() => lock.stop());
    return { lock, log };
  }

  async function database() {
    const url = pgServer.server!.url(await pgServer.server!.createDatabase('lock'));
    const admin = new pg.Client({ connectionString: pgServer.server!.url('postgres') });
    await admin.connect();
    stops.push(() => admin.end());
    /** The backend that holds advisory lock `key` in this database (none: undefined). */
    const holderPid = async (key: bigint) => {
      const r = await admin.query<{ pid: number }>(
        `SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
         WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1 AND l.objsubid = 1
           AND ((l.classid::bigint << 32) | l.objid::bigint) = ($2::bigint & x'ffffffffffffffff'::bigint)`,
        [new URL(url).pathname.slice(1), key.toString()],
      );
      return r.rows[0]?.pid;
    };
    return { url, admin, holderPid };
  }

  it('one holder at a time: the second takes over within a bounded time once the first one\'s connection dies', async () => {
    const db = await database();
    const key = lockKey('test one holder');
    const events: string[] = [];
    // A, once it has lost the lock, tries again less often than B: B is the one to take over (a holder that lost its
    // connection but lives may well take the lock back first: any one replica may run the gateway).
    const a = holder('A', db.url, key, events, { retryMs: 600 });
    const b = holder('B', db.url, key, events);
    expect(await a.lock.start()).toBe(true);
    expect(await b.lock.start()).toBe(false);
    expect(events).toEqual(['A acquired']);
    // B keeps trying, in vain while A holds it.
    await waitFor(() => b.lock.attempts >= 5, 5_000, 'five tries by B');
    expect(events).toEqual(['A acquired']);
    expect(b.lock.held).toBe(false);
    const pid = await db.holderPid(key);
    expect(pid).toBeDefined();

    // A's connection dies (the backend is killed, as when its host or the network goes): A stops, B takes over.
    const killedAt = Date.now();
    await db.admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(() => b.lock.held, 5_000, 'B taking the lock');
    const takeover = Date.now() - killedAt;
    expect(takeover).toBeLessThan(2_000);
    await waitFor(() => events.some((e) => e.startsWith('A lost')), 5_000, 'A noticing');
    expect(events).toHaveLength(3);
    expect(events[0]).toBe('A acquired');
    expect(events).toContain('B acquired');
    expect(events.find((e) => e.startsWith('A lost'))).toMatch(/^A lost: the lock's connection (failed|was closed)/);
    expect(a.lock.held).toBe(false);
    expect(await db.holderPid(key)).not.toBe(pid);
    expect(a.log.join('\n')).toContain('lost the lock on the test lock: stopping it here');

    // A tries again, in vain while B holds it; B stopping releases it, and A takes it back.
    const triesBefore = a.lock.attempts;
    await waitFor(() => a.lock.attempts >= triesBefore + 1, 5_000, 'A trying again');
    expect(a.lock.held).toBe(false);
    const stopping = events.length;
    await b.lock.stop();
    await waitFor(() => a.lock.held, 3_000, 'A taking the lock back');
    // B stopped what it ran before letting the lock go.
    expect(events.slice(stopping)).toEqual(['B lost: this replica is stopping', 'A acquired']);
  });

  it('a holder process killed with SIGKILL: another replica takes over within a bounded time', async () => {
    const db = await database();
    const key = lockKey('test killed process');
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, db.url, key.toString()], { stdio: ['ignore', 'pipe', 'inherit'] });
    stops.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('held'), 20_000, 'the other process holding the lock');
    const events: string[] = [];
    const b = holder('B', db.url, key, events);
    expect(await b.lock.start()).toBe(false);
    await waitFor(() => b.lock.attempts >= 3, 5_000, 'three tries by B');
    expect(b.lock.held).toBe(false);
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await once(child, 'exit');
    await waitFor(() => b.lock.held, 5_000, 'B taking the lock');
    expect(Date.now() - killedAt).toBeLessThan(2_000);
    expect(events).toEqual(['B acquired']);
  });

  it('a database that cannot be reached: start says no, logs why without the password, and keeps trying', async () => {
    const url = `postgres://corrwatch:sekrit-pw@127.0.0.1:1/none`;
    const events: string[] = [];
    const a = holder('A', url, lockKey('unreachable'), events, { retryMs: 50 });
    expect(await a.lock.start()).toBe(false);
    await waitFor(() => a.lock.attempts >= 3, 5_000, 'three tries');
    expect(events).toEqual([]);
    const warning = a.log.find((l) => l.includes('cannot ask PostgreSQL for the lock on the test lock; trying again'));
    expect(warning).toContain('postgres://corrwatch@127.0.0.1:1/none');
    expect(a.log.join('\n')).not.toContain('sekrit-pw');
  });

  it('keys: one per name, the same in every process', () => {
    expect(lockKey('a')).toBe(lockKey('a'));
    expect(lockKey('a')).not.toBe(lockKey('b'));
    for (const name of ['a', 'b', 'corrwatch discord gateway']) expect(BigInt.asIntN(64, lockKey(name))).toBe(lockKey(name));
  });
});
