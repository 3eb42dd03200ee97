import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const FIX = join(ROOT, 'test', 'fixtures');
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8'));
const dataDir = mkdtempSync(join(tmpdir(), 'cw-cli-'));

/** Run the CLI as a subprocess (the same code the bin runs, through tsx instead of the compiled copy). */
function cli(args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli-run.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    env: { ...process.env, CORRWATCH_DATA_DIR: dataDir, ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[]) {
  const r = cli([...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

function closeTo(actual: number, wanted: number, tol = 1e-9) {
  expect(Math.abs(actual - wanted)).toBeLessThan(tol);
}

describe('CLI --json against the worked example (values from numpy/scipy)', () => {
  for (const file of ['example_long.csv', 'example_wide.csv']) {
    it(`matrix --window all (${file})`, () => {
      const got = json(['matrix', 'AAA', 'BBB', 'CCC', 'DDD', '--window', 'all', '--source', `csv:${join(FIX, file)}`]);
      const want = expected.matrix_all;
      expect(got.symbols).toEqual(want.symbols);
      expect(got.n).toBe(want.n);
      got.matrix.forEach((row: number[], i: number) => row.forEach((v, j) => closeTo(v, want.matrix[i][j])));
      for (const k of ['avgCorrelation', 'dispersion', 'absorptionRatio', 'largestEigenShare']) closeTo(got[k], want[k]);
      expect(got.from).toBe(want.from);
      expect(got.to).toBe(want.to);
    });
  }

  it('matrix --window 60 --at 2023-06-30T00:00:00Z', () => {
    const got = json(['matrix', 'AAA', 'BBB', 'CCC', 'DDD', '--window', '60', '--at', '2023-06-30T00:00:00Z', '--source', `csv:${join(FIX, 'example_wide.csv')}`]);
    const want = expected['matrix_window60_at_2023-06-30'];
    expect(got.n).toBe(60);
    got.matrix.forEach((row: number[], i: number) => row.forEach((v, j) => closeTo(v, want.matrix[i][j])));
    for (const k of ['avgCorrelation', 'dispersion', 'absorptionRatio', 'largestEigenShare']) closeTo(got[k], want[k]);
    expect([got.from, got.to]).toEqual([want.from, want.to]);
  });

  it('corr AAA CCC --window all: rho, p-value, CI, n, dates', () => {
    const got = json(['corr', 'AAA', 'CCC', '--window', 'all', '--source', `csv:${join(FIX, 'example_long.csv')}`]);
    const want = expected.corr_AAA_CCC_all;
    expect(got.symbols).toEqual(want.symbols);
    expect(got.method).toBe('pearson');
    expect(got.window).toBe('all');
    expect(got.n).toBe(want.n);
    closeTo(got.rho, want.rho);
    expect(Math.abs(got.pValue - want.pValue) / want.pValue).toBeLessThan(1e-6);
    closeTo(got.ci95[0], want.ci95[0]);
    closeTo(got.ci95[1], want.ci95[1]);
    expect([got.from, got.to]).toEqual([want.from, want.to]);
  });

  it('corr BBB DDD --method spearman', () => {
    const got = json(['corr', 'BBB', 'DDD', '--window', 'all', '--method', 'spearman', '--source', `csv:${join(FIX, 'example_wide.csv')}`]);
    closeTo(got.rho, expected.corr_BBB_DDD_all_spearman.rho);
    expect(got.n).toBe(expected.corr_BBB_DDD_all_spearman.n);
  });

  it('compare AAA DDD --window 100', () => {
    const got = json(['compare', 'AAA', 'DDD', '--window', '100', '--source', `csv:${join(FIX, 'example_wide.csv')}`]);
    const want = expected.compare_AAA_DDD_window100;
    for (const k of ['rho', 'rhoBefore', 'z']) closeTo(got[k], want[k]);
    expect(Math.abs(got.pValue - want.pValue)).toBeLessThan(1e-9);
  });
});

describe('CLI errors and help', () => {
  const src = `csv:${join(FIX, 'example_wide.csv')}`;
  // One CLI process per test: each costs seconds on a loaded machine, so a test that ran them in a row outgrew the
  // test timeout there.
  it.each([
    { what: 'an unknown symbol', args: ['corr', 'AAA', 'ZZZ', '--source', src, '--json'] },
    { what: 'a window that is not one', args: ['corr', 'AAA', 'BBB', '--window', 'seven', '--source', src, '--json'] },
    { what: 'an unknown command', args: ['matrx', 'AAA', 'BBB'] },
    { what: 'an unknown source', args: ['corr', 'AAA', 'BBB', '--source', 'kraken'] },
    { what: 'a window too short', args: ['corr', 'AAA', 'BBB', '--window', '5', '--source', src] },
  ])('bad input ($what): exit 2, one line on stderr, nothing on stdout', ({ args }) => {
    const r = cli(args);
    expect(r.code, args.join(' ')).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^corrwatch: /);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('an unknown symbol is named', () => {
    expect(cli(['corr', 'AAA', 'ZZZ', '--source', src]).stderr).toMatch(/ZZZ is not (listed|in example_wide\.csv)/);
  });

  it('a mistyped command gets a suggestion', () => {
    expect(cli(['matrx', 'AAA']).stderr).toMatch(/did you mean matrix/);
  });

  it('a missing CSV file is a clear error', () => {
    const r = cli(['corr', 'AAA', 'BBB', '--source', 'csv:/nonexistent/prices.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/prices\.csv/);
  });

  it('a broken config is refused with the key path', () => {
    const p = join(dataDir, 'bad.yaml');
    writeFileSync(p, 'baskets:\n  majors:\n    symbols: [BTC, ETH]\n    window: seven\n');
    const r = cli(['corr', 'AAA', 'BBB'], { CORRWATCH_CONFIG: p });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('baskets.majors.window: expected a duration like 7d or a bar count, got "seven"');
  });

  it('--help still works with a broken config: the commands, the environment, the config path, the exit codes, and what is wrong', () => {
    const p = join(dataDir, 'broken.yaml');
    writeFileSync(p, 'baskets: [\n');
    const r = cli(['--help'], { CORRWATCH_CONFIG: p });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('corr');
    expect(r.stdout).toMatch(/Environment:[\s\S]*CORRWATCH_CONFIG[\s\S]*LOG_LEVEL[\s\S]*PORT/);
    expect(r.stdout).toContain(`with ${p} merged over it`);
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 ok · 2 bad input or configuration/);
    expect(r.stderr).toContain('is not valid YAML');
    const corr = cli(['corr', '--help'], { CORRWATCH_CONFIG: p });
    expect(corr.code).toBe(0);
    expect(corr.stdout).toContain('--window');
  });

  it('--help lists every command; <command> --help lists every option with its default', () => {
    const top = cli(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['corr', 'matrix', 'compare', 'regime', 'backtest', 'basket', 'alerts', 'start', 'help']) expect(top.stdout).toContain(c);
    const corr = cli(['corr', '--help']);
    expect(corr.code).toBe(0);
    for (const o of ['--at', '--timeframe', '--source', '--json', '--chart']) expect(corr.stdout).toContain(o);
    expect(corr.stdout).toMatch(/METHOD .*\[default: pearson\]/);
  });

  it('without --json prints a readable table', () => {
    const r = cli(['matrix', 'AAA', 'BBB', 'CCC', '--window', 'all', '--source', src]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/AAA\s+1\s+0\.53\s+0\.31/);
    expect(r.stdout).toContain('avg ρ');
  });

  it('--chart FILE writes a PNG', () => {
    const out = join(dataDir, 'm.png');
    const r = cli(['matrix', 'AAA', 'BBB', 'CCC', '--window', 'all', '--source', src, '--chart', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  });

  it('--chart into a folder that does not exist is a usage error (exit 2), said before the query runs', () => {
    const out = join(dataDir, 'no-such-folder', 'm.png');
    const r = cli(['matrix', 'AAA', 'BBB', 'CCC', '--window', 'all', '--source', src, '--chart', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`corrwatch: --chart ${out}: the folder ${join(dataDir, 'no-such-folder')} does not exist\n`);
    expect(r.stdout).toBe('');
  });
});

describe('corrwatch console', () => {
  it('answers lines typed on stdin, saves charts, and exits on `exit`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-console-'));
    const r = cli(['console', '--source', `csv:${join(FIX, 'example_wide.csv')}`], { CORRWATCH_DATA_DIR: dir }, '/corr AAA CCC window:all\nmatrix AAA BBB CCC\nbasket list\nexit\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('AAA / CCC: ρ +0.308');
    expect(r.stdout).toContain('Correlation matrix: AAA BBB CCC');
    expect(r.stdout).toContain('majors');
    const charts = [...r.stdout.matchAll(/chart: (\S+\.png)/g)].map((m) => m[1]);
    expect(charts.length).toBe(2);
    for (const c of charts) expect(readFileSync(c).subarray(0, 4).toString('hex')).toBe('89504e47');
  });
});
