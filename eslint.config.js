import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Module boundaries (issue 10). Layers, bottom up: src/domain (types and ports) <- src/stats <- src/regime <-
 * src/alerts <- ... <- commands/ <- src/adapters <- src/app. Each rule names what a folder may NOT import; a
 * relative specifier is matched as written, so the patterns depend on the folder's depth (test/lint/boundaries.test.ts
 * runs each rule on a snippet at a path in the folder, so a pattern that stops matching fails there).
 */
const LAYERS = {
  domain: [{ regex: '^\\.\\.(/|$)', message: 'src/domain is the bottom layer: it imports only src/domain (and packages).' }],
  stats: [{ regex: '^\\.\\./(?!(domain|stats)/)', message: 'src/stats imports only src/domain and src/stats.' }],
  regime: [{ regex: '^\\.\\./(?!(domain|stats|regime)/)', message: 'src/regime imports only src/domain, src/stats and src/regime.' }],
  alerts: [{ regex: '^(\\.\\./)+(src/)?(adapters|app|scheduler|commands)(/|$)', message: 'src/alerts does not import the adapters, the app, the scheduler or the commands (they use it, not the other way).' }],
  commands: [{ regex: '^\\.\\./src/(app|adapters)(/|$)', message: 'commands/ does not import src/app or src/adapters: move what it needs down (src/config, src/domain).' }],
  adapters: [{ regex: '^(\\.\\./)+app(/|$)', message: 'Adapters do not import src/app: they get the ChatRuntime port (src/domain/chat-runtime.ts).' }],
};

/** Which code may import which SDK (only the adapter imports its platform SDK; one module talks to ccxt). */
const SDKS = {
  ccxt: { regex: '^ccxt(/|$)', message: 'Only src/market/ccxt-source.ts imports ccxt.' },
  slack: { regex: '^@slack/', message: 'Only src/adapters/slack imports @slack/*.' },
  discord: { regex: '^(discord\\.js|@discordjs/)', message: 'Only src/adapters/discord imports discord.js and @discordjs/*.' },
  chart: { regex: '^(chart\\.js|chartjs-|@napi-rs/canvas)', message: 'Only src/chart imports chart.js, chartjs-* and @napi-rs/canvas.' },
  lowdb: { regex: '^lowdb(/|$)', message: 'Only src/store imports lowdb.' },
};

/** Statistics, regime and alert-policy modules are pure: no file system, network or processes. */
const NO_IO = [{ regex: '^(node:)?(fs|net|http|https|child_process)(/|$)', message: 'Pure modules (stats, regime, alert policy) do no I/O.' }];
const ALERTS_PURE = ['src/alerts/policy*.ts', 'src/alerts/evaluate*.ts', 'src/alerts/check*.ts', 'src/alerts/alert-state*.ts', 'src/alerts/reasons*.ts'];

/**
 * One block per set of files, general to specific (a later block's options replace an earlier one's for the same
 * rule, so each block lists everything that applies to its files). Static imports and `export ... from` go through
 * no-restricted-imports; `import()` and `typeof import()` through no-restricted-syntax with the same expressions.
 */
const ZONES = [
  { files: ['src/**/*.ts', 'commands/**/*.ts'] },
  { files: ['src/domain/**/*.ts'], layer: 'domain' },
  { files: ['src/stats/**/*.ts'], layer: 'stats', io: true },
  { files: ['src/regime/**/*.ts'], layer: 'regime', io: true },
  { files: ['src/alerts/**/*.ts'], layer: 'alerts' },
  { files: ALERTS_PURE, layer: 'alerts', io: true },
  { files: ['commands/**/*.ts'], layer: 'commands' },
  { files: ['src/adapters/**/*.ts'], layer: 'adapters' },
  { files: ['src/adapters/slack/**/*.ts'], layer: 'adapters', sdk: 'slack' },
  { files: ['src/adapters/discord/**/*.ts'], layer: 'adapters', sdk: 'discord' },
  { files: ['src/market/ccxt-source.ts'], sdk: 'ccxt' },
  { files: ['src/chart/**/*.ts'], sdk: 'chart' },
  { files: ['src/store/**/*.ts'], sdk: 'lowdb' },
];

/** A regex for an esquery selector: `/` must be escaped there. */
const selectorRegex = (re) => re.replace(/(?<!\\)\//g, '\\/');

function boundaryRules({ layer, io, sdk }) {
  const patterns = [...(LAYERS[layer] ?? []), ...(io ? NO_IO : []), ...Object.entries(SDKS).filter(([name]) => name !== sdk).map(([, p]) => p)];
  return {
    'no-restricted-imports': ['error', { patterns: patterns.map(({ regex, message }) => ({ regex, message })) }],
    'no-restricted-syntax': [
      'error',
      ...patterns.flatMap(({ regex, message }) => [
        { selector: `ImportExpression[source.value=/${selectorRegex(regex)}/]`, message },
        { selector: `TSImportType[source.value=/${selectorRegex(regex)}/]`, message },
      ]),
    ],
  };
}

const TYPED = ['src/**/*.ts', 'commands/**/*.ts'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // Type-aware rules for the shipped code (src/, commands/); tests and benches keep the syntax-only set.
  ...tseslint.configs.recommendedTypeCheckedOnly.map((c) => ({ ...c, files: TYPED })),
  {
    files: TYPED,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Off: an async function without await is how this code implements Promise-returning ports (stores, sources, notifiers); it also turns a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      // Passing on a rejection reason of type unknown (`(e: unknown) => reject(e)`) is forwarding, not inventing a non-Error; known non-Error reasons are still reported.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  ...ZONES.map((z) => ({ files: z.files, rules: boundaryRules(z) })),
);
