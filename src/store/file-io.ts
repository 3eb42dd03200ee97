import { mkdir, readFile, rm } from 'node:fs/promises';
import { StoreError } from './errors.js';

/** Create `dir` (and its parents) unless it exists; a failure is a StoreError `io`. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new StoreError('io', `cannot create the data directory ${dir}: ${(e as Error).message}. Check the path and its permissions.`, { cause: e });
  }
}

/** The text of `file`, or undefined when it does not exist; any other failure is a StoreError `io`. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError('io', `cannot read ${file}: ${(e as Error).message}. The file was left untouched; check its permissions.`, { cause: e });
  }
}

/** Remove `file` if present, ignoring every failure (used for leftovers, never for data). */
export async function removeQuietly(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => undefined);
}
