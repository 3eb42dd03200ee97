import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { LowdbStore, type Store } from '../../src/store/index.js';
import { migrate, PostgresStore } from '../../src/store/postgres/index.js';
import { PostgresTransfer } from '../../src/store/postgres/transfer.js';
import { EXPORT_FORMAT, parseExport, type StoreExport } from '../../src/store/transfer.js';
import { postgresForFile } from '../helpers/postgres.js';
import { audit, basket, failed, notification, pending, point, runtime, sent, subscription } from './builders.js';
import { tempDir } from './temp-dirs.js';

/**
 * `corrwatch store export FILE` / `store import FILE` (issue 13): a store's whole contents through a versioned JSON
 * file, from lowdb into PostgreSQL and back, through the CLI as an operator runs it.
 */

const pgServer = await postgresForFile();
const NOW = Date.UTC(2024, 5, 1);

/** Run the CLI in-process with `env` (DATABASE_URL selects PostgreSQL, CORRWATCH_DATA_DIR the lowdb files). */
async function cli(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env, clock: { now: () => NOW } });
  return { code, stdout, stderr };
}

/** A lowdb store holding a bit of everything: what a store that has run for a while holds. */
async function richLowdbStore(dir: string): Promise<void> {
  const store = new LowdbStore(dir);
  await store.open([basket('majors'), basket('defi', { symbols: ['UNI/USDT', 'AAVE/USDT'], timezone: 'Europe/Paris' })]);
  await store.putBasket(basket('l1', { createdBy: 'slack:U7', thresholds: { enterZ: 4.2, exitZ: 1.5, stressProbability: 0.9, decoupleZ: -2.5 } }));
  await store.addSubscription(subscription('majors', 'C1'));
  await store.addSubscription(subscription('majors', '1100000000000000011', { platform: 'discord', createdBy: 'discord:42' }));
  await store.addSubscription(subscription('defi', 'C2'));
  await store.putRuntimes([
    runtime('majors', {
      alertState: { phase: 'firing', episode: 3, since: NOW - 7_200_000, peak: { z: 5.1, rho: 0.93 } },
      model: { baseline: [[1, 0.3], [0.3, 1]], cusum: 4.25 },
      lastBarAt: NOW - 3_600_000,
      lastTickAt: NOW,
      history: [point(NOW - 7_200_000), point(NOW - 3_600_000, { regime: 'stressed', z: 5.1, stressProbability: 0.97, enterRho: 0.7, exitRho: 0.55 })],
    }),
    runtime('defi', { lastError: { at: NOW, message: 'binance: UNI/USDT is not listed' }, history: [] }),
    // A runtime whose basket is gone (deleted while a tick ran): a store holds it, so an export carries it.
    runtime('orphan', { history: [point(NOW)] }),
  ]);
  await store.addNotification(notification('majors:1:firing', { 'slack:C1': sent, 'discord:1100000000000000011': failed }, { acknowledged: { by: 'U1', platform: 'slack', at: NOW - 1000 } }));
  await store.addNotification(notification('majors:1:resolved', { 'slack:C1': sent }, { kind: 'resolved', at: NOW - 500 }));
  await store.addNotification(notification('majors:3:firing', { 'slack:C1': { ...pending, attempts: 2, lastAttemptAt: NOW, inFlight: true, error: 'timeout' }, 'discord:1100000000000000011': pending }, { episode: 3 }));
  await store.appendAudit(audit('basket.create', 'l1', NOW - 10_000));
  await store.appendAudit({ at: NOW - 9_000, platform: 'slack', userId: 'U7', action: 'alerts.subscribe', basket: 'majors', details: { channel: 'C1', nested: { list: [1, 'two', null] } } });
  await store.appendAudit(audit('alerts.snooze', undefined, NOW - 8_000));
  await store.close();
}

/** What a store shows through every read of the Store interface. */
async function everything(store: Store) {
  const baskets = await store.listBaskets();
  const names = [...baskets.map((b) => b.name), 'orphan'];
  return {
    baskets,
    subscriptions: await store.listSubscriptions(),
    runtimes: await Promise.all(names.map((n) => store.getRuntime(n))),
    notifications: await store.listNotifications(),
    pending: await store.pendingNotifications(),
    byId: await store.getNotification('majors:1:firing'),
    audit: await store.listAudit(),
  };
}

async function opened<T extends Store>(store: T): Promise<T> {
  await store.open([basket('seeded-by-mistake')]);
  return store;
}

