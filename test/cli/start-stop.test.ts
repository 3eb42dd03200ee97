import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { startFakeExchange, type FakeExchange } from '../fakes/fake-exchange.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** `corrwatch start --no-console ...extra` as a child process, with what it prints and a wait for a condition. */
function spawnStart(config: string, extra: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli-run.ts'), 'start', '--no-console', ...extra], {
    cwd: ROOT,
    env: { ...process.env, CORRWATCH_CONFIG: config, CORRWATCH_STOP_GRACE: '1s', PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const until = async (cond: () => boolean, what: string) => {
    for (const deadline = Date.now() + 20_000; !cond(); ) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`timed out waiting for ${what}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, out, exited, until };
}

/**
 * `corrwatch start` as a process (issue 10, graceful shutdown): SIGTERM while a scheduled tick hangs on a slow
 * exchange. The stop waits CORRWATCH_STOP_GRACE, aborts the tick, saves what it recorded, closes the store and exits 0,
 * though the exchange request ccxt cannot cancel is still open.
 */
describe('corrwatch start stopped by SIGTERM during a tick stuck on a slow exchange', () => {
  let fake: FakeExchange;
  let dir: string;
  beforeAll(async () => {
    // 1 s bars from two hours ago: every tick (each second) has a new closed bar to ask the exchange for.
    fake = await startFakeExchange({ seed: 5, origin: Math.floor(Date.now() / 3_600_000) * 3_600_000 - 7_200_000 });
    dir = await mkdtemp(join(tmpdir(), 'corrwatch-sigterm-'));
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('waits the grace period, aborts the tick (no error or stale alert recorded for it), closes the store and exits 0', async () => {
    const config = join(dir, 'config.yaml');
    await writeFile(
      config,
      [
        `dataDir: ${JSON.stringify(join(dir, 'data'))}`,
        'market:',
        '  source: ccxt:binance',
        `  baseUrl: ${JSON.stringify(fake.baseUrl)}`,
        '  timeout: 60s',
        'baskets:',
        '  fast:',
        '    symbols: [BTC, ETH]',
        '    timeframe: 1s',
        '    window: 60',
        '',
      ].join('\n'),
    );
    const { child, out, exited, until } = spawnStart(config, ['--schedule', '* * * * * *']);
    try {
      // The first tick ran (start returned and listens for signals); then the exchange turns slow.
      await until(() => out.stdout.includes('watching fast'), 'start');
      const before = fake.requests.length;
      fake.setBehavior('/api/v3/klines', { delayMs: 60_000 });
      await until(() => fake.requests.slice(before).some((r) => r.path === '/api/v3/klines'), 'a tick asking the slow exchange');
      const t0 = Date.now();
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      const took = Date.now() - t0;
      expect({ code, signal }, out.stderr).toEqual({ code: 0, signal: null });
      // 1 s of grace, the abort, and at most the CLI's 2 s exit delay for the request left open: far less than the minute.
      expect(took).toBeLessThan(15_000);
      expect(out.stdout).toContain('stopping...');
      expect(out.stderr).toContain('the tick in flight did not finish in time; aborting it');
      expect(out.stderr).not.toContain('the aborted tick did not stop');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fake.setBehavior('/api/v3/klines', null);
    }
    // The store was flushed and closed, with the basket as the first tick left it: the cancelled tick is no market
    // outage (no error kept, no stale alert) and the next start redoes its bars.
    expect(out.stderr).toContain('basket tick cancelled');
    const store = new LowdbStore(join(dir, 'data'));
    await store.open([]);
    try {
      const rt = await store.getRuntime('fast');
      expect(rt?.lastTickAt).toBeDefined();
      expect(rt?.lastError).toBeUndefined();
      expect((await store.listNotifications()).filter((n) => n.kind === 'stale')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a SIGTERM during the first tick (history replay at start-up) is graceful too: the grace, the abort, exit 0', async () => {
    const data = join(dir, 'first-tick');
    const config = join(dir, 'config-first.yaml');
    await writeFile(
      config,
      [`dataDir: ${JSON.stringify(data)}`, 'market:', '  source: ccxt:binance', `  baseUrl: ${JSON.stringify(fake.baseUrl)}`, '  timeout: 60s', 'baskets:', '  slow:', '    symbols: [BTC, ETH]', '    timeframe: 1h', ''].join('\n'),
    );
    // Every candle request hangs for a minute: the first tick cannot finish.
    fake.setBehavior('/api/v3/klines', { delayMs: 60_000 });
    const before = fake.requests.length;
    const { child, out, exited, until } = spawnStart(config, []);
    try {
      await until(() => fake.requests.slice(before).some((r) => r.path === '/api/v3/klines'), 'a candle request');
      expect(out.stdout).not.toContain('watching');
      const t0 = Date.now();
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      expect({ code, signal }, out.stderr).toEqual({ code: 0, signal: null });
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(out.stderr).toContain('stopping during the first tick, which did not finish in time; aborting it');
      expect(out.stdout).toContain('stopping...');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fake.setBehavior('/api/v3/klines', null);
    }
  });
});
