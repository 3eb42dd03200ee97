import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeExchange, type FakeExchange } from '../fakes/fake-exchange.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cw-lazy-'));

/**
 * A module resolve hook (module.register) that appends every resolved URL to a file: what a CLI run loaded, without
 * --trace flags or a change to the CLI. Registered after tsx, so it runs first and logs the final URLs.
 */
const HOOKS = join(dir, 'hooks.mjs');
const REGISTER = join(dir, 'register.mjs');
writeFileSync(
  HOOKS,
  `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(log, r.url + '\\n');
  return r;
}
`,
);
writeFileSync(REGISTER, `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${HOOKS}`).href)}, { data: { log: process.env.CW_RESOLVE_LOG } });\n`);

/** Heavy packages a command loads only when it needs them: the exchange library, charts, chat SDKs, node-postgres. */
const HEAVY = /\/node_modules\/(ccxt|chart\.js|chartjs-[^/]+|@napi-rs\/canvas[^/]*|discord\.js|@discordjs\/[^/]+|@slack\/[^/]+|pg|pg-[^/]+)\//;

let runs = 0;
/** Run the CLI (through tsx, as the other CLI tests) and return its exit code, output and the packages it loaded. */
async function run(args: string[], env: Record<string, string> = {}) {
  const log = join(dir, `resolved-${++runs}.txt`);
  writeFileSync(log, '');
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', REGISTER, join(ROOT, 'src', 'cli-run.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, CORRWATCH_DATA_DIR: join(dir, 'data'), CW_RESOLVE_LOG: log, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = [...new Set(urls.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p): p is string => p !== undefined))];
  return { code, stdout, stderr, urls, packages, heavy: urls.filter((u) => HEAVY.test(u)) };
}

describe('the CLI loads ccxt, charts and chat SDKs only when a command needs them (issue 10, start-up)', () => {
  let fake: FakeExchange;
  beforeAll(async () => {
    fake = await startFakeExchange();
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--help loads none of them', async () => {
    const r = await run(['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('corr');
    // The hook sees the packages that are loaded (the configuration's YAML parser)...
    expect(r.packages).toContain('yaml');
    // ...and none of the heavy ones.
    expect(r.heavy).toEqual([]);
  });

  it('a text-only query on the simulator or a CSV file loads none of them', async () => {
    for (const source of ['sim:1', `csv:${join(ROOT, 'test', 'fixtures', 'example_long.csv')}`]) {
      const symbols = source.startsWith('sim:') ? ['BTC', 'ETH'] : ['AAA', 'BBB'];
      const r = await run(['corr', ...symbols, '--source', source]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/ρ [+-]\d/);
      expect(r.heavy, source).toEqual([]);
    }
  });

  it('a query on an exchange loads ccxt (and still no charts or chat SDKs)', async () => {
    const config = join(dir, 'ccxt.yaml');
    writeFileSync(config, `market:\n  source: ccxt:binance\n  baseUrl: ${JSON.stringify(fake.baseUrl)}\n`);
    const r = await run(['corr', 'BTC', 'ETH', '--window', '48'], { CORRWATCH_CONFIG: config });
    expect(r.code, r.stderr).toBe(0);
    expect(r.packages).toContain('ccxt');
    expect(r.heavy.filter((u) => !u.includes('/node_modules/ccxt/'))).toEqual([]);
  });
});
