/**
 * One process runs Slack, ccxt and Discord. @slack/bolt and ccxt bring undici 7, discord.js brings undici 6, and
 * undici keeps ONE process-wide default dispatcher: the first undici loaded installs its Agent there. With Slack
 * and ccxt loaded first (as in `corrwatch start`), discord.js's undici 6 hands its multipart bodies to an undici 7
 * Agent and every file upload fails. This test builds that process, shows the failure with discord.js's default
 * dispatcher (so the test really reproduces the conflict), and uploads charts through the adapter (its own Agent).
 *
 * The Discord adapter is imported only after Slack and ccxt are loaded and used: the order is the point.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as DiscordModule from '../../../src/adapters/discord/index.js';
import type { MarketSource } from '../../../src/domain/ports.js';
import { createMarketSource } from '../../../src/market/source-factory.js';
import { FakeDiscord, IDS, waitFor } from '../../fakes/fake-discord.js';
import { startFakeExchange, type FakeExchange } from '../../fakes/fake-exchange.js';
import { answered, discordEnv, makeRuntime, NOW, PNG_MAGIC, TOKEN, USERS } from './helpers.js';

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

let fake: FakeDiscord;
let fx: FakeExchange;
let market: MarketSource;
let discord: typeof DiscordModule;
let dispatcherBeforeDiscord: unknown;

beforeAll(async () => {
  fake = await new FakeDiscord({ token: TOKEN }).start();
  fx = await startFakeExchange({ now: () => NOW, origin: NOW - 30 * 86_400_000 });
  // Slack: bolt and a WebClient, as the Slack adapter builds them.
  const bolt = await import('@slack/bolt');
  new bolt.webApi.WebClient('xoxb-0000-test', { slackApiUrl: 'http://127.0.0.1:9/api/' });
  // ccxt through corrwatch's own source, with real requests so ccxt sets up its undici dispatcher.
  market = createMarketSource('ccxt:binance', { baseUrl: fx.baseUrl, clock: { now: () => NOW }, maxRetries: 0 });
  expect(await market.listSymbols()).toEqual(expect.arrayContaining(['BTC', 'ETH']));
  dispatcherBeforeDiscord = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
  discord = await import('../../../src/adapters/discord/index.js');
});

afterAll(async () => {
  await fake?.close();
  await fx?.close();
});

async function corrWithChart(opts: DiscordModule.DiscordAdapterOptions) {
  const t = await makeRuntime(market);
  const adapter = await discord.startDiscordAdapter(t.runtime, discordEnv(fake), { restRetries: 0, restTimeoutMs: 2_000, ...opts });
  const st = fake.command('corr', [{ name: 'a', type: 3, value: 'BTC' }, { name: 'b', type: 3, value: 'ETH' }, { name: 'window', type: 3, value: '48' }], USERS.alice);
  return { t, adapter, st };
}

describe('Slack + ccxt + discord.js in one process', () => {
  it('Slack and ccxt have installed undici 7 as the process-wide dispatcher before discord.js loads', () => {
    expect(dispatcherBeforeDiscord).toBeDefined();
  });

  it('control: with discord.js’s default dispatcher, the chart upload fails in this process', async () => {
    const { t, adapter, st } = await corrWithChart({ dispatcher: 'global' });
    try {
      await waitFor(() => t.logLines.some((l) => l.includes('discord interaction failed')), 10_000, 'the failed upload to be logged');
      const uploaded = fake.calls.filter((c) => c.path.includes(st.token) && c.files.length > 0 && c.status === 200);
      expect(uploaded, 'the conflict no longer reproduces: check whether the own-agent workaround is still needed').toEqual([]);
    } finally {
      await adapter.stop();
    }
  });

  it('the adapter (own undici Agent) uploads the /corr chart and an alert chart', async () => {
    const { t, adapter, st } = await corrWithChart({});
    try {
      const calls = await answered(fake, st.token);
      const edit = calls.find((c) => c.method === 'PATCH' && c.files.length === 1)!;
      expect(edit.status).toBe(200);
      expect(edit.files[0].data.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
      expect((edit.json as { embeds: { title: string }[] }).embeds[0].title).toMatch(/^ℹ️ BTC \/ ETH: ρ/);
      // channel.send with a file, through the notifier.
      const reply = (await t.runtime.run({ platform: 'discord', userId: 'u', channelId: IDS.alerts, isAdmin: false }, ['corr', 'BTC', 'ETH', '48'])).reply;
      expect(reply.chart).toBeDefined();
      const record = { id: 'x:1:firing', basket: 'x', episode: 1, kind: 'firing' as const, at: NOW, createdAt: NOW, payload: {}, deliveries: {} };
      const result = await adapter.notifier.send(IDS.alerts, { record, reply });
      expect(result).toMatchObject({ ok: true });
      const post = fake.callsTo(new RegExp(`^POST /channels/${IDS.alerts}/messages$`)).at(-1)!;
      expect(post.files[0].data.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    } finally {
      await adapter.stop();
    }
  });
});
