import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWatcher, type Running } from '../../src/app/start.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { OpsMetrics } from '../../src/ops/metrics.js';
import { createSimSource } from '../../src/market/sim-source.js';
import type { MarketSource } from '../../src/domain/ports.js';
import { createCcxtSource } from '../../src/market/ccxt-source.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { startFakeExchange } from '../fakes/fake-exchange.js';

const NOW = Date.UTC(2024, 5, 1, 0, 1);

describe('corrwatch start serves /healthz and /metrics of its own when no chat adapter does', () => {
  let dir: string;
  let running: Running;
  const lines: string[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'corrwatch-ops-'));
    const config = parseConfig({ dataDir: dir, market: { source: 'sim:7' }, baskets: { majors: { symbols: ['BTC', 'ETH', 'SOL'], timeframe: '1h' } } });
    // A yearly schedule: only the tick at start runs during the test (its period, a year, is what /healthz measures in).
    running = await startWatcher({ config, log: silentLogger, schedule: '0 0 1 1 *', write: (t) => lines.push(t), clock: { now: () => NOW }, httpPort: 0, httpHost: '127.0.0.1' });
  });
  afterAll(async () => {
    await running?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('GET /healthz: 200 after the first tick, with the schedule period it judges staleness by', async () => {
    expect(running.httpPort).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${running.httpPort}/healthz`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', lastTickAt: '2024-06-01T00:01:00Z', schedulePeriodSeconds: 365 * 86_400 });
    expect(body.secondsSinceLastTick).toBeGreaterThanOrEqual(0);
  });

  it('GET /metrics: Prometheus text with the tick, the basket regime and evidence', async () => {
    const res = await fetch(`http://127.0.0.1:${running.httpPort}/metrics`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('corrwatch_ticks_total{outcome="ok"} 1');
    expect(text).toContain('corrwatch_tick_duration_seconds_count 1');
    const regimes = text.split('\n').filter((l) => l.startsWith('corrwatch_basket_regime{basket="majors"'));
    expect(regimes).toHaveLength(4);
    expect(regimes.filter((l) => l.endsWith(' 1'))).toHaveLength(1);
    expect(text).toMatch(/corrwatch_basket_evidence\{basket="majors"\} \d/);
    expect(text).toContain('corrwatch_process_cpu_seconds_total');
    expect(lines.join('')).toContain('majors:');
  });

  it('counts store writes and times commands run through the runtime', async () => {
    const r = await running.runtime.run({ platform: 'console', userId: 'u', channelId: 'c', isAdmin: true }, 'help');
    expect(r.outcome).toBe('ok');
    const text = await (await fetch(`http://127.0.0.1:${running.httpPort}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    expect(text).toContain('corrwatch_command_duration_seconds_count{command="help",platform="console",outcome="ok"} 1');
    const bytes = Number(/^corrwatch_store_write_bytes_total (\d+)/m.exec(text)?.[1]);
    expect(bytes).toBeGreaterThan(100);
    expect(text).toMatch(/^corrwatch_store_write_duration_seconds_count [1-9]/m);
  });

  it('anything else is 404', async () => {
    const res = await fetch(`http://127.0.0.1:${running.httpPort}/nope`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(404);
  });
});

describe('OpsMetrics', () => {
  it('counts alerts by kind, deliveries by outcome, basket errors (not warm-up), skipped ticks', async () => {
    const m = new OpsMetrics({ processMetrics: false });
    m.recordTick({ baskets: [{ basket: 'a', regime: 'stressed', score: 5.5, notifications: ['firing', 'escalated'] }, { basket: 'b', notifications: [], error: 'binance timed out', errorKind: 'timeout' }, { basket: 'c', notifications: [], error: 'warming up: 3 of 900 returns' }], delivery: { sent: 3, failed: 1, waiting: 2, gaveUp: 2, deferred: 0 } }, 0.2);
    m.recordTick({ baskets: [{ basket: 'a', regime: 'calm', score: 1, notifications: ['resolved'] }], delivery: { sent: 1, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 } }, 0.1);
    m.recordSkippedTick();
    m.recordDelivery({ platform: 'slack', outcome: 'gave_up', reason: 'permanent' });
    m.recordDelivery({ platform: 'discord', outcome: 'sent', reason: 'ok' });
    const { body } = await m.text();
    for (const line of [
      'corrwatch_ticks_total{outcome="ok"} 2',
      'corrwatch_ticks_total{outcome="skipped"} 1',
      'corrwatch_alerts_total{basket="a",kind="firing"} 1',
      'corrwatch_alerts_total{basket="a",kind="resolved"} 1',
      'corrwatch_deliveries_total{outcome="sent"} 4',
      'corrwatch_deliveries_total{outcome="failed"} 1',
      'corrwatch_deliveries_total{outcome="gave_up"} 2',
      'corrwatch_deliveries_waiting 0',
      'corrwatch_basket_errors_total{basket="b",kind="timeout"} 1',
      'corrwatch_basket_regime{basket="a",regime="calm"} 1',
      'corrwatch_basket_regime{basket="a",regime="stressed"} 0',
      'corrwatch_basket_evidence{basket="a"} 1',
      'corrwatch_tick_duration_seconds_count 2',
      'corrwatch_notification_attempts_total{platform="slack",outcome="gave_up",reason="permanent"} 1',
      'corrwatch_notification_attempts_total{platform="discord",outcome="sent",reason="ok"} 1',
    ]) {
      expect(body).toContain(line);
    }
    expect(body).not.toContain('basket="c"');
  });
});

describe('stopping corrwatch start', () => {
  it('waits for a tick in flight only up to its grace period, says so, and still closes everything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'corrwatch-stop-'));
    const config = parseConfig({ dataDir: dir, market: { source: 'sim:7' }, baskets: { majors: { symbols: ['BTC', 'ETH'], timeframe: '1h' } } });
    const sim = createSimSource(7, { clock: { now: () => NOW } });
    let hang = false;
    // After the first tick, every fetch hangs: the next scheduled tick never finishes.
    const market: MarketSource = { ...sim, fetchCandles: (...a) => (hang ? new Promise<never>(() => undefined) : sim.fetchCandles(...a)) };
    const warnings: string[] = [];
    const log = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
    const running = await startWatcher({ config, log, schedule: '* * * * * *', write: () => undefined, clock: { now: () => NOW + 3_600_000 }, market });
    hang = true;
    const deadline = Date.now() + 5000;
    while (!running.watcher.busy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(running.watcher.busy).toBe(true);
    const t0 = Date.now();
    await running.stop(300);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(warnings.some((w) => w.startsWith('the tick in flight did not finish in time'))).toBe(true);
    // This source ignores the abort: the tick is left behind after a short wait, and said so.
    expect(warnings.some((w) => w.startsWith('the aborted tick did not stop; stopping without it'))).toBe(true);
    // The store was closed: a new process can open it.
    await expect(running.store.listBaskets()).rejects.toThrow(/not open/);
    await rm(dir, { recursive: true, force: true });
  });

  it('aborts a tick stuck on a slow exchange after the grace period: stop returns within the bound and the store keeps what the tick recorded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'corrwatch-abort-'));
    const fake = await startFakeExchange({ seed: 3, now: () => NOW + 3_600_000 });
    try {
      const config = parseConfig({ dataDir: dir, market: { source: 'ccxt:binance' }, baskets: { majors: { symbols: ['BTC', 'ETH'], timeframe: '1h' } } });
      const market = createCcxtSource({ exchangeId: 'binance', baseUrl: fake.baseUrl, clock: { now: () => NOW + 3_600_000 }, timeout: 60_000 });
      const warnings: string[] = [];
      const log = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
      const running = await startWatcher({ config, log, schedule: '* * * * * *', write: () => undefined, clock: { now: () => NOW + 3_600_000 }, market });
      expect(running.watcher.lastTick?.baskets[0].error).toBeUndefined();
      // From now on the exchange answers candles after a minute (ccxt's timeout here): the next tick hangs on it.
      const before = fake.requests.length;
      fake.setBehavior('/api/v3/klines', { delayMs: 60_000 });
      for (const deadline = Date.now() + 10_000; !fake.requests.slice(before).some((r) => r.path === '/api/v3/klines'); ) {
        if (Date.now() > deadline) throw new Error('no tick asked the exchange');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(running.watcher.busy).toBe(true);
      const t0 = Date.now();
      await running.stop(300);
      // 300 ms of grace, then the abort ends the tick at once (the exchange would take a minute).
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(running.watcher.busy).toBe(false);
      expect(warnings).toContain('the tick in flight did not finish in time; aborting it');
      expect(warnings.some((w) => w.startsWith('the aborted tick did not stop'))).toBe(false);
      const report = running.watcher.lastTick?.baskets[0];
      expect(report?.errorKind).toBe('aborted');
      expect(report?.error).toMatch(/^cancelled while fetching (BTC|ETH)\/USDT 1h candles from .*: corrwatch is stopping$/);
      await expect(running.store.listBaskets()).rejects.toThrow(/not open/);
      // A cancelled basket is not a market outage: the store closed with the basket as the last whole tick left it
      // (no error kept, no stale alert), and the next start redoes the bars.
      const again = new LowdbStore(dir);
      await again.open([]);
      const rt = await again.getRuntime('majors');
      expect(rt?.lastError).toBeUndefined();
      expect(rt?.lastBarAt).toBeDefined();
      expect((await again.listNotifications()).filter((n) => n.kind === 'stale')).toEqual([]);
      await again.close();
    } finally {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
