import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/store/index.js';
import { basket, point, runtime } from './builders.js';
import { tempDir } from './temp-dirs.js';

const script = fileURLToPath(new URL('./fixtures/write-under-limit.ts', import.meta.url));

describe('LowdbStore under a write that stops part-way (another process, file size limited)', () => {
  it('keeps the previous file byte for byte and leaves no partial file', async () => {
    const dir = await tempDir();
    const store = new LowdbStore(dir);
    await store.open([basket('majors')]);
    await store.putRuntime(runtime('majors'));
    await store.close();
    const before = await readFile(store.location);
    expect(before.length).toBeLessThan(16 * 1024);

    // 16 KiB file size limit; the 2000 new history points are several times that. Node ignores
    // SIGXFSZ, so the write fails with EFBIG after writing the first 16 KiB of the temporary file.
    const { stdout } = await promisify(execFile)(
      'bash',
      ['-c', 'ulimit -f 16 && exec "$0" --import tsx "$1" "$2"', process.execPath, script, dir],
      { timeout: 20_000 },
    );
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ ok: false, code: 'io', historyInMemory: 2 });
    expect(result.message).toMatch(/EFBIG/);
    expect(await readFile(store.location)).toEqual(before);
    // The history went to history.jsonl, which was being appended to: it now ends in a cut-short line.
    expect(await readdir(dir)).toEqual(['corrwatch.json', 'history.jsonl']);
    expect(await readFile(join(dir, 'history.jsonl'), 'utf8')).not.toMatch(/\n$/);

    const again = new LowdbStore(dir);
    const warnings: string[] = [];
    again.onWarning = (m) => warnings.push(m);
    await again.open([]);
    expect(await again.getRuntime('majors')).toEqual(runtime('majors'));
    expect(warnings).toEqual([expect.stringMatching(/history\.jsonl: its last line was cut short/)]);
    // The next write replaces the damaged file whole.
    await again.putRuntime(runtime('majors', { history: [point(1), point(2), point(3)] }));
    await again.close();
    const third = new LowdbStore(dir);
    await third.open([]);
    expect((await third.getRuntime('majors'))?.history.map((p) => p.at)).toEqual([1, 2, 3]);
  });
});
