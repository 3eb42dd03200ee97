import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from './free-port.js';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll } from 'vitest';

/**
 * A throwaway PostgreSQL server for one test file (issue 13): initdb into a temp directory, pg_ctl start on 127.0.0.1
 * and a free port (unix sockets in the temp directory, fsync off), databases created on demand, and on close the
 * server stopped and the directory removed. Connections go over TCP with a password (scram-sha-256), as a deployment's
 * would. Run as root (CI), the server runs as the `postgres` user (initdb refuses root), created if missing.
 *
 * Where PostgreSQL's binaries are not installed, `startPostgres` returns the reason instead of a server; suites skip
 * with it printed (`describe.skipIf(!pg.server)` after `postgresForFile()`), never silently. With
 * CORRWATCH_REQUIRE_POSTGRES=1 (set by .ci/run) a server that cannot be started fails the file instead of skipping it.
 */

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** A URL of `database` on this server; with the password unless `withPassword` is false. */
  url(database: string, withPassword?: boolean): string;
  /**
   * Create a database (a new name each call) and return its name: empty, or a copy of `template` (a database of this
   * server nobody is connected to; copying a migrated one is faster than migrating each).
   */
  createDatabase(prefix?: string, template?: string): Promise<string>;
  /** Stop the server (immediate shutdown) and remove its directory. */
  stop(): Promise<void>;
}

export type PostgresAvailability = { server: PostgresServer; reason?: undefined } | { server?: undefined; reason: string };

const run = promisify(execFile);
const SERVER_USER = 'postgres';
const PASSWORD = 'corrwatch-test-pw';

/**
 * The directory holding initdb, pg_ctl and postgres: PG_BIN when set (and only it: `PG_BIN=/none` runs the suites
 * as a machine without PostgreSQL would), else `pg_config --bindir`, Debian's layout, PATH.
 */
export function postgresBinDir(): string | undefined {
  const has = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b)));
  if (process.env.PG_BIN) return has(process.env.PG_BIN) ? process.env.PG_BIN : undefined;
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // no pg_config: look further
  }
  try {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // not Debian's layout
  }
  candidates.push(...(process.env.PATH ?? '').split(':').filter(Boolean));
  return candidates.find(has);
}

/** The user the server runs as and how to run a command as it (root cannot run initdb or postgres). */
function serverAccount(): { user: string; uid?: number; gid?: number; wrap: (cmd: string[]) => string[] } {
  if (process.getuid?.() !== 0) return { user: userInfo().username, wrap: (cmd) => cmd };
  let ids: string[];
  try {
    ids = [execFileSync('id', ['-u', SERVER_USER], { encoding: 'utf8' }).trim(), execFileSync('id', ['-g', SERVER_USER], { encoding: 'utf8' }).trim()];
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_USER]);
    ids = [execFileSync('id', ['-u', SERVER_USER], { encoding: 'utf8' }).trim(), execFileSync('id', ['-g', SERVER_USER], { encoding: 'utf8' }).trim()];
  }
  return { user: SERVER_USER, uid: Number(ids[0]), gid: Number(ids[1]), wrap: (cmd) => ['runuser', '-u', SERVER_USER, '--', ...cmd] };
}

/** A bare environment for the server's commands: none of the PG* variables of the caller (PGDATA, PGPORT...). */
function serverEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
}

async function sh(cmd: string[], timeoutMs = 60_000): Promise<string> {
  const { stdout, stderr } = await run(cmd[0], cmd.slice(1), { env: serverEnv(), timeout: timeoutMs });
  return stdout + stderr;
}

/** Start a server, or say why one cannot be started. */
export async function startPostgres(): Promise<PostgresAvailability> {
  const bin = postgresBinDir();
  if (!bin) {
    return {
      reason:
        process.env.PG_BIN
          ? `PostgreSQL is not installed in PG_BIN=${process.env.PG_BIN} (no initdb, pg_ctl and postgres there)`
          : "PostgreSQL is not installed (no initdb, pg_ctl and postgres in `pg_config --bindir`, /usr/lib/postgresql/*/bin or PATH); install Debian's `postgresql` package (.ci/run does)",
    };
  }
  let account: ReturnType<typeof serverAccount>;
  try {
    account = serverAccount();
  } catch (e) {
    return { reason: `no unprivileged user to run PostgreSQL as (${(e as Error).message.split('\n')[0]})` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'corrwatch-pg-'));
  if (account.uid !== undefined) chownSync(dir, account.uid, account.gid!);
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, PASSWORD + '\n');
  if (account.uid !== undefined) chownSync(pwfile, account.uid, account.gid!);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    await sh(account.wrap([join(bin, 'initdb'), '-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']));
  } catch (e) {
    cleanup();
    return { reason: `initdb failed: ${tail((e as { stderr?: string }).stderr ?? (e as Error).message)}` };
  }
  const log = join(dir, 'server.log');
  let port = 0;
  let lastError = '';
  for (let attempt = 0; attempt < 3 && !port; attempt++) {
    const candidate = await freePort();
    const options = [
      `-c listen_addresses=127.0.0.1`,
      `-c port=${candidate}`,
      `-c unix_socket_directories=${dir}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=100',
      '-c shared_buffers=32MB',
    ].join(' ');
    try {
      await sh(account.wrap([join(bin, 'pg_ctl'), '-D', data, '-l', log, '-o', options, '-w', '-t', '30', 'start']));
      port = candidate;
    } catch (e) {
      lastError = (e as Error).message;
      const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
      if (!/could not bind|Address already in use/.test(text)) break;
    }
  }
  if (!port) {
    const text = existsSync(log) ? readFileSync(log, 'utf8') : lastError;
    cleanup();
    return { reason: `PostgreSQL did not start: ${tail(text)}` };
  }
  const stopCmd = account.wrap([join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']);
  const stopSync = () => {
    try {
      execFileSync(stopCmd[0], stopCmd.slice(1), { env: serverEnv(), stdio: 'ignore' });
    } catch {
      // already stopped
    }
    cleanup();
  };
  // A test process that dies without running afterAll must not leave a server behind.
  process.once('exit', stopSync);
  const url = (database: string, withPassword = true) =>
    `postgres://postgres${withPassword ? `:${encodeURIComponent(PASSWORD)}` : ''}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  let created = 0;
  let stopped = false;
  return {
    server: {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password: PASSWORD,
      url,
      async createDatabase(prefix = 'test', template?: string) {
        const name = `${prefix}_${process.pid}_${++created}`;
        const admin = new pg.Client({ connectionString: url('postgres') });
        await admin.connect();
        try {
          await admin.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
        } finally {
          await admin.end();
        }
        return name;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        process.off('exit', stopSync);
        await sh(stopCmd).catch(() => undefined);
        cleanup();
      },
    },
  };
}

/**
 * One server for the calling test file, stopped after its tests (call at the top level: `const pg = await
 * postgresForFile()`). When none can be started the reason is printed here, and the file's PostgreSQL suites are
 * skipped with `describe.skipIf(!pg.server)`; with CORRWATCH_REQUIRE_POSTGRES=1 it throws instead.
 */
export async function postgresForFile(): Promise<PostgresAvailability> {
  const started = await startPostgres();
  if (started.server) {
    afterAll(() => started.server.stop());
    return started;
  }
  if (process.env.CORRWATCH_REQUIRE_POSTGRES === '1') throw new Error(`CORRWATCH_REQUIRE_POSTGRES=1 but ${started.reason}`);
  console.warn(`[postgres] skipping the PostgreSQL tests of this file: ${started.reason}`);
  return started;
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-5).join(' | ');
}
