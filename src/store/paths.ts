import { basename, dirname, join } from 'node:path';

/** The store's file name inside the data directory. */
export const STORE_FILE = 'corrwatch.json';

/** Path of the store's file in `dataDir`. */
export function storeFilePath(dataDir: string): string {
  return join(dataDir, STORE_FILE);
}

/**
 * The temporary file steno writes before renaming it over `file` (`.<name>.tmp` beside it). Kept in one place
 * because it is steno's convention, not ours; a test fails if a write leaves any other file behind.
 */
export function tempFilePath(file: string): string {
  return join(dirname(file), `.${basename(file)}.tmp`);
}

/**
 * The append-only files beside the main document (JSON Lines): regime history, the outbox (notification records,
 * each change appended as the whole record) and the audit log. See side-records.ts.
 */
export const SIDE_FILES = { history: 'history.jsonl', outbox: 'outbox.jsonl', audit: 'audit.jsonl' } as const;
export type SideFile = keyof typeof SIDE_FILES;

/** Path of one of the side files in `dataDir`. */
export function sideFilePath(dataDir: string, which: SideFile): string {
  return join(dataDir, SIDE_FILES[which]);
}
