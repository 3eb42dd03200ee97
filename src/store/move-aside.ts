import { lstat, rename } from 'node:fs/promises';
import { StoreError } from './errors.js';
import { storeFilePath } from './paths.js';

/**
 * Rename `<dataDir>/corrwatch.json` to `corrwatch.json.broken-<timestamp>` so the next start creates a fresh
 * store, and return the new path (undefined when there is no file). The timestamp is ISO 8601 UTC with `:`
 * written as `-` (e.g. `2025-01-02T03-04-05.678Z`), so the name is valid on every file system and in scp paths;
 * an existing file of that name is never replaced (`-2`, `-3`... are appended). Run it only while corrwatch is
 * stopped: a running store would write its file again.
 */
export async function moveAside(dataDir: string, now: Date = new Date()): Promise<string | undefined> {
  return moveFileAside(storeFilePath(dataDir), now);
}

/** `moveAside` for any file of the store (a side file such as outbox.jsonl): renamed to `<file>.broken-<timestamp>`. */
export async function moveFileAside(file: string, now: Date = new Date()): Promise<string | undefined> {
  if (!(await exists(file))) return undefined;
  const base = `${file}.broken-${now.toISOString().replaceAll(':', '-')}`;
  let target = base;
  for (let n = 2; await exists(target); n++) target = `${base}-${n}`;
  try {
    await rename(file, target);
  } catch (e) {
    throw new StoreError('io', `cannot move ${file} aside to ${target}: ${(e as Error).message}`, { cause: e });
  }
  return target;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new StoreError('io', `cannot look at ${path}: ${(e as Error).message}`, { cause: e });
  }
}