describe.skipIf(!pgServer.server)(`store export / import${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  const closing: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((c) => c().catch(() => undefined)));
  });

  let template: Promise<string> | undefined;
  /** An empty, migrated database (as `corrwatch db migrate` leaves it). */
  async function migratedUrl(): Promise<string> {
    template ??= (async () => {
      const name = await pgServer.server!.createDatabase('transfer_template');
      const pool = new pg.Pool({ connectionString: pgServer.server!.url(name) });
      await migrate(pool);
      await pool.end();
      return name;
    })();
    return pgServer.server!.url(await pgServer.server!.createDatabase('transfer', await template));
  }

  async function readExport(file: string): Promise<StoreExport> {
    return parseExport(await readFile(file, 'utf8'), file);
  }

  it('round trip lowdb → file → PostgreSQL → file → lowdb: equal field by field', async () => {
    const work = await tempDir();
    const [dirA, dirB] = [join(work, 'a'), join(work, 'b')];
    await richLowdbStore(dirA);
    const url = await migratedUrl();
    const files = [1, 2, 3].map((i) => join(work, `export-${i}.json`));

    const first = await cli(['store', 'export', files[0]], { CORRWATCH_DATA_DIR: dirA });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`Wrote ${files[0]}: 3 baskets, 3 subscriptions, 3 basket runtimes, 3 history points, 3 notifications, 5 deliveries, 3 audit entries, from ${join(dirA, 'corrwatch.json')}`);
    expect((await stat(files[0])).mode & 0o777).toBe(0o600);
    const imported = await cli(['store', 'import', files[0], '--json'], { CORRWATCH_DATA_DIR: join(work, 'unused'), DATABASE_URL: url });
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(imported.stdout)).toMatchObject({ into: expect.stringMatching(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/transfer_/), counts: { baskets: 3, notifications: 3, deliveries: 5, audit: 3 } });
    expect(imported.stdout).not.toContain(pgServer.server!.password);
    expect(await cli(['store', 'export', files[1]], { CORRWATCH_DATA_DIR: join(work, 'unused'), DATABASE_URL: url })).toMatchObject({ code: 0 });
    expect(await cli(['store', 'import', files[1]], { CORRWATCH_DATA_DIR: dirB })).toMatchObject({ code: 0, stderr: '' });
    expect(await cli(['store', 'export', files[2]], { CORRWATCH_DATA_DIR: dirB })).toMatchObject({ code: 0 });

    const [a, p, b] = await Promise.all(files.map(readExport));
    expect(a.format).toBe(EXPORT_FORMAT);
    expect(a.store.baskets.map((x) => x.name)).toEqual(['majors', 'defi', 'l1']);
    expect(Object.keys(a.store.runtime)).toEqual(['defi', 'majors', 'orphan']);
    expect(p.store).toStrictEqual(a.store);
    expect(b.store).toStrictEqual(a.store);
    // The files differ only in where and when they were written.
    const body = async (f: string) => (await readFile(f, 'utf8')).replace(/"exportedAt": ".*"/, '').replace(/"from": ".*"/, '');
    expect(await body(files[1])).toBe(await body(files[0]));
    expect(await body(files[2])).toBe(await body(files[0]));

    // And every store reads the same through the Store interface: the one the data came from, PostgreSQL, the last.
    const stores = [await opened(new LowdbStore(dirA)), await opened(new PostgresStore({ url })), await opened(new LowdbStore(dirB))];
    closing.push(...stores.map((s) => () => s.close()));
    const [viewA, viewP, viewB] = await Promise.all(stores.map(everything));
    expect(viewA.runtimes.filter((r) => r !== undefined).map((r) => r!.basket)).toEqual(['majors', 'defi', 'orphan']);
    expect(viewA.byId?.acknowledged).toEqual({ by: 'U1', platform: 'slack', at: NOW - 1000 });
    expect(viewP).toStrictEqual(viewA);
    expect(viewB).toStrictEqual(viewA);
  });

  it('import refuses a store that is not empty, changing nothing; --replace drops what it held first', async () => {
    const work = await tempDir();
    await richLowdbStore(join(work, 'a'));
    const file = join(work, 'export.json');
    expect(await cli(['store', 'export', file], { CORRWATCH_DATA_DIR: join(work, 'a') })).toMatchObject({ code: 0 });

    // PostgreSQL that a replica already started on (it seeded its config's baskets).
    const url = await migratedUrl();
    const running = await opened(new PostgresStore({ url }));
    closing.push(() => running.close());
    await running.appendAudit(audit('basket.create', 'seeded-by-mistake'));
    const refused = await cli(['store', 'import', file], { CORRWATCH_DATA_DIR: join(work, 'unused'), DATABASE_URL: url });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^corrwatch: the store at postgres:\/\/postgres@127\.0\.0\.1:\d+\/transfer_\S+ is not empty \(it holds 1 basket, 1 audit entry\); nothing was imported\. Import into an empty store, or add --replace/);
    expect((await running.listBaskets()).map((b) => b.name)).toEqual(['seeded-by-mistake']);
    expect(await running.listAudit()).toHaveLength(1);
    const replaced = await cli(['store', 'import', file, '--replace'], { CORRWATCH_DATA_DIR: join(work, 'unused'), DATABASE_URL: url });
    expect(replaced).toMatchObject({ code: 0, stderr: '' });
    expect((await running.listBaskets()).map((b) => b.name)).toEqual(['majors', 'defi', 'l1']);
    expect((await running.listAudit()).map((e) => e.action)).toEqual(['alerts.snooze', 'alerts.subscribe', 'basket.create']);

    // lowdb: the same; replacing rewrites the side files, so no dropped notification comes back at the next open.
    const dirC = join(work, 'c');
    const other = await opened(new LowdbStore(dirC));
    for (const id of ['x:1:firing', 'x:2:firing', 'x:3:firing', 'x:4:firing']) await other.addNotification(notification(id, { 'slack:C9': sent }));
    await other.close();
    const lowRefused = await cli(['store', 'import', file], { CORRWATCH_DATA_DIR: dirC });
    expect(lowRefused.code).toBe(2);
    expect(lowRefused.stderr).toContain('is not empty (it holds 1 basket, 4 notifications, 4 deliveries); nothing was imported');
    expect(await cli(['store', 'import', file, '--replace'], { CORRWATCH_DATA_DIR: dirC })).toMatchObject({ code: 0 });
    const reopened = await opened(new LowdbStore(dirC));
    closing.push(() => reopened.close());
    expect((await reopened.listNotifications()).map((n) => n.id)).toEqual(['majors:3:firing', 'majors:1:resolved', 'majors:1:firing']);
    expect((await reopened.listBaskets()).map((b) => b.name)).toEqual(['majors', 'defi', 'l1']);
  });

  it('an import is bounded by the target store\'s limits, as the store would have kept it', async () => {
    const work = await tempDir();
    const dir = join(work, 'a');
    const store = await opened(new LowdbStore(dir));
    for (let i = 0; i < 30; i++) await store.appendAudit(audit(`a.${i}`, undefined, NOW + i));
    await store.putRuntime(runtime('seeded-by-mistake', { history: Array.from({ length: 40 }, (_, i) => point(NOW + i)) }));
    const contents = await store.exportContents();
    await store.close();
    const transfer = new PostgresTransfer({ url: await migratedUrl() }, { maxAudit: 10, maxHistory: 15 });
    const counts = await transfer.importContents(contents, { replace: false });
    expect(counts).toMatchObject({ audit: 10, historyPoints: 15 });
    const back = await transfer.exportContents();
    expect(back.audit.map((e) => e.action)).toEqual(Array.from({ length: 10 }, (_, i) => `a.${20 + i}`));
    expect(back.runtime['seeded-by-mistake'].history.map((p) => p.at)).toEqual(Array.from({ length: 15 }, (_, i) => NOW + 25 + i));
  });

  it('refuses what it cannot import, saying why, and changes nothing', async () => {
    const work = await tempDir();
    const dir = join(work, 'a');
    await richLowdbStore(dir);
    const good = JSON.parse(await readFile((await cli(['store', 'export', join(work, 'x.json')], { CORRWATCH_DATA_DIR: dir }), join(work, 'x.json')), 'utf8')) as StoreExport;
    const url = await migratedUrl();
    const cases: [string, string, RegExp][] = [
      ['not-json.json', '{"format": "corrwatch-store-export", ', /is not valid JSON/],
      ['other.json', JSON.stringify({ hello: 1 }), /is not a corrwatch store export \(no "format": "corrwatch-store-export"\)/],
      ['newer.json', JSON.stringify({ ...good, version: 2 }), /is a store export of version 2, written by a newer corrwatch; this one reads version 1/],
      ['one-symbol.json', JSON.stringify({ ...good, store: { ...good.store, baskets: [{ ...good.store.baskets[0], symbols: ['BTC/USDT'] }] } }), /store\.baskets\[0\]\.symbols: basket "majors": holds 1 symbols/],
      ['duplicate.json', JSON.stringify({ ...good, store: { ...good.store, baskets: [good.store.baskets[0], good.store.baskets[0]] } }), /store\.baskets\[1\]: duplicate basket name "majors"/],
    ];
    for (const [name, text, message] of cases) {
      const file = join(work, name);
      await writeFile(file, text);
      const r = await cli(['store', 'import', file], { CORRWATCH_DATA_DIR: join(work, 'unused'), DATABASE_URL: url });
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr.split('\n').filter(Boolean), name).toHaveLength(1);
    }
    const missing = await cli(['store', 'import', join(work, 'nope.json')], { CORRWATCH_DATA_DIR: dir });
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read') });
    // Nothing reached the database.
    expect(await new PostgresTransfer({ url }).exportContents()).toMatchObject({ baskets: [], notifications: [], audit: [] });

    // Nothing to export: no store file, or a database without the tables.
    const none = await cli(['store', 'export', join(work, 'y.json')], { CORRWATCH_DATA_DIR: join(work, 'empty') });
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('there is no store to export in') });
    const bare = pgServer.server!.url(await pgServer.server!.createDatabase('bare'));
    const unmigrated = await cli(['store', 'export', join(work, 'z.json')], { CORRWATCH_DATA_DIR: dir, DATABASE_URL: bare });
    expect(unmigrated).toMatchObject({ code: 2, stderr: expect.stringMatching(/has no corrwatch tables yet: run `corrwatch db migrate` first/) });
  });
});
