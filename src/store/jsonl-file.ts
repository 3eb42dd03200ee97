import { appendFile, open, rename, stat } from 'node:fs/promises';
import { StoreError } from './errors.js';
import { readTextIfExists, removeQuietly } from './file-io.js';
import { tempFilePath } from './paths.js';

/** What a JSON Lines file held: its records in order, and whether its last line was cut short. */
export interface JsonlContent {
  records: unknown[];
  /** The last line had no newline and did not parse: a write interrupted by a crash. It is not in `records`. */
  tornTail: boolean;
  /** Lines in the file (records plus a torn tail). */
  lines: number;
}

/**
 * Read a JSON Lines file (one JSON value per line; undefined when there is no file). Every line must parse, except
 * a last line without its newline: an append the process did not finish (it died mid-write), dropped and reported
 * as `tornTail` (its change was never confirmed to anyone). Any other bad line is a StoreError `corrupt` naming the
 * file and the line, because skipping it could lose an alert or an audit entry.
 */
export async function readJsonl(file: string): Promise<JsonlContent | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  const parts = text.split('\n');
  const complete = text.endsWith('\n') || text === '';
  const last = complete ? undefined : parts.pop();
  if (complete) parts.pop(); // the empty string after the final newline
  const records: unknown[] = [];
  parts.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line));
    } catch (e) {
      throw new StoreError(
        'corrupt',
        `${file} line ${i + 1} is not valid JSON (${(e as Error).message}). Move the file aside to start it empty, or restore it from a copy.`,
        { cause: e },
      );
    }
  });
  let tornTail = false;
  if (last !== undefined && last.trim() !== '') {
    try {
      records.push(JSON.parse(last));
    } catch {
      tornTail = true;
    }
  }
  return { records, tornTail, lines: parts.length + (last === undefined ? 0 : 1) };
}

/** Append records, one line each, to `file` (created if absent). A failure is a StoreError `io`. */
export async function appendJsonl(file: string, records: unknown[]): Promise<number> {
  if (records.length === 0) return 0;
  const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  try {
    await appendFile(file, text);
  } catch (e) {
    throw new StoreError('io', `cannot append to ${file}: ${(e as Error).message}. This change was not saved.`, { cause: e });
  }
  return Buffer.byteLength(text);
}

/**
 * Replace `file` by exactly these records, atomically: a temporary file beside it, flushed, then renamed over it,
 * so a crash leaves either the old file or the new one. A failure is a StoreError `io` and leaves the old file.
 */
export async function rewriteJsonl(file: string, records: unknown[]): Promise<number> {
  const text = records.map((r) => JSON.stringify(r) + '\n').join('');
  const tmp = tempFilePath(file);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await removeQuietly(tmp);
    throw new StoreError('io', `cannot write ${file}: ${(e as Error).message}. The file still holds its previous records.`, { cause: e });
  }
  return Buffer.byteLength(text);
}

/** Identifies one state of a file (inode, mtime, size), or undefined when absent: an append changes it too. */
export async function fileStamp(file: string): Promise<string | undefined> {
  try {
    const st = await stat(file);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError('io', `cannot read ${file}: ${(e as Error).message}. The file was left untouched; check its permissions.`, { cause: e });
  }
}
