import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegimeDetector } from '../../src/regime/detector.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { startFakeExchange, type FakeExchange } from '../fakes/fake-exchange.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli-run.ts');

/** Returns the detector needs before its first reading (what a tick line says while the basket warms up). */
function warmupOf(symbols: number, window: number, baseline: number): number {
  const thresholds = { enterZ: 5, exitZ: 2, stressProbability: 0.8, decoupleZ: -2 };
  return new RegimeDetector({ symbols: Array.from({ length: symbols }, (_, i) => `S${i}`), window, baseline, thresholds, states: 2 }).warmupReturns;
}

/** One CLI command in its own process, as an admin types it in a shell. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Issue 11, process faults: "a CLI basket edit during a running `start`: kept". `corrwatch start` ticks every second
 * on 1 s bars of the fake exchange, whose history is too short for the basket to warm up, so each tick line says
 * how many returns the detector needs: a number that depends on the basket's window. While it runs, an admin edits
 * from the CLI, each command its own process: the window (`basket set`), a symbol (`basket add`), a subscription and
 * a snooze (`alerts`). The running process must pick every edit up on its next ticks (the tick lines change to the new
 * window's warm-up; the exchange is asked for the added symbol) and its own writes (a runtime each tick) must not undo
 * any of them: after a SIGTERM the store holds all four, and the runtime the process wrote after them.
 */
describe('a CLI edit while corrwatch start runs', () => {
  let fake: FakeExchange;
  let dir: string;
  beforeAll(async () => {
    // 1 s bars from 45 s ago: about 45 returns, short of either window's warm-up for the whole test.
    fake = await startFakeExchange({ seed: 11, origin: Math.floor(Date.now() / 1000) * 1000 - 45_000 });
    dir = await mkdtemp(join(tmpdir(), 'corrwatch-cli-edit-'));
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is used by the running process on its next ticks and kept in the store, not overwritten by its writes', async () => {
    const config = join(dir, 'config.yaml');
    const dataDir = join(dir, 'data');
    await writeFile(
      config,
      [
        `dataDir: ${JSON.stringify(dataDir)}`,
        'market:',
        '  source: ccxt:binance',
        `  baseUrl: ${JSON.stringify(fake.baseUrl)}`,
        'baskets:',
        '  majors:',
        '    symbols: [BTC, ETH]',
        '    timeframe: 1s',
        '    window: 60',
        '    baseline: 200',
        '',
      ].join('\n'),
    );
    const env = { CORRWATCH_CONFIG: config, PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', LOG_LEVEL: 'info' };
    const before = warmupOf(2, 60, 200);
    const after = warmupOf(3, 30, 200);
    expect(after).not.toBe(before);

    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--no-console', '--schedule', '* * * * * *'], {
      cwd: ROOT,
      env: { ...process.env, ...env, CORRWATCH_STOP_GRACE: '2s' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    /** The warm-up each tick line of majors gave so far ("majors: warming up: 47 of 200 returns"). */
    const ticks = () => [...stdout.matchAll(/^\[[^\]]+\] majors: warming up: \d+ of (\d+) returns/gm)].map((m) => Number(m[1]));
    const until = async (cond: () => boolean, what: string) => {
      for (const deadline = Date.now() + 30_000; !cond(); ) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`timed out waiting for ${what}\nstdout: ${stdout}\nstderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };

    let editedAt: number;
    let solRequestsBefore: number;
    try {
      await until(() => ticks().length >= 2, 'two ticks before the edits');
      expect(ticks().every((w) => w === before), stdout).toBe(true);
      const solRequests = () => fake.requests.filter((r) => r.path === '/api/v3/klines' && r.query.symbol === 'SOLUSDT').length;
      solRequestsBefore = solRequests();

      // The edits, one process each, while start ticks every second.
      for (const args of [
        ['basket', 'set', 'majors', 'window', '30'],
        ['basket', 'add', 'majors', 'SOL'],
        ['alerts', 'subscribe', 'majors', 'C0CLIEDIT'],
        ['alerts', 'snooze', 'majors', '2h'],
      ]) {
        const r = await cli(args, env);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      }
      editedAt = Date.now();
      const seen = ticks().length;

      // Three ticks that began after the last edit: the running process ticks the edited basket.
      await until(() => ticks().length >= seen + 4, 'four more ticks after the edits');
      const later = ticks().slice(seen + 1);
      expect(later, stdout).toEqual(later.map(() => after));
      // Once a tick used the new window, none went back to the old one (no stale copy of the basket in memory).
      const all = ticks();
      const firstNew = all.indexOf(after);
      expect(all.slice(firstNew).every((w) => w === after), stdout).toBe(true);
      expect(all.slice(0, firstNew).every((w) => w === before), stdout).toBe(true);
      // ...and with the added symbol: its candles were asked for.
      expect(solRequests()).toBeGreaterThan(solRequestsBefore);

      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(stderr).not.toMatch(/basket tick failed|internal error|the store cannot be written|"level":"error"/);

    // The store after the stop, as the files hold it: every edit kept, and the runtime written after them.
    const store = new LowdbStore(dataDir);
    await store.open([]);
    try {
      const basket = await store.getBasket('majors');
      expect(basket).toMatchObject({ symbols: ['BTC', 'ETH', 'SOL'], timeframe: '1s', window: '30', baseline: '200' });
      expect(await store.listSubscriptions('majors')).toEqual([expect.objectContaining({ basket: 'majors', platform: 'cli', channelId: 'C0CLIEDIT' })]);
      expect((await store.listAudit({ basket: 'majors' })).map((a) => a.action).sort()).toEqual(['alerts.snooze', 'alerts.subscribe', 'basket.add', 'basket.set']);
      const rt = await store.getRuntime('majors');
      // start wrote this runtime on the ticks after the edits (its writes came after them and kept them)...
      expect(rt?.lastTickAt).toBeGreaterThan(editedAt);
      // ...and kept the snooze the CLI put in the very record it rewrites each tick.
      const snoozedUntil = (rt?.alertState as { snoozedUntil?: number | null } | undefined)?.snoozedUntil;
      expect(snoozedUntil).toBeGreaterThan(editedAt + 3_600_000);
    } finally {
      await store.close();
    }
  }, 60_000);
});
