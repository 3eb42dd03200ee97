import { copyFile, readFile, rename, stat } from 'node:fs/promises';
import { UserError } from '../domain/errors.js';
import { readJsonl } from './jsonl-file.js';
import { moveAside, moveFileAside } from './move-aside.js';
import { parseDocument } from './parse-document.js';
import { sideFilePath, storeFilePath, type SideFile } from './paths.js';
import { foldAudit, foldHistory, foldOutbox } from './side-records.js';

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

/** A side file (history, outbox, audit) and, for the outbox and the audit log, its backups. */
export interface SideFileCheck {
  which: SideFile;
  path: string;
  status: 'ok' | 'missing' | 'refused';
  problem?: string;
  /** Lines it holds (a record or a change each). */
  records?: number;
  /** Its last line was cut short by an interrupted write (dropped when read, repaired by the next write). */
  tornTail?: boolean;
  backups: FileCheck[];
}

async function checkSide(dataDir: string, which: SideFile): Promise<SideFileCheck> {
  const path = sideFilePath(dataDir, which);
  const backups: FileCheck[] = [];
  if (which !== 'history') for (let n = 1; n <= BACKUPS_KEPT; n++) backups.push(await checkSideCopy(backupPath(path, n), which));
  const copy = await checkSideCopy(path, which);
  return { which, ...copy, backups };
}

async function checkSideCopy(path: string, which: SideFile): Promise<FileCheck & { records?: number; tornTail?: boolean }> {
  try {
    const content = await readJsonl(path);
    if (!content) return { path, status: 'missing' };
    if (which === 'audit') foldAudit(content.records, path);
    else if (which === 'outbox') foldOutbox(content.records, path);
    else foldHistory(content.records);
    const modifiedAt = (await stat(path)).mtime.toISOString();
    return { path, status: 'ok', records: content.records.length, ...(content.tornTail ? { tornTail: true } : {}), modifiedAt };
  } catch (e) {
    return { path, status: 'refused', problem: (e as Error).message };
  }
}

const SIDES: SideFile[] = ['outbox', 'audit', 'history'];

/** The data file, each backup and each side file: readable or not, and why (`corrwatch store check`). Reads only. */
export async function checkStore(dataDir: string): Promise<{ file: FileCheck; backups: FileCheck[]; sideFiles: SideFileCheck[] }> {
  const file = storeFilePath(dataDir);
  const backups: FileCheck[] = [];
  for (let n = 1; n <= BACKUPS_KEPT; n++) backups.push(await checkFile(backupPath(file, n)));
  const sideFiles: SideFileCheck[] = [];
  for (const which of SIDES) sideFiles.push(await checkSide(dataDir, which));
  return { file: await checkFile(file), backups, sideFiles };
}

export interface RepairReport {
  /** The backup the data file was restored from, when it was unreadable. */
  restoredFrom?: string;
  movedAside?: string;
  /** Side files that could not be read: restored from their newest readable backup, or moved aside to start empty. */
  sideFiles: { path: string; restoredFrom?: string; movedAside?: string }[];
}

/**
 * `corrwatch store repair --from-backup`: when the data file cannot be read, move it aside (nothing is deleted) and
 * put the newest readable backup in its place; likewise for the outbox and the audit log, and a history file that
 * cannot be read is moved aside (the history starts again). Refuses when every file is fine, or when the data file
 * is unreadable and no backup of it is. Run it while corrwatch is stopped.
 */
export async function repairFromBackup(dataDir: string, now: Date = new Date()): Promise<RepairReport> {
  const { file, backups, sideFiles } = await checkStore(dataDir);
  const badSides = sideFiles.filter((f) => f.status === 'refused');
  if (file.status === 'ok' && badSides.length === 0) {
    throw new UserError('nothing_to_repair', `${file.path} and the files beside it are readable: there is nothing to repair`);
  }
  const report: RepairReport = { sideFiles: [] };
  if (file.status !== 'ok') {
    const good = backups.find((b) => b.status === 'ok');
    if (!good) throw new UserError('no_backup', `no readable backup beside ${file.path} (${backups.map((b) => `${b.path}: ${b.status}`).join('; ')})`);
    const movedAside = file.status === 'missing' ? undefined : await moveAside(dataDir, now);
    await copyFile(good.path, file.path);
    report.restoredFrom = good.path;
    if (movedAside) report.movedAside = movedAside;
  }
  for (const side of badSides) {
    const movedAside = await moveFileAside(side.path, now);
    const good = side.backups.find((b) => b.status === 'ok');
    if (good) await copyFile(good.path, side.path);
    report.sideFiles.push({ path: side.path, ...(good ? { restoredFrom: good.path } : {}), ...(movedAside ? { movedAside } : {}) });
  }
  return report;
}
