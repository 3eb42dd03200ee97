import { execFile } from 'node:child_process';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';
import { describe, expect, it } from 'vitest';
import { LowdbStore, type StoreData } from '../../src/store/index.js';
import { basket, point, runtime } from './builders.js';
import { tempDir } from './temp-dirs.js';

const script = fileURLToPath(new URL('./fixtures/put-baskets.ts', import.meta.url));
const run = (dir: string, prefix: string, count: number) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', script, dir, prefix, String(count)], { timeout: 60_000 });
const changer = fileURLToPath(new URL('./fixtures/change-basket.ts', import.meta.url));
const change = (dir: string, name: string, prefix: string, count: number) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', changer, dir, name, prefix, String(count)], { timeout: 60_000 });

describe('LowdbStore shared by two processes', () => {
  it('a basket another process created is still there after this one writes (it re-reads the changed file)', async () => {
    const dir = await tempDir();
    const running = new LowdbStore(dir);
    await running.open([basket('majors')]);
    await run(dir, 'cli', 1);
    // The running process writes its tick's state from a document loaded before the other process wrote.
    await running.putRuntime(runtime('majors'));
    expect((await running.listBaskets()).map((b) => b.name).sort()).toEqual(['cli-0', 'majors']);
    const onDisk = JSON.parse(await readFile(running.location, 'utf8')) as { baskets: { name: string }[] };
    expect(onDisk.baskets.map((b) => b.name).sort()).toEqual(['cli-0', 'majors']);
    await running.close();
  });

  it('writes from both processes at the same time all land (each change is made under the lock)', async () => {
    const dir = await tempDir();
    const running = new LowdbStore(dir);
    await running.open([basket('majors')]);
    let done = false;
    const other = run(dir, 'other', 15).finally(() => (done = true));
    // Keep writing until the other process has finished its 15 writes, so the two interleave.
    let i = 0;
    while (!done && i < 2000) await running.putRuntime(runtime('majors', { history: [point(i++)] }));
    await other;
    expect(i).toBeGreaterThan(15);
    const names = (await running.listBaskets()).map((b) => b.name);
    expect(names.filter((n) => n.startsWith('other-')).length).toBe(15);
    expect(names).toContain('majors');
    expect((await running.getRuntime('majors'))!.history).toEqual([point(i - 1)]);
    await running.close();
    // A fresh reader sees the same.
    const again = new LowdbStore(dir);
    await again.open([]);
    expect((await again.listBaskets()).length).toBe(16);
    await again.close();
  });

  it("edits of one basket from two processes at the same time all land (Store.changeBasket: each sees the other's)", async () => {
    const dir = await tempDir();
    const running = new LowdbStore(dir);
    await running.open([basket('majors')]);
    let done = false;
    const other = change(dir, 'majors', 'P', 15).finally(() => (done = true));
    let i = 0;
    // (a basket holds at most 100 symbols: paced, so that the other process's edits come between these)
    while (!done && i < 75) {
      const sym = `R${i++}`;
      await running.changeBasket('majors', (b) => ({ ...b!, symbols: [...b!.symbols, sym] }));
      await new Promise((r) => setTimeout(r, 10));
    }
    await other;
    const symbols = (await running.getBasket('majors'))!.symbols;
    expect(symbols.filter((s) => s.startsWith('P'))).toEqual(Array.from({ length: 15 }, (_, k) => `P${k}`));
    expect(symbols.filter((s) => s.startsWith('R'))).toEqual(Array.from({ length: i }, (_, k) => `R${k}`));
    await running.close();
  });

  it("opening the store leaves another process's write in progress alone (temporary files are cleared under the lock)", async () => {
    // The CI failure this guards against: a CLI command opened the store while `corrwatch start` was writing it, and
    // the open removed start's temporary file before start renamed it over the document ("the store cannot be written").
    const dir = await tempDir();
    const first = new LowdbStore(dir);
    await first.open([basket('majors')]);
    await first.close();
    // Another process in the middle of a write: it holds the lock and has written its temporary file, not renamed it yet.
    const unlock = await lockfile.lock(first.location, { realpath: false });
    const written: StoreData = { ...JSON.parse(await readFile(first.location, 'utf8')), baskets: [basket('majors'), basket('theirs')] };
    const temp = join(dir, '.corrwatch.json.tmp');
    await writeFile(temp, JSON.stringify(written));
    const opening = new LowdbStore(dir);
    let opened = false;
    const open = opening.open([]).then(() => (opened = true));
    // Give the open every chance to run ahead (the old code removed the file within a few milliseconds).
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 25));
      expect(opened).toBe(false);
      expect(await stat(temp).then(() => true, () => false)).toBe(true);
    }
    // The other process finishes its write and lets go; the open then reads what it wrote.
    await rename(temp, first.location);
    await unlock();
    await open;
    expect((await opening.listBaskets()).map((b) => b.name).sort()).toEqual(['majors', 'theirs']);
    await opening.close();
  });
});
