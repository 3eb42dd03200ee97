import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupPath, checkStore, LowdbStore, repairFromBackup } from '../../src/store/index.js';
import { audit, basket, notification, runtime } from './builders.js';
import { tempDir } from './temp-dirs.js';

describe('store backups', () => {
  it('after a write, keeps the file as backup 1 and the three newest copies, at most every backupEveryMs', async () => {
    const dir = await tempDir();
    const store = new LowdbStore(dir);
    await store.open([]);
    await store.putBasket(basket('a'));
    // The default (an hour) made none in this short session.
    expect((await checkStore(dir)).backups.map((b) => b.status)).toEqual(['missing', 'missing', 'missing']);
    store.backupEveryMs = 0;
    for (const name of ['b', 'c', 'd', 'e']) await store.putBasket(basket(name));
    const r = await checkStore(dir);
    expect(r.backups.map((b) => [b.status, b.baskets])).toEqual([['ok', 5], ['ok', 4], ['ok', 3]]);
    expect(await readFile(backupPath(store.location, 1), 'utf8')).toBe(await readFile(store.location, 'utf8'));
    await store.close();
  });

  it('check says what is wrong with an unreadable file; repair puts the newest readable backup in its place', async () => {
    const dir = await tempDir();
    const store = new LowdbStore(dir);
    await store.open([basket('majors')]);
    store.backupEveryMs = 0;
    await store.putBasket(basket('alts'));
    await store.close();
    const good = await readFile(store.location, 'utf8');
    await expect(repairFromBackup(dir)).rejects.toThrow(/are readable: there is nothing to repair/);

    await writeFile(store.location, '{"schemaVersion": 2, "baskets": [');
    await writeFile(backupPath(store.location, 1), 'garbage');
    await writeFile(backupPath(store.location, 2), good);
    const check = await checkStore(dir);
    expect(check.file.status).toBe('refused');
    expect(check.file.problem).toMatch(/not valid JSON/);
    expect(check.backups.map((b) => b.status)).toEqual(['refused', 'ok', 'missing']);

    const r = await repairFromBackup(dir, new Date('2026-01-02T03:04:05Z'));
    expect(r.restoredFrom).toBe(backupPath(store.location, 2));
    expect(r.movedAside).toBe(`${store.location}.broken-2026-01-02T03-04-05.000Z`);
    expect(await readFile(store.location, 'utf8')).toBe(good);
    expect(await readFile(r.movedAside!, 'utf8')).toBe('{"schemaVersion": 2, "baskets": [');
    const again = new LowdbStore(dir);
    await again.open([]);
    expect((await again.listBaskets()).map((b) => b.name).sort()).toEqual(['alts', 'majors']);
    await again.close();
  });

  it('check and repair cover the outbox and audit files: a broken one is restored from its backup, a broken history moved aside', async () => {
    const dir = await tempDir();
    const store = new LowdbStore(dir);
    await store.open([basket('majors')]);
    store.backupEveryMs = 0;
    await store.appendAudit(audit('basket.create', 'majors'));
    await store.addNotification(notification('majors:1:firing'));
    await store.putRuntime(runtime('majors'));
    await store.close();
    const outbox = join(dir, 'outbox.jsonl');
    const history = join(dir, 'history.jsonl');
    const goodOutbox = await readFile(outbox, 'utf8');
    expect(await readFile(backupPath(outbox, 1), 'utf8')).toBe(goodOutbox);
    await writeFile(outbox, 'not json\n' + goodOutbox);
    await writeFile(history, '{oops\n{}\n');

    const check = await checkStore(dir);
    expect(check.file.status).toBe('ok');
    expect(check.sideFiles.map((f) => [f.which, f.status])).toEqual([['outbox', 'refused'], ['audit', 'ok'], ['history', 'refused']]);
    expect(check.sideFiles[0].problem).toMatch(/outbox\.jsonl line 1 is not valid JSON/);
    await expect(new LowdbStore(dir).open([])).rejects.toMatchObject({ code: 'corrupt' });

    const r = await repairFromBackup(dir, new Date('2026-01-02T03:04:05Z'));
    expect(r.restoredFrom).toBeUndefined();
    expect(r.sideFiles).toEqual([
      { path: outbox, restoredFrom: backupPath(outbox, 1), movedAside: `${outbox}.broken-2026-01-02T03-04-05.000Z` },
      { path: history, movedAside: `${history}.broken-2026-01-02T03-04-05.000Z` },
    ]);
    const again = new LowdbStore(dir);
    await again.open([]);
    expect((await again.listNotifications()).map((n) => n.id)).toEqual(['majors:1:firing']);
    expect(await again.listAudit()).toHaveLength(1);
    await again.close();
  });

  it('repair refuses when no backup is readable, and changes nothing', async () => {
    const dir = await tempDir();
    const store = new LowdbStore(dir);
    await store.open([]);
    await store.close();
    await writeFile(store.location, 'broken');
    await expect(repairFromBackup(dir)).rejects.toThrow(/no readable backup/);
    expect(await readFile(store.location, 'utf8')).toBe('broken');
  });
});
