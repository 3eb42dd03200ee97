import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LowdbStore, moveAside, STORE_SCHEMA_VERSION, StoreError, type StoreData } from '../../src/store/index.js';
import { basket, point, runtime } from './builders.js';
import { tempDir } from './temp-dirs.js';

const TEMP = '.corrwatch.json.tmp';

async function storeWith(dir: string): Promise<LowdbStore> {
  const store = new LowdbStore(dir);
  await store.open([basket('majors')]);
  return store;
}

function validDocument(): StoreData {
  return { schemaVersion: STORE_SCHEMA_VERSION, createdAt: 1, baskets: [basket('majors')], subscriptions: [], runtime: {}, notifications: [], audit: [], seeded: true };
}

describe('LowdbStore file', () => {
  it('creates the data directory and a file holding the schema version and the seed', async () => {
    const dir = join(await tempDir(), 'nested', 'data');
    const store = await storeWith(dir);
    expect(store.location).toBe(join(dir, 'corrwatch.json'));
    const doc = JSON.parse(await readFile(store.location, 'utf8'));
    expect(doc).toMatchObject({ schemaVersion: STORE_SCHEMA_VERSION, seeded: true, baskets: [basket('majors')], runtime: {}, notifications: [] });
    expect(await readdir(dir)).toEqual(['corrwatch.json']);
  });

  it('opens a file written by hand in the expected shape, without writing it', async () => {
    const dir = await tempDir();
    const text = JSON.stringify(validDocument());
    await writeFile(join(dir, 'corrwatch.json'), text);
    const store = new LowdbStore(dir);
    await store.open([basket('defi')]);
    expect((await store.listBaskets()).map((b) => b.name)).toEqual(['majors']);
    expect(await readFile(store.location, 'utf8')).toBe(text);
  });

  it('keeps fields it does not know through later writes', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'corrwatch.json'), JSON.stringify({ ...validDocument(), note: 'hand-written' }));
    const store = new LowdbStore(dir);
    await store.open([]);
    await store.putBasket(basket('defi'));
    expect(JSON.parse(await readFile(store.location, 'utf8')).note).toBe('hand-written');
  });
});

describe('LowdbStore refuses a file it cannot read as a store, and leaves it untouched', () => {
  const cases: { name: string; content: string; code: string; says: RegExp }[] = [
    { name: 'truncated JSON', content: JSON.stringify(validDocument()).slice(0, 40), code: 'corrupt', says: /is not valid JSON/ },
    { name: 'an empty file', content: '', code: 'corrupt', says: /is not valid JSON/ },
    { name: 'JSON null', content: 'null', code: 'corrupt', says: /expected a JSON object, found null/ },
    { name: 'a JSON array', content: '[]', code: 'corrupt', says: /expected a JSON object, found an array/ },
    { name: 'an object without schemaVersion', content: '{"baskets":[]}', code: 'corrupt', says: /has no schemaVersion/ },
    {
      name: 'a basket of the wrong shape',
      content: JSON.stringify({ ...validDocument(), baskets: [{ ...basket('majors'), symbols: 'BTC/USDT' }] }),
      code: 'corrupt',
      says: /does not have the shape of a corrwatch data file: baskets\[0\]\.symbols: /,
    },
    {
      name: 'a missing top-level field',
      content: JSON.stringify({ ...validDocument(), audit: undefined }),
      code: 'corrupt',
      says: /audit: /,
    },
    {
      name: 'two baskets of the same name',
      content: JSON.stringify({ ...validDocument(), baskets: [basket('majors'), basket('majors')] }),
      code: 'corrupt',
      says: /baskets\[1\]: duplicate basket name "majors"/,
    },
    {
      name: 'a one-symbol basket (hand-edited): named with the basket',
      content: JSON.stringify({ ...validDocument(), baskets: [basket('majors', { symbols: ['BTC'] })] }),
      code: 'corrupt',
      says: /baskets\[0\]\.symbols: basket "majors": holds 1 symbols; a basket holds 2 to 100/,
    },
    {
      name: 'thresholds a basket cannot use: named with the basket',
      content: JSON.stringify({ ...validDocument(), baskets: [basket('majors', { thresholds: { enterZ: 2, exitZ: 3, stressProbability: 0.2, decoupleZ: -2 } })] }),
      code: 'corrupt',
      says: /basket "majors": exitZ must be below enterZ \(2\), got 3.*basket "majors": stressProbability must be from 0\.5 to 1, got 0\.2/,
    },
    {
      name: 'a basket window no basket fills',
      content: JSON.stringify({ ...validDocument(), baskets: [basket('majors', { window: '99999999' })] }),
      code: 'corrupt',
      says: /baskets\[0\]\.window: basket "majors": 99999999 is 99999999 bars; at most 50000/,
    },
    { name: 'schemaVersion 99', content: JSON.stringify({ ...validDocument(), schemaVersion: 99 }), code: 'unknown_version', says: /schemaVersion 99, but this corrwatch reads only version 3 \(a newer corrwatch wrote it/ },
    { name: 'schemaVersion "1" (a string)', content: JSON.stringify({ ...validDocument(), schemaVersion: '1' }), code: 'unknown_version', says: /schemaVersion "1"/ },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const dir = await tempDir();
      const file = join(dir, 'corrwatch.json');
      await writeFile(file, c.content);
      const before = await readFile(file);
      const store = new LowdbStore(dir);
      const error = await store.open([basket('majors')]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: c.code });
      const message = (error as Error).message;
      expect(message).toMatch(c.says);
      expect(message).toContain(file);
      expect(message).toContain('left untouched');
      expect(message).toContain('`corrwatch store move-aside`');
      expect(await readFile(file)).toEqual(before);
      expect(await readdir(dir)).toEqual(['corrwatch.json']);
      await expect(store.listBaskets()).rejects.toThrow(/not open/);
    });
  }

  it('opens fresh on the same instance once the file is moved aside', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'corrwatch.json'), '{oops');
    const store = new LowdbStore(dir);
    await expect(store.open([basket('majors')])).rejects.toMatchObject({ code: 'corrupt' });
    const moved = await moveAside(dir);
    await store.open([basket('majors')]);
    expect((await store.listBaskets()).map((b) => b.name)).toEqual(['majors']);
    expect(await readFile(moved!, 'utf8')).toBe('{oops');
  });

  it('reports a data directory it cannot create, and a file it cannot read, as io', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'a-file'), 'x');
    await expect(new LowdbStore(join(root, 'a-file', 'data')).open([])).rejects.toMatchObject({
      code: 'io',
      message: expect.stringContaining('cannot create the data directory'),
    });
    await mkdir(join(root, 'dir', 'corrwatch.json'), { recursive: true });
    await expect(new LowdbStore(join(root, 'dir')).open([])).rejects.toMatchObject({ code: 'io', message: expect.stringContaining('cannot read') });
  });
});

