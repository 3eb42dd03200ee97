import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { join } from 'node:path';
import { packageRoot } from '../domain/paths.js';
import { ConfigError } from '../domain/errors.js';
import { formatIssue, formatPath } from '../domain/issues.js';
import type { z } from 'zod';
import { configSchema, shown, type Config } from './schema.js';

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
  // Defined, not assigned: a `__proto__` key (YAML makes it an own key) would set the prototype, not be refused.
  for (const [k, v] of Object.entries(override)) {
    Object.defineProperty(out, k, { value: mergeConfig(Object.hasOwn(base, k) ? base[k] : undefined, v, [...path, k]), enumerable: true, writable: true, configurable: true });
  }
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

/** At most this many problems are listed (a list of 10,000 bad entries is not printed whole), each key this long. */
const MAX_ISSUES = 20;
const MAX_KEY_CHARS = 40;
const MAX_UNKNOWN_KEYS = 5;

type Issue = z.core.$ZodIssue;

const TYPE_NOUNS: Record<string, string> = { string: 'text', int: 'a whole number', boolean: 'true or false', array: 'a list', object: 'a mapping', record: 'a mapping' };

/** What a value of a type is called in a message (`a list`, `a mapping`, `a number`). */
function typeNoun(type: string): string {
  return TYPE_NOUNS[type] ?? `a ${type}`;
}

/** What was given, as a message says it: a scalar as written (clipped), a list or a mapping by its kind. */
function given(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object' && v !== null) return 'a mapping';
  return shown(v);
}

/** What one alternative of a union expects, from the issue it failed with (`"auto"`, `a number ≤ 16`). */
function expectation(issue: { code: string; values?: unknown[]; expected?: string; origin?: string; inclusive?: boolean; minimum?: unknown; maximum?: unknown } | undefined): string | undefined {
  if (!issue) return undefined;
  if (issue.code === 'invalid_value' && issue.values) return issue.values.map((v) => shown(v)).join(' or ');
  if (issue.code === 'invalid_type' && issue.expected) return typeNoun(issue.expected);
  if (issue.code === 'too_small' && issue.origin === 'number') return `a number ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}`;
  if (issue.code === 'too_big' && issue.origin === 'number') return `a number ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}`;
  return undefined;
}

/**
 * zod's own wording, where it says too little for a configuration file: "Invalid input" when no alternative of a
 * union fits, "received undefined" for a key that is missing, types by their TypeScript names. Say what is expected
 * and what was given. Messages a schema sets itself are kept (zod prefers them).
 */
const configErrors: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_union') {
    const alternatives = issue.errors.map((branch) => expectation(branch[0]));
    if (alternatives.some((a) => a === undefined)) return `expected another kind of value, got ${given(issue.input)}`;
    return `expected ${alternatives.join(' or ')}, got ${given(issue.input)}`;
  }
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `missing: expected ${typeNoun(issue.expected)}`;
    return `expected ${typeNoun(issue.expected)}, got ${given(issue.input)}`;
  }
  if ((issue.code === 'too_small' || issue.code === 'too_big') && issue.origin === 'number') return `expected ${expectation(issue)}, got ${given(issue.input)}`;
  return undefined;
};

/** A key as an error shows it: clipped, so that a 100 KB key (a basket name) is not printed back whole. */
function clipKey(key: PropertyKey): PropertyKey {
  return typeof key === 'string' && key.length > MAX_KEY_CHARS ? `${key.slice(0, MAX_KEY_CHARS).replace(/[\ud800-\udbff]$/, '')}… (${key.length} characters)` : key;
}

/** One problem, one line: `key.path: what is wrong`, with long keys clipped and a long list of unknown keys cut. */
function issueLine(issue: Issue): string {
  const path = issue.path.map(clipKey);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.slice(0, MAX_UNKNOWN_KEYS).map((k) => JSON.stringify(String(clipKey(k))));
    const more = issue.keys.length - keys.length;
    const at = path.length ? `${formatPath('', path)}: ` : '';
    return `${at}unknown key${issue.keys.length > 1 ? 's' : ''} ${keys.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  }
  return formatIssue({ ...issue, path }).replace(/[\r\n]+/g, ' ');
}

/** Validate a raw config object (already merged). Throws ConfigError listing every problem with its key path. */
export function parseConfig(raw: unknown, source?: string): Config {
  const r = configSchema.safeParse(raw, { error: configErrors });
  if (!r.success) {
    const lines = r.error.issues.slice(0, MAX_ISSUES).map(issueLine);
    const more = r.error.issues.length - lines.length;
    if (more > 0) lines.push(`and ${more} more problem${more === 1 ? '' : 's'}`);
    throw new ConfigError(lines, source);
  }
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
