import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/store/index.js';
import { basket, runtime } from './builders.js';
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

    // 16 KiB file size limit; the new document (2000 history points) is several times that. Node ignores
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
    expect(await readdir(dir)).toEqual(['corrwatch.json']);

    const again = new LowdbStore(dir);
    await again.open([]);
    expect(await again.getRuntime('majors')).toEqual(runtime('majors'));
  });
});
