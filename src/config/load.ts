import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { join } from 'node:path';
import { packageRoot } from '../domain/paths.js';
import { ConfigError } from '../domain/errors.js';
import { issueLines } from '../domain/issues.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_PATH = join(packageRoot(), 'config', 'default.yaml');

type Env = Record<string, string | undefined>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge where the override wins; arrays and `baskets` are replaced, not merged (a user's baskets replace the examples). */
export function mergeConfig(base: unknown, override: unknown, path: string[] = []): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  if (path.length === 1 && path[0] === 'baskets') return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = mergeConfig(base[k], v, [...path, k]);
  return out;
}

function readYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError([code === 'ENOENT' ? `file not found: ${path}` : `cannot read ${path}: ${code ?? String(e)}`]);
  }
  try {
    const doc: unknown = parseYaml(text, { prettyErrors: true });
    return doc ?? {};
  } catch (e) {
    throw new ConfigError([`${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`]);
  }
}

/** Validate a raw config object (already merged). Throws ConfigError listing every problem with its key path. */
export function parseConfig(raw: unknown, source?: string): Config {
  const r = configSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(issueLines(r.error.issues), source);
  return r.data;
}

/**
 * Load config/default.yaml, merge the file named in CORRWATCH_CONFIG over it, apply env overrides
 * (CORRWATCH_DATA_DIR, CORRWATCH_SOURCE), validate. Secrets (chat tokens) are never read from files.
 */
export function loadConfig(env: Env = process.env, opts: { defaultPath?: string } = {}): Config {
  const defaultPath = opts.defaultPath ?? DEFAULT_CONFIG_PATH;
  let raw = readYaml(defaultPath);
  let source = defaultPath;
  if (env.CORRWATCH_CONFIG) {
    const override = readYaml(env.CORRWATCH_CONFIG);
    // A file that is a list or a scalar would replace the whole configuration, defaults and all.
    if (!isPlainObject(override)) {
      throw new ConfigError([`${env.CORRWATCH_CONFIG} must be a mapping of keys (like the default config), not ${Array.isArray(override) ? 'a list' : `a ${typeof override}`}`]);
    }
    raw = mergeConfig(raw, override);
    source = env.CORRWATCH_CONFIG;
  }
  const overlay: Record<string, unknown> = {};
  if (env.CORRWATCH_DATA_DIR) overlay.dataDir = env.CORRWATCH_DATA_DIR;
  if (env.CORRWATCH_SOURCE) overlay.market = { source: env.CORRWATCH_SOURCE };
  raw = mergeConfig(raw, overlay);
  return parseConfig(raw, source);
}
