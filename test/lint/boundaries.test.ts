import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The module boundaries are ESLint rules (eslint.config.js: no-restricted-imports, and no-restricted-syntax for
 * `import()`); `npm test` runs them on the whole tree. These tests run the repo's own config on one-line snippets
 * placed at paths in each folder, so a rule that stops matching (a pattern that depends on a folder's depth, a
 * block that a later one replaces) fails here rather than silently letting an import through.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const BOUNDARY_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);
const eslint = new ESLint({
  cwd: ROOT,
  // Only the boundary rules, without type information: the snippets are not files of the TypeScript project.
  ruleFilter: ({ ruleId }) => BOUNDARY_RULES.has(ruleId),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});

/** The boundary messages ESLint gives `code` as if it were the file at `path`. */
async function violations(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  const fatal = result.messages.filter((m) => m.fatal);
  expect(fatal, `${path}: ${code}`).toEqual([]);
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const imports = (spec: string) => `import { x } from '${spec}';\nexport const y = x;\n`;

/** [file, import specifier, a word the message must contain, or null when the import is allowed]. */
const LAYER_CASES: [string, string, string | null][] = [
  ['src/domain/zz.ts', './types.js', null],
  ['src/domain/zz.ts', '../app/runtime.js', 'src/domain is the bottom layer'],
  ['src/domain/zz.ts', '../config/schema.js', 'src/domain is the bottom layer'],
  ['src/domain/zz.ts', '../store/types.js', 'src/domain is the bottom layer'],
  ['src/stats/zz.ts', '../domain/errors.js', null],
  ['src/stats/zz.ts', './guards.js', null],
  ['src/stats/zz.ts', '../regime/types.js', 'src/stats imports only'],
  ['src/stats/zz.ts', '../../commands/index.js', 'src/stats imports only'],
  ['src/regime/zz.ts', '../stats/index.js', null],
  ['src/regime/zz.ts', '../domain/timeframe.js', null],
  ['src/regime/zz.ts', '../config/schema.js', 'src/regime imports only'],
  ['src/regime/zz.ts', '../alerts/policy.js', 'src/regime imports only'],
  ['src/alerts/zz.ts', '../store/types.js', null],
  ['src/alerts/zz.ts', '../regime/types.js', null],
  ['src/alerts/zz.ts', '../app/runtime.js', 'src/alerts does not import'],
  ['src/alerts/zz.ts', '../adapters/slack/index.js', 'src/alerts does not import'],
  ['src/alerts/zz.ts', '../scheduler/watcher.js', 'src/alerts does not import'],
  ['src/alerts/zz.ts', '../../commands/index.js', 'src/alerts does not import'],
  ['commands/zz.ts', '../src/config/baskets.js', null],
  ['commands/zz.ts', '../src/store/types.js', null],
  ['commands/zz.ts', '../src/app/runtime.js', 'commands/ does not import'],
  ['commands/zz.ts', '../src/adapters/discord/index.js', 'commands/ does not import'],
  ['src/adapters/slack/zz.ts', '../../domain/chat-runtime.js', null],
  ['src/adapters/slack/zz.ts', '../../../commands/index.js', null],
  ['src/adapters/slack/zz.ts', '../../app/runtime.js', 'Adapters do not import src/app'],
  ['src/adapters/discord/zz.ts', '../../app/runtime.js', 'Adapters do not import src/app'],
  ['src/adapters/console/zz.ts', '../../app/start.js', 'Adapters do not import src/app'],
  ['src/app/zz.ts', '../adapters/slack/index.js', null],
];

/** Pure modules: no file system, network or child processes. */
const IO_CASES: [string, string, boolean][] = [
  ['src/stats/zz.ts', 'node:fs', true],
  ['src/regime/zz.ts', 'node:fs/promises', true],
  ['src/regime/zz.ts', 'http', true],
  ['src/alerts/policy-zz.ts', 'node:child_process', true],
  ['src/alerts/evaluate-zz.ts', 'node:net', true],
  ['src/alerts/reasons.ts', 'node:https', true],
  ['src/alerts/notifier.ts', 'node:fs', false],
  ['src/store/zz.ts', 'node:fs', false],
];

/** [package, where it may be imported, a file elsewhere]. */
const SDK_CASES: [string, string, string][] = [
  ['ccxt', 'src/market/ccxt-source.ts', 'src/market/csv-source.ts'],
  ['@slack/bolt', 'src/adapters/slack/zz.ts', 'src/adapters/discord/zz.ts'],
  ['@slack/web-api', 'src/adapters/slack/zz.ts', 'src/app/zz.ts'],
  ['discord.js', 'src/adapters/discord/zz.ts', 'src/adapters/slack/zz.ts'],
  ['@discordjs/rest', 'src/adapters/discord/zz.ts', 'commands/zz.ts'],
  ['chart.js', 'src/chart/zz.ts', 'src/render/zz.ts'],
  ['chartjs-chart-matrix', 'src/chart/zz.ts', 'commands/zz.ts'],
  ['@napi-rs/canvas', 'src/chart/zz.ts', 'src/cli.ts'],
  ['lowdb', 'src/store/zz.ts', 'src/app/zz.ts'],
  ['lowdb/node', 'src/store/zz.ts', 'src/domain/zz.ts'],
];

describe('module boundaries (ESLint)', () => {
  describe('layers', () => {
    it.each(LAYER_CASES)('%s importing %s', async (path, spec, message) => {
      const found = await violations(path, imports(spec));
      if (message === null) expect(found).toEqual([]);
      else expect(found).toEqual([expect.stringMatching(new RegExp(`^no-restricted-imports: .*${message.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`))]);
    });

    it('`import type` and `export ... from` count as imports', async () => {
      expect(await violations('src/domain/zz.ts', "import type { Config } from '../config/schema.js';\nexport type C = Config;\n")).toHaveLength(1);
      expect(await violations('src/domain/zz.ts', "export { seedBaskets } from '../config/baskets.js';\n")).toHaveLength(1);
      expect(await violations('src/regime/zz.ts', "export * from '../alerts/policy.js';\n")).toHaveLength(1);
    });

    it('a dynamic import() is held to the same rule', async () => {
      const found = await violations('src/adapters/slack/zz.ts', "export const m = await import('../../app/start.js');\n");
      expect(found).toEqual([expect.stringMatching(/^no-restricted-syntax: Adapters do not import src\/app/)]);
    });
  });

  describe('pure modules do no I/O', () => {
    it.each(IO_CASES)('%s importing %s: refused %s', async (path, spec, refused) => {
      const found = await violations(path, imports(spec));
      if (refused) expect(found).toEqual([expect.stringContaining('Pure modules (stats, regime, alert policy) do no I/O.')]);
      else expect(found).toEqual([]);
    });
  });

  describe('SDKs are imported in one place each', () => {
    it.each(SDK_CASES)('%s: allowed in %s, refused in %s', async (pkg, allowed, elsewhere) => {
      expect(await violations(allowed, imports(pkg))).toEqual([]);
      expect(await violations(elsewhere, imports(pkg))).toEqual([expect.stringMatching(/^no-restricted-imports: .*Only /)]);
    });

    it('also through import() and typeof import()', async () => {
      expect(await violations('src/market/csv-source.ts', "export const load = () => import('ccxt');\n")).toEqual([
        'no-restricted-syntax: Only src/market/ccxt-source.ts imports ccxt.',
      ]);
      expect(await violations('src/market/csv-source.ts', "export type Ccxt = (typeof import('ccxt'))['default'];\n")).toEqual([
        'no-restricted-syntax: Only src/market/ccxt-source.ts imports ccxt.',
      ]);
      expect(await violations('src/market/ccxt-source.ts', "export const load = () => import('ccxt');\nexport type C = typeof import('ccxt');\n")).toEqual([]);
    });

    it('an adapter folder may import only its own SDK', async () => {
      expect(await violations('src/adapters/discord/zz.ts', imports('@slack/bolt'))).toHaveLength(1);
      expect(await violations('src/adapters/slack/zz.ts', imports('discord.js'))).toHaveLength(1);
    });
  });
});
