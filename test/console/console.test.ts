import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleSession } from '../../src/adapters/console/console-adapter.js';
import { chartRenderer } from '../../src/chart/index.js';
import type { Invocation } from '../../src/domain/invocation.js';
import { WIDE_CSV, makeEnv, pngSize, type TestEnv } from '../commands/helpers.js';
import { logReturns, pearson, readWideCsv, signed3, windowOf } from '../commands/reference.js';

const ME: Invocation = { platform: 'console', userId: 'me', channelId: 'console', isAdmin: true };

const csv = readWideCsv(WIDE_CSV);
const ret = (s: string) => logReturns(csv.times, csv.closes[s]);
const rho = (a: string, b: string, n: number) => pearson(windowOf(ret(a), n).values, windowOf(ret(b), n).values);

interface Driven {
  session: ConsoleSession;
  input: PassThrough;
  /** Everything printed so far. */
  out: () => string;
}

function drive(env: TestEnv, dataDir: string): Driven {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const session = startConsole({ input, output, context: () => env.rt.context(ME), dataDir });
  return { session, input, out: () => text };
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'corrwatch-console-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('console session driven through stdin', () => {
  it('answers each line in order, saves charts under the data dir, keeps history, and closes on exit', async () => {
    const env = await makeEnv({ market: 'csv', charts: chartRenderer });
    const dataDir = join(tempDir(), 'data');
    const { session, input, out } = drive(env, dataDir);
    const lines = ['/corr AAA BBB --window 60', 'corr AAA CCC window:60', '', 'matrix AAA BBB CCC', 'matrx AAA'];
    for (const l of lines) input.write(l + '\n');
    input.write('exit\n');
    await session.closed;
    const text = out();

    expect(text.startsWith('corrwatch console. Type help for the commands, exit to quit.\n')).toBe(true);
    expect(text).toContain('corrwatch> ');

    // replies, in the order typed, with values computed here
    const corrAB = text.indexOf(`AAA / BBB: ρ ${signed3(rho('AAA', 'BBB', 60))}\nPearson correlation of 1d log returns`);
    const corrAC = text.indexOf(`AAA / CCC: ρ ${signed3(rho('AAA', 'CCC', 60))}\n`);
    const matrix = text.indexOf('Correlation matrix: AAA BBB CCC\n');
    const bad = text.indexOf('Cannot do that\nunknown command "matrx"; did you mean matrix? Try: help');
    expect([corrAB, corrAC, matrix, bad].every((i) => i >= 0), text).toBe(true);
    expect(corrAB < corrAC && corrAC < matrix && matrix < bad).toBe(true);
    expect(text).toMatch(/ {2}returns\s+60 × 1d/);

    // the matrix is printed as a plain table (no code fences), default window 90 returns of daily bars
    const table = text.slice(matrix).split('\n');
    const rowAAA = table.find((l) => l.startsWith('AAA '))!;
    expect(rowAAA.trim().split(/\s+/)).toEqual(['AAA', '1', rho('AAA', 'BBB', 90).toFixed(2), rho('AAA', 'CCC', 90).toFixed(2)]);
    expect(text).not.toContain('```');

    // chart paths printed under their reply, files saved as PNGs under <dataDir>/charts
    const paths = [...text.matchAll(/ {2}chart: (.+)\n/g)].map((m) => m[1]);
    expect(paths).toHaveLength(3);
    expect(paths[0]).toMatch(/corr-AAA-BBB\.png$/);
    expect(paths[1]).toMatch(/corr-AAA-CCC\.png$/);
    expect(paths[2]).toMatch(/matrix\.png$/);
    expect(text.indexOf(paths[0])).toBeGreaterThan(corrAB);
    expect(text.indexOf(paths[0])).toBeLessThan(corrAC);
    for (const p of paths) {
      expect(p.startsWith(join(dataDir, 'charts'))).toBe(true);
      expect(existsSync(p)).toBe(true);
      expect(pngSize(readFileSync(p))).toEqual({ width: 1200, height: 600 });
    }
    expect(readdirSync(join(dataDir, 'charts')).sort()).toEqual(paths.map((p) => p.slice(join(dataDir, 'charts').length + 1)).sort());

    // history: every non-empty line typed, in order; not `exit`
    expect(readFileSync(join(dataDir, 'console_history'), 'utf8')).toBe(lines.filter(Boolean).join('\n') + '\n');
  });

  it('without a chart renderer: no chart line and no charts folder; quit closes; history is appended to', async () => {
    const env = await makeEnv({ market: 'csv' });
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'console_history'), 'corr AAA BBB\n');
    const { session, input, out } = drive(env, dataDir);
    input.write('corr AAA DDD all\n');
    input.write('basket list\n');
    input.write('quit\n');
    await session.closed;
    const text = out();
    expect(text).toContain(`AAA / DDD: ρ ${signed3(pearson(ret('AAA').values, ret('DDD').values))}`);
    expect(text).toMatch(/1 basket\nname\s+symbols\s+bars\s+window\nmajors\s+BTC ETH SOL BNB XRP\s+1h\s+7d/);
    expect(text).not.toContain('chart:');
    expect(existsSync(join(dataDir, 'charts'))).toBe(false);
    expect(readFileSync(join(dataDir, 'console_history'), 'utf8')).toBe('corr AAA BBB\ncorr AAA DDD all\nbasket list\n');
  });

  it('the console user is an admin: basket edits go through and are audited as the console user', async () => {
    const env = await makeEnv({ market: 'csv' });
    const { session, input, out } = drive(env, tempDir());
    input.write('basket create abc AAA BBB\n');
    input.write('exit\n');
    await session.closed;
    expect(out()).toContain('Created basket abc');
    expect((await env.store.getBasket('abc'))?.symbols).toEqual(['AAA', 'BBB']);
    expect((await env.store.listAudit())[0]).toMatchObject({ platform: 'console', userId: 'me', action: 'basket.create' });
  });

  it('print() shows text (alerts) in the session; end of input (Ctrl-D) closes it', async () => {
    const env = await makeEnv({ market: 'csv' });
    const { session, input, out } = drive(env, tempDir());
    session.print('ALERT majors converging');
    input.write('help\n');
    input.end();
    await session.closed;
    const text = out();
    expect(text).toContain('ALERT majors converging\n');
    expect(text).toContain('corrwatch commands\n');
    expect(text).not.toContain('\x1b[');
    // printing after the session closed still reaches the output
    session.print('late line');
    expect(out()).toContain('late line\n');
  });

  it('close() ends the session', async () => {
    const env = await makeEnv({ market: 'csv' });
    const { session } = drive(env, tempDir());
    session.close();
    await expect(session.closed).resolves.toBeUndefined();
  });

  it('in a terminal, earlier sessions\' history is offered: the up arrow recalls the last line typed', async () => {
    const env = await makeEnv({ market: 'csv' });
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'console_history'), 'corr AAA BBB 30\ncorr AAA DDD 40\n');
    const input = new PassThrough();
    const output = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const session = startConsole({ input, output, context: () => env.rt.context(ME), dataDir });
    input.write('\x1b[A\r');
    input.write('exit\r');
    await session.closed;
    expect(text).toContain(`AAA / DDD: ρ ${signed3(rho('AAA', 'DDD', 40))}`);
    expect(text).toMatch(/returns\s+40 × 1d/);
    expect(readFileSync(join(dataDir, 'console_history'), 'utf8').split('\n').filter(Boolean).pop()).toBe('corr AAA DDD 40');
  });

  it('a chart that cannot be saved is reported, and the console keeps answering the next lines', async () => {
    // `<dataDir>/charts` is a file here, so saving the chart fails. Today the failure rejects the queue of lines
    // (console-adapter.ts, `busy = busy.then(...)`): every later line, `exit` included, is skipped.
    const env = await makeEnv({ market: 'csv', charts: chartRenderer });
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'charts'), 'a file where the charts folder would go');
    const { session, input, out } = drive(env, dataDir);
    input.write('corr AAA BBB 60\n');
    input.write('basket list\n');
    // end of input as well as exit, so that the session ends even when the queue is stuck
    input.end('exit\n');
    await expect(session.closed).resolves.toBeUndefined();
    const text = out();
    expect(text).toContain(`AAA / BBB: ρ ${signed3(rho('AAA', 'BBB', 60))}`);
    expect(text).toMatch(/chart.*(not|n't) (be )?saved|could not save/i);
    expect(text).toContain('1 basket');
  });
});

describe('console exports', () => {
  it('`export matrix ...` saves the CSV under <dataDir>/exports and prints its path; the file equals the JSON matrix', async () => {
    const env = await makeEnv({ market: 'csv' });
    const dataDir = join(tempDir(), 'data');
    const { session, input, out } = drive(env, dataDir);
    input.write('export matrix AAA BBB CCC --window 60\n');
    input.write('exit\n');
    await session.closed;
    const path = / {2}file: (.+\.csv)\n/.exec(out())?.[1];
    expect(path, out()).toBeDefined();
    expect(path!.startsWith(join(dataDir, 'exports'))).toBe(true);
    const rows = readFileSync(path!, 'utf8').trim().split('\n').map((l) => l.split(','));
    expect(rows[0]).toEqual(['symbol', 'AAA', 'BBB', 'CCC']);
    expect(Number(rows[1][2])).toBeCloseTo(rho('AAA', 'BBB', 60), 10);
    expect(Number(rows[3][1])).toBeCloseTo(rho('CCC', 'AAA', 60), 10);
  });
});
