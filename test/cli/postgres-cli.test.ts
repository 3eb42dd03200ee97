import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startWatcher } from '../../src/app/start.js';
import { main } from '../../src/cli.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger, redact } from '../../src/log.js';
import { MIGRATIONS, PostgresStore } from '../../src/store/postgres/index.js';
import { postgresForFile } from '../helpers/postgres.js';

// Choosing the PostgreSQL store (issue 13): DATABASE_URL or the config's store.url, in `corrwatch start` and in every
// CLI command that opens the store; `corrwatch db migrate`; the password never printed.

const pgServer = await postgresForFile();
const dir = mkdtempSync(join(tmpdir(), 'cw-pg-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = Date.UTC(2024, 5, 1, 0, 1);

/** Run the CLI in this process with exactly this environment; its output and exit code. */
async function cli(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    env: { CORRWATCH_DATA_DIR: join(dir, 'data'), CORRWATCH_SOURCE: 'sim:1', ...env },
    clock: { now: () => NOW },
  });
  return { code, stdout, stderr };
}

describe('choosing the store: what needs no database', () => {
  it('no DATABASE_URL and no store.url: db migrate says so (exit 2), and the lowdb store stays the default', async () => {
    const r = await cli(['db', 'migrate'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^corrwatch: no PostgreSQL store is configured: set DATABASE_URL \(or store\.url in the config\)/);
    expect((await cli(['basket', 'list'], {})).code).toBe(0);
    expect(existsSync(join(dir, 'data', 'corrwatch.json'))).toBe(true);
  });

  it('a DATABASE_URL that is not a PostgreSQL URL is refused without repeating it', async () => {
    const r = await cli(['basket', 'list'], { DATABASE_URL: 'mysql://root:hunter2-secret@db/x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DATABASE_URL must start with postgres:// or postgresql://');
    expect(r.stderr).not.toContain('hunter2-secret');
  });

  it('a password in the config file is refused, and not shown', async () => {
    const file = join(dir, 'with-password.yaml');
    writeFileSync(file, 'store:\n  url: postgres://corrwatch:hunter2-secret@db:5432/corrwatch\n');
    const r = await cli(['basket', 'list'], { CORRWATCH_CONFIG: file });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('store.url: holds a password: give it in PGPASSWORD (or the whole URL in DATABASE_URL), never in a configuration file');
    expect(r.stderr).not.toContain('hunter2-secret');
  });

  it('the logger hides a database password: in a URL, and the values of DATABASE_URL and PGPASSWORD', () => {
    const env = { DATABASE_URL: 'postgres://cw:url-password-1@db/x', PGPASSWORD: 'env-password-2' };
    const text = redact('a postgresql://u:other-pass-3@h:5432/d b url-password-1 c env-password-2 d postgres://cw:url-password-1@db/x', env);
    expect(text).not.toMatch(/other-pass-3|url-password-1|env-password-2/);
    expect(text).toContain('postgresql://u:[redacted]@h:5432/d');
  });
});

describe.skipIf(!pgServer.server)(`choosing the PostgreSQL store${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  it('DATABASE_URL: db migrate applies the migrations once and says so; commands then use the database, not the data directory', async () => {
    const server = pgServer.server!;
    const name = await server.createDatabase('cli');
    const env = { DATABASE_URL: server.url(name), CORRWATCH_DATA_DIR: join(dir, 'pg-data') };
    // Before migrating, a command that opens the store says what to run.
    const early = await cli(['basket', 'list'], env);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('has no corrwatch tables yet: run `corrwatch db migrate`');
    const first = await cli(['db', 'migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    const location = `postgres://postgres@127.0.0.1:${server.port}/${name}`;
    expect(first.stdout).toContain(MIGRATIONS.map((m) => `applied ${String(m.version).padStart(3, '0')}_${m.name}`).join('\n'));
    expect(first.stdout).toContain(`${location}: schema version ${MIGRATIONS.length}`);
    const again = await cli(['db', 'migrate', '--json'], env);
    expect(JSON.parse(again.stdout)).toEqual({ location, applied: [], version: MIGRATIONS.length });
    // basket commands read and write the database.
    const created = await cli(['basket', 'create', 'l1s', 'SOL', 'AVAX'], env);
    expect(created.code, created.stderr).toBe(0);
    const listed = await cli(['basket', 'list'], env);
    expect(listed.stdout).toMatch(/^2 baskets/);
    expect(listed.stdout).toMatch(/\nmajors .*\nl1s +SOL AVAX /);
    expect(existsSync(join(dir, 'pg-data', 'corrwatch.json'))).toBe(false);
    for (const r of [first, again, created]) expect(r.stdout + r.stderr).not.toContain(server.password);
  });

  it('store.url in the config with the password in PGPASSWORD', async () => {
    const server = pgServer.server!;
    const name = await server.createDatabase('cli');
    const file = join(dir, `store-url-${name}.yaml`);
    writeFileSync(file, `store:\n  url: ${server.url(name, false)}\n`);
    const env = { CORRWATCH_CONFIG: file, PGPASSWORD: server.password };
    expect((await cli(['db', 'migrate'], env)).code).toBe(0);
    expect((await cli(['alerts', 'subscribe', 'majors'], env)).code).toBe(0);
    const store = new PostgresStore({ url: server.url(name) });
    await store.open([]);
    expect((await store.listSubscriptions()).map((s) => [s.basket, s.platform])).toEqual([['majors', 'cli']]);
    await store.close();
    // Without the password the server refuses: an error naming the database, exit 2.
    const refused = await cli(['basket', 'list'], { CORRWATCH_CONFIG: file });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/password authentication failed|no password was provided|SASL/);
  });

  it('corrwatch start migrates an empty database at boot and keeps its state there; the log never shows the password', async () => {
    const server = pgServer.server!;
    const name = await server.createDatabase('start');
    const lines: string[] = [];
    const env = { DATABASE_URL: server.url(name) };
    const config = loadConfig({ CORRWATCH_DATA_DIR: join(dir, 'start-data'), CORRWATCH_SOURCE: 'sim:7' });
    const running = await startWatcher({
      config,
      log: createLogger('info', (l) => lines.push(l)),
      schedule: '0 0 1 1 *',
      write: () => undefined,
      clock: { now: () => NOW },
      env,
    });
    try {
      expect(running.store).toBeInstanceOf(PostgresStore);
      expect(running.store.location).toBe(`postgres://postgres@127.0.0.1:${server.port}/${name}`);
      // The first basket-bar jobs ran against the database (start does not wait for them: any replica may take them):
      // every configured basket gets its state and regime history there.
      const names = (await running.store.listBaskets()).map((b) => b.name);
      expect(names).toEqual(Object.keys(config.baskets));
      for (const deadline = Date.now() + 30_000; ; ) {
        const runtimes = await Promise.all(names.map((b) => running.store.getRuntime(b)));
        if (runtimes.every((r) => (r?.history.length ?? 0) > 0)) break;
        if (Date.now() > deadline) throw new Error(`no regime history after 30 s for ${names.filter((_, i) => !runtimes[i]?.history.length).join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await running.stop();
    }
    const log = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.find((l) => l.msg === 'store: PostgreSQL')).toMatchObject({ schemaVersion: MIGRATIONS.length, appliedMigrations: MIGRATIONS.map((m) => `${m.version}_${m.name}`) });
    expect(lines.join('\n')).not.toContain(server.password);
    expect(existsSync(join(dir, 'start-data', 'corrwatch.json'))).toBe(false);
  });
});
