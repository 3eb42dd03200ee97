import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { DispatchResult } from '../../commands/dispatch.js';
import { seedBaskets } from '../../src/config/baskets.js';
import { createRuntime, type AppRuntime } from '../../src/app/runtime.js';
import type { ChartRenderer } from '../../src/chart/index.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Invocation } from '../../src/domain/invocation.js';
import type { Clock, MarketSource } from '../../src/domain/ports.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { createCsvSource } from '../../src/market/csv-source.js';
import { createMarketSource } from '../../src/market/source-factory.js';
import { MemoryStore } from '../../src/store/memory-store.js';

/** 2024-03-01 12:30 UTC: the latest closed 1h bar is the one opened at 11:00. */
export const NOW = Date.UTC(2024, 2, 1, 12, 30);
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const WIDE_CSV = fileURLToPath(new URL('../fixtures/example_wide.csv', import.meta.url));
export const EXPECTED_JSON = fileURLToPath(new URL('../fixtures/expected.json', import.meta.url));

export function fixedClock(t = NOW): Clock {
  return { now: () => t };
}

export const ADMIN: Invocation = { platform: 'slack', userId: 'UADMIN01', userName: 'ada', channelId: 'C0GENERAL', isAdmin: true };
export const USER: Invocation = { platform: 'slack', userId: 'UUSER001', userName: 'bob', channelId: 'C0GENERAL', isAdmin: false };
export const DISCORD_ADMIN: Invocation = { platform: 'discord', userId: '1200000000000000001', channelId: '1300000000000000001', isAdmin: true };
export const DISCORD_USER: Invocation = { platform: 'discord', userId: '1200000000000000002', channelId: '1300000000000000001', isAdmin: false };

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  ctx?: Record<string, unknown>;
}

/** A Logger that keeps every call (with the context objects themselves, not their text). */
export function capturingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (msg: string, ctx?: Record<string, unknown>) => void entries.push({ level, msg, ctx });
  const log: Logger & { entries: LogEntry[] } = { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

export interface TestEnv {
  rt: AppRuntime;
  store: MemoryStore;
  market: MarketSource;
  config: Config;
  clock: Clock;
  log: Logger;
}

export interface EnvOptions {
  /** 'sim' (seed 42), 'csv' (test/fixtures/example_wide.csv) or a source of the test's own. */
  market?: 'sim' | 'csv' | MarketSource;
  now?: number;
  log?: Logger;
  charts?: ChartRenderer;
  config?: Config;
}

export function simSource(clock: Clock, seed = 42): MarketSource {
  return createMarketSource(`sim:${seed}`, { clock });
}

export function csvSource(path = WIDE_CSV): MarketSource {
  return createCsvSource(path);
}

/** A runtime on the shipped config, a MemoryStore seeded with the config's baskets, no charts unless given. */
export async function makeEnv(opts: EnvOptions = {}): Promise<TestEnv> {
  const clock = fixedClock(opts.now ?? NOW);
  const config = opts.config ?? loadConfig({});
  const market = opts.market === undefined || opts.market === 'sim' ? simSource(clock) : opts.market === 'csv' ? csvSource() : opts.market;
  const store = new MemoryStore();
  await store.open(seedBaskets(config, clock.now()));
  const log = opts.log ?? silentLogger;
  const rt = createRuntime({ config, log, clock, store, market, version: 'test', charts: opts.charts });
  return { rt, store, market, config, clock, log };
}

/** Everything a command may change in the store, as one comparable value. */
export async function storeSnapshot(store: MemoryStore): Promise<string> {
  const baskets = await store.listBaskets();
  const runtime = await Promise.all(baskets.map((b) => store.getRuntime(b.name)));
  return JSON.stringify({
    baskets,
    subscriptions: await store.listSubscriptions(),
    runtime,
    notifications: await store.listNotifications(),
    audit: await store.listAudit(),
  });
}

/** A user error: private, says what is wrong. Returns the message text. */
export function expectUserError(r: DispatchResult, pattern?: RegExp | string): string {
  expect(r.outcome, `reply: ${r.reply.title}: ${r.reply.text}`).toBe('user_error');
  expect(r.reply.ephemeral).toBe(true);
  expect(r.reply.severity).toBe('error');
  const text = r.reply.text ?? '';
  if (pattern !== undefined) {
    if (typeof pattern === 'string') expect(text).toContain(pattern);
    else expect(text).toMatch(pattern);
  }
  return text;
}

export function expectOk(r: DispatchResult): void {
  expect(r.outcome, `reply: ${r.reply.title}: ${r.reply.text}`).toBe('ok');
}

/** Width and height from a PNG's IHDR chunk, after checking the 8-byte signature. */
export function pngSize(png: Buffer): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
