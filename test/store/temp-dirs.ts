import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh directory under the OS temp dir, removed after the file's tests. Call from inside a test or hook. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'corrwatch-store-'));
  created.push(dir);
  return dir;
}

const created: string[] = [];
afterAll(async () => {
  await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
});
