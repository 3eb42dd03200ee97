import { copyFile, readFile, rename, stat } from 'node:fs/promises';
import { UserError } from '../domain/errors.js';
import { moveAside } from './move-aside.js';
import { parseDocument } from './parse-document.js';
import { storeFilePath } from './paths.js';

/** How many good copies of the data file are kept beside it (`corrwatch.json.bak-1` is the newest). */
export const BACKUPS_KEPT = 3;

/** Path of backup number `n` (1 = newest). */
export function backupPath(file: string, n: number): string {
  return `${file}.bak-${n}`;
}

/**
 * Keep a copy of `file` (just written from a valid document) as backup 1, shifting the older ones down and
 * dropping the oldest. Failures are the caller's to report: a backup that cannot be made never fails a write.
 */
export async function rotateBackups(file: string, keep = BACKUPS_KEPT): Promise<void> {
  for (let n = keep - 1; n >= 1; n--) {
    try {
      await rename(backupPath(file, n), backupPath(file, n + 1));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  await copyFile(file, backupPath(file, 1));
}

export interface FileCheck {
  path: string;
  /** ok: a store this corrwatch reads; missing; or the reason it is refused. */
  status: 'ok' | 'missing' | 'refused';
  problem?: string;
  /** For readable files: baskets and notifications it holds, and when it was last written. */
  baskets?: number;
  notifications?: number;
  modifiedAt?: string;
}

async function checkFile(path: string): Promise<FileCheck> {
  let text: string;
  let modifiedAt: string;
  try {
    text = await readFile(path, 'utf8');
    modifiedAt = (await stat(path)).mtime.toISOString();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { path, status: 'missing' };
    return { path, status: 'refused', problem: (e as Error).message };
  }
  try {
    const doc = parseDocument(text, path);
    return { path, status: 'ok', baskets: doc.baskets.length, notifications: doc.notifications.length, modifiedAt };
  } catch (e) {
    return { path, status: 'refused', problem: (e as Error).message, modifiedAt };
  }
}

/** The data file and each backup: readable or not, and why (`corrwatch store check`). Reads only. */
export async function checkStore(dataDir: string): Promise<{ file: FileCheck; backups: FileCheck[] }> {
  const file = storeFilePath(dataDir);
  const backups: FileCheck[] = [];
  for (let n = 1; n <= BACKUPS_KEPT; n++) backups.push(await checkFile(backupPath(file, n)));
  return { file: await checkFile(file), backups };
}

/**
 * `corrwatch store repair --from-backup`: when the data file cannot be read, move it aside (nothing is deleted) and
 * put the newest readable backup in its place. Refuses when the file is fine or no backup is readable. Run it while
 * corrwatch is stopped.
 */
export async function repairFromBackup(dataDir: string, now: Date = new Date()): Promise<{ restoredFrom: string; movedAside?: string }> {
  const { file, backups } = await checkStore(dataDir);
  if (file.status === 'ok') throw new UserError('nothing_to_repair', `${file.path} is readable: there is nothing to repair`);
  const good = backups.find((b) => b.status === 'ok');
  if (!good) throw new UserError('no_backup', `no readable backup beside ${file.path} (${backups.map((b) => `${b.path}: ${b.status}`).join('; ')})`);
  const movedAside = file.status === 'missing' ? undefined : await moveAside(dataDir, now);
  await copyFile(good.path, file.path);
  return { restoredFrom: good.path, ...(movedAside ? { movedAside } : {}) };
}
