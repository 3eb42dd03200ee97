import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../domain/paths.js';

let cached: string | undefined;

/** corrwatch's version from package.json. */
export function version(): string {
  cached ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
