import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moveAside } from '../../src/store/index.js';
import { tempDir } from './temp-dirs.js';

const at = new Date('2025-01-02T03:04:05.678Z');

describe('moveAside', () => {
  it('renames the data file with a timestamp and returns the new path', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'corrwatch.json'), '{broken');
    const moved = await moveAside(dir, at);
    expect(moved).toBe(join(dir, 'corrwatch.json.broken-2025-01-02T03-04-05.678Z'));
    expect(await readdir(dir)).toEqual(['corrwatch.json.broken-2025-01-02T03-04-05.678Z']);
    expect(await readFile(moved!, 'utf8')).toBe('{broken');
  });

  it('never replaces an earlier moved-aside file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'corrwatch.json'), 'first');
    const first = await moveAside(dir, at);
    await writeFile(join(dir, 'corrwatch.json'), 'second');
    const second = await moveAside(dir, at);
    expect(second).toBe(`${first}-2`);
    expect(await readFile(first!, 'utf8')).toBe('first');
    expect(await readFile(second!, 'utf8')).toBe('second');
  });

  it('returns undefined when there is no data file', async () => {
    const dir = await tempDir();
    expect(await moveAside(dir)).toBeUndefined();
    expect(await moveAside(join(dir, 'missing'))).toBeUndefined();
  });
});
