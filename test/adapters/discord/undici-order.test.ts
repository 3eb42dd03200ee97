/**
 * The other load order: discord.js first (its undici 6 then owns the process-wide dispatcher), Slack and ccxt
 * after, as `corrwatch start` does when only some platforms load lazily. ccxt still fetches candles and the
 * adapter still uploads charts. (The opposite order, and why it breaks discord.js by default, is in
 * undici-conflict.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordAdapter } from '../../../src/adapters/discord/index.js';
import type { MarketSource } from '../../../src/domain/ports.js';
import { createMarketSource } from '../../../src/market/source-factory.js';
import { FakeDiscord } from '../../fakes/fake-discord.js';
import { startFakeExchange, type FakeExchange } from '../../fakes/fake-exchange.js';
import { answered, discordEnv, makeRuntime, NOW, PNG_MAGIC, TOKEN, USERS } from './helpers.js';

let fake: FakeDiscord;
let fx: FakeExchange;
let market: MarketSource;

beforeAll(async () => {
  fake = await new FakeDiscord({ token: TOKEN }).start();
  fx = await startFakeExchange({ now: () => NOW, origin: NOW - 30 * 86_400_000 });
  const bolt = await import('@slack/bolt');
  new bolt.webApi.WebClient('xoxb-0000-test', { slackApiUrl: 'http://127.0.0.1:9/api/' });
  market = createMarketSource('ccxt:binance', { baseUrl: fx.baseUrl, clock: { now: () => NOW }, maxRetries: 0 });
});

afterAll(async () => {
  await fake?.close();
  await fx?.close();
});

describe('discord.js loaded before Slack and ccxt', () => {
  it('ccxt fetches candles and /corr uploads its chart', async () => {
    const t = await makeRuntime(market);
    const adapter = await startDiscordAdapter(t.runtime, discordEnv(fake), { restRetries: 0, restTimeoutMs: 3_000 });
    try {
      const st = fake.command('corr', [{ name: 'a', type: 3, value: 'BTC' }, { name: 'b', type: 3, value: 'ETH' }, { name: 'window', type: 3, value: '48' }], USERS.alice);
      const calls = await answered(fake, st.token);
      const edit = calls.find((c) => c.method === 'PATCH' && c.files.length === 1)!;
      expect(edit.status).toBe(200);
      expect(edit.files[0].data.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
      expect((edit.json as { embeds: { title: string }[] }).embeds[0].title).toMatch(/^ℹ️ BTC \/ ETH: ρ/);
      expect(fx.requests.some((r) => r.path === '/api/v3/klines' && r.status === 200)).toBe(true);
    } finally {
      await adapter.stop();
    }
  });
});
