import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The package root (the folder holding corrwatch's package.json), whether running from src/ (tsx, vitest) or dist/. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'config'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the corrwatch package root');
    dir = up;
  }
  cached = dir;
  return dir;
}
