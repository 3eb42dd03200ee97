import { appendFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LowdbStore, type StoreOptions } from '../../src/store/index.js';
import { createDocument } from '../../src/store/operations.js';
import { audit, basket, notification, point, runtime, sent } from './builders.js';
import { tempDir } from './temp-dirs.js';

async function open(dir: string, opts: StoreOptions = {}): Promise<LowdbStore> {
  const store = new LowdbStore(dir, opts);
  await store.open([basket('majors')]);
  return store;
}

async function size(file: string): Promise<number> {
  return (await stat(file)).size;
}

async function lines(file: string): Promise<number> {
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean).length;
}

const points = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => point(from + i));

describe('LowdbStore keeps history, outbox and audit in append-only files', () => {
  it('a tick appends its new history points; the main document does not grow with history', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await store.putRuntime(runtime('majors', { history: points(0, 1000), lastTickAt: 1 }));
    const mainBefore = await size(store.location);
    const historyBefore = await size(join(dir, 'history.jsonl'));
    const writes: number[] = [];
    store.onWrite = (bytes) => writes.push(bytes);

    await store.putRuntime(runtime('majors', { history: points(0, 1001), lastTickAt: 2 }));

    const onePoint = Buffer.byteLength(JSON.stringify(point(1000)));
    const appended = (await size(join(dir, 'history.jsonl'))) - historyBefore;
    expect(appended).toBeGreaterThanOrEqual(onePoint);
    expect(appended).toBeLessThan(onePoint + 64);
    expect(Math.abs((await size(store.location)) - mainBefore)).toBeLessThan(4);
    expect(mainBefore).toBeLessThan(2_000);
    // what the store reports it wrote: the new line and the small main document, not the 1000 points
    expect(writes).toHaveLength(1);
    expect(writes[0]).toBeLessThan(mainBefore + onePoint + 64);
    await store.close();
    const again = await open(dir);
    expect((await again.getRuntime('majors'))!.history.map((p) => p.at)).toEqual(points(0, 1001).map((p) => p.at));
    expect((await again.getRuntime('majors'))!.lastTickAt).toBe(2);
  });

  it('an unchanged runtime writes nothing', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await store.putRuntime(runtime('majors'));
    const writes: number[] = [];
    store.onWrite = (bytes) => writes.push(bytes);
    await store.putRuntime(runtime('majors'));
    expect(writes).toEqual([0]);
  });

  it('stays bounded: files are compacted to what is kept, and reopening gives the same data', async () => {
    const dir = await tempDir();
    const store = await open(dir, { maxHistory: 20, maxAudit: 10, maxNotifications: 5 });
    let history = points(0, 1);
    for (let t = 1; t < 400; t++) {
      history = [...history, point(t)].slice(-20);
      await store.putRuntime(runtime('majors', { history }));
      await store.appendAudit(audit(`a${t}`, 'majors', t));
      await store.addNotification(notification(`majors:${t}:firing`, { 'slack:C1': sent }));
    }
    // about twice what is kept at most, plus a fixed slack
    expect(await lines(join(dir, 'history.jsonl'))).toBeLessThan(2 * 20 + 16 * 64 + 2);
    expect(await lines(join(dir, 'audit.jsonl'))).toBeLessThanOrEqual(2 * 10 + 64 + 1);
    expect(await lines(join(dir, 'outbox.jsonl'))).toBeLessThanOrEqual(2 * 5 + 64 + 1);
    const audits = await store.listAudit();
    const notes = await store.listNotifications();
    await store.close();
    const again = await open(dir, { maxHistory: 20, maxAudit: 10, maxNotifications: 5 });
    expect((await again.getRuntime('majors'))!.history.map((p) => p.at)).toEqual(history.map((p) => p.at));
    expect(await again.listAudit()).toEqual(audits);
    expect(audits).toHaveLength(10);
    expect(await again.listNotifications()).toEqual(notes);
    expect(notes).toHaveLength(5);
  });

  it('a delivery update appends the record; the newest version wins on reopen', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await store.addNotification(notification('majors:1:firing'));
    await store.updateDelivery('majors:1:firing', 'slack:C1', sent);
    expect(await lines(join(dir, 'outbox.jsonl'))).toBe(2);
    await store.close();
    const again = await open(dir);
    expect((await again.getNotification('majors:1:firing'))!.deliveries['slack:C1']).toEqual(sent);
    expect(await again.pendingNotifications()).toEqual([]);
  });

  it('a deleted and re-created basket does not get its old history back', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await store.putRuntime(runtime('majors', { history: points(0, 5) }));
    await store.deleteBasket('majors');
    await store.putBasket(basket('majors'));
    await store.putRuntime(runtime('majors', { history: [point(100)] }));
    await store.close();
    const again = await open(dir);
    expect((await again.getRuntime('majors'))!.history.map((p) => p.at)).toEqual([100]);
  });

  it('reads a schema-2 document that holds everything inline, and moves it out on the first write', async () => {
    const dir = await tempDir();
    const doc = {
      ...createDocument(1),
      schemaVersion: 2,
      seeded: true,
      baskets: [basket('majors')],
      runtime: { majors: runtime('majors', { history: points(0, 3) }) },
      notifications: [notification('majors:1:firing')],
      audit: [audit('basket.create', 'majors')],
    };
    await writeFile(join(dir, 'corrwatch.json'), JSON.stringify(doc));
    const store = await open(dir);
    expect((await store.getRuntime('majors'))!.history).toHaveLength(3);
    expect(await store.listNotifications()).toHaveLength(1);
    expect(await store.listAudit()).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['corrwatch.json']);

    await store.appendAudit(audit('basket.set', 'majors'));
    expect((await readdir(dir)).sort()).toEqual(['audit.jsonl', 'corrwatch.json', 'history.jsonl', 'outbox.jsonl']);
    const main = JSON.parse(await readFile(join(dir, 'corrwatch.json'), 'utf8'));
    expect(main).toMatchObject({ schemaVersion: 3, notifications: [], audit: [], runtime: { majors: { history: [] } } });
    await store.close();
    const again = await open(dir);
    expect((await again.getRuntime('majors'))!.history).toHaveLength(3);
    expect(await again.listNotifications()).toHaveLength(1);
    expect((await again.listAudit()).map((a) => a.action)).toEqual(['basket.set', 'basket.create']);
  });

  it('refuses an outbox with a malformed line in the middle, naming the file and line, and leaves it untouched', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await store.addNotification(notification('majors:1:firing'));
    await store.close();
    const file = join(dir, 'outbox.jsonl');
    await appendFile(file, '{oops\n' + JSON.stringify(notification('majors:2:firing')) + '\n');
    const before = await readFile(file, 'utf8');
    await expect(open(dir)).rejects.toMatchObject({ code: 'corrupt', message: expect.stringMatching(/outbox\.jsonl line 2 is not valid JSON/) });
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('a history file that cannot be read is moved aside with a warning; the store opens with the history empty', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await store.putRuntime(runtime('majors'));
    await store.close();
    await writeFile(join(dir, 'history.jsonl'), '{oops\n{}\n');
    const again = new LowdbStore(dir);
    const warnings: string[] = [];
    again.onWarning = (m) => warnings.push(m);
    await again.open([]);
    expect((await again.getRuntime('majors'))!.history).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/history\.jsonl line 1 is not valid JSON.*moved aside to .*history\.jsonl\.broken-/)]);
    expect((await readdir(dir)).filter((f) => f.startsWith('history.jsonl.broken-'))).toHaveLength(1);
  });

  it('an audit line cut short by a crash is dropped, reported, and the file is made whole on the next write', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await store.appendAudit(audit('basket.create', 'majors'));
    await store.close();
    const file = join(dir, 'audit.jsonl');
    await appendFile(file, '{"at":1,"platf');
    const again = new LowdbStore(dir);
    const warnings: string[] = [];
    again.onWarning = (m) => warnings.push(m);
    await again.open([]);
    expect(warnings).toEqual([expect.stringMatching(/audit\.jsonl: its last line was cut short/)]);
    expect(await again.listAudit()).toHaveLength(1);
    await again.appendAudit(audit('basket.set', 'majors'));
    expect(await readFile(file, 'utf8')).toMatch(/^(\{.*\}\n){2}$/);
  });

  it('two instances (two processes) see each other’s appends', async () => {
    const dir = await tempDir();
    const watcher = await open(dir);
    await watcher.putRuntime(runtime('majors', { history: points(0, 2) }));
    // The CLI: another instance on the same directory in a child of this test would do the same; a second instance
    // in this process is refused, so the other side is simulated by appending as it would.
    await appendFile(join(dir, 'audit.jsonl'), JSON.stringify(audit('basket.set', 'majors')) + '\n');
    expect((await watcher.listAudit()).map((a) => a.action)).toEqual(['basket.set']);
    await watcher.putRuntime(runtime('majors', { history: points(0, 3) }));
    await watcher.appendAudit(audit('alerts.snooze', 'majors'));
    await watcher.close();
    const again = await open(dir);
    expect((await again.listAudit()).map((a) => a.action)).toEqual(['alerts.snooze', 'basket.set']);
    expect((await again.getRuntime('majors'))!.history).toHaveLength(3);
  });
});
