import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import type { Invocation } from '../../src/domain/invocation.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** The CLI's caller for the real-data backtests (backtest is CLI-only). */
export const CLI: Invocation = { platform: 'cli', userId: 'tester', channelId: 'cli', isAdmin: true };

/** One alert of `backtest --json`. */
export interface BacktestAlert {
  at: string;
  state: string;
  episode: number;
}

/** Whether Rscript runs here (Debian's r-base-core; .ci/run installs it). When not, say so once per suite. */
export function rscriptAvailable(what: string): boolean {
  const ok = spawnSync('Rscript', ['--version'], { encoding: 'utf8' }).status === 0;
  if (!ok) console.warn(`skipping ${what}: Rscript is not installed (apt-get install r-base-core)`);
  return ok;
}

/**
 * R's datasets::EuStockMarkets exported by scripts/export-eustockmarkets.R into a temporary directory (removed after
 * the file's tests); returns the CSV's path. Call from inside a test.
 */
export function exportEuStockMarkets(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-eustock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'eustockmarkets.csv');
  const r = spawnSync('Rscript', [join(ROOT, 'scripts', 'export-eustockmarkets.R'), path], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return path;
}

/** Whether R's fPortfolio package loads here (Debian's r-cran-fportfolio; .ci/run installs it). When not, say so. */
export function fportfolioAvailable(what: string): boolean {
  const ok = spawnSync('Rscript', ['-e', 'suppressMessages(library(fPortfolio))'], { encoding: 'utf8' }).status === 0;
  if (!ok) console.warn(`skipping ${what}: R's fPortfolio is not installed (apt-get install r-cran-fportfolio)`);
  return ok;
}

/**
 * fPortfolio's SPISECTOR and SWX exported by scripts/export-fportfolio.R into a temporary directory (removed after
 * the file's tests); returns the directory. Call from inside a test.
 */
export function exportFportfolio(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-fportfolio-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync('Rscript', [join(ROOT, 'scripts', 'export-fportfolio.R'), dir], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return dir;
}