describe('LowdbStore writes', () => {
  it('a write that fails part-way keeps the previous file, leaves no temporary file, and the next write works', async () => {
    const dir = await tempDir();
    const store = await storeWith(dir);
    await store.putRuntime(runtime('majors'));
    const before = await readFile(store.location);
    // Every byte written to the temporary file now fails as on a full disk.
    await symlink('/dev/full', join(dir, TEMP));
    // A change to both the main document (lastTickAt) and the history (appended to history.jsonl before the main
    // document is written): the history line is appended, then the main write fails.
    await expect(store.putRuntime(runtime('majors', { lastTickAt: 9, history: [point(1), point(2), point(7)] }))).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(/ENOSPC.*still holds the previous state/),
    });
    expect(await readFile(store.location)).toEqual(before);
    expect(await readdir(dir)).toEqual(['corrwatch.json', 'history.jsonl']);
    expect(await store.getRuntime('majors')).toEqual(runtime('majors'));
    await store.putBasket(basket('defi'));
    await store.close();
    // The next write rewrote history.jsonl whole, without the point of the change that failed.
    const again = new LowdbStore(dir);
    await again.open([]);
    expect((await again.listBaskets()).map((b) => b.name)).toEqual(['majors', 'defi']);
    expect(await again.getRuntime('majors')).toEqual(runtime('majors'));
  });

  it('a temporary file left by a process that died mid-write is ignored and removed at open', async () => {
    const dir = await tempDir();
    const store = await storeWith(dir);
    await store.close();
    const whole = await readFile(store.location, 'utf8');
    await writeFile(join(dir, TEMP), whole.slice(0, whole.length / 2));
    const again = await storeWith(dir);
    expect((await again.listBaskets()).map((b) => b.name)).toEqual(['majors']);
    expect(await readdir(dir)).toEqual(['corrwatch.json']);
  });

  it('an open whose first write fails creates no file and can be tried again', async () => {
    const dir = await tempDir();
    // A directory where steno writes its temporary file: the write fails with EISDIR.
    await mkdir(join(dir, TEMP, 'blocker'), { recursive: true });
    const store = new LowdbStore(dir);
    await expect(store.open([basket('majors')])).rejects.toMatchObject({ code: 'io', message: expect.stringContaining('EISDIR') });
    expect(await readdir(dir)).toEqual([TEMP]);
    await rm(join(dir, TEMP), { recursive: true });
    await store.open([basket('majors')]);
    expect((await store.listBaskets()).map((b) => b.name)).toEqual(['majors']);
  });

  it('refuses a second instance on the same file in one process until the first is closed', async () => {
    const dir = await tempDir();
    const first = await storeWith(dir);
    const second = new LowdbStore(dir);
    await expect(second.open([])).rejects.toThrow(/already open in this process/);
    await first.close();
    await second.open([]);
    expect((await second.listBaskets()).map((b) => b.name)).toEqual(['majors']);
  });
});
