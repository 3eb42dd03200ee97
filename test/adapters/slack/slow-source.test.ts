import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/index.js';
import { createMarketSource } from '../../../src/market/source-factory.js';
import { startFakeExchange, type FakeExchange } from '../../fakes/fake-exchange.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack.js';
import { BOT_TOKEN, blocksText, commandBody, makeRuntime, postSigned, slackEnv, type TestRuntime } from './helpers.js';

const DELAY_MS = 5000;
const NOW = Date.UTC(2024, 2, 1, 0, 1);

let fake: FakeSlack;
let exchange: FakeExchange;
let rt: TestRuntime;
let adapter: SlackAdapter;

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  exchange = await startFakeExchange({ seed: 5, now: () => NOW });
  // The exchange's first answer (its market list, needed before any candle) takes 5 s: beyond Slack's 3 s.
  exchange.setBehavior('/api/v3/exchangeInfo', { delayMs: DELAY_MS });
  const market = createMarketSource('ccxt:binance', { baseUrl: exchange.baseUrl, timeout: 20_000, maxRetries: 0, clock: { now: () => NOW } });
  rt = await makeRuntime(market, { now: NOW });
  adapter = await startSlackAdapter(rt.runtime, slackEnv(fake.baseUrl), { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await adapter?.stop();
  await exchange?.close();
  await fake?.close();
});

describe('a slow market source', () => {
  it('still gets the ack within 3 s, and the answer after', async () => {
    const sentAt = Date.now();
    const res = await postSigned(`http://127.0.0.1:${adapter.port}/slack/events`, commandBody('BTC ETH', { responseUrl: fake.responseUrl('slow') }));
    const ackedAt = Date.now();
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    expect(fake.calls.filter((c) => c.method === 'response_url')).toEqual([]);
    const answer = await fake.waitFor('the answer', () => fake.calls.find((c) => c.responseId === 'slow'), 40_000);
    expect(answer.at).toBeGreaterThan(ackedAt);
    expect(answer.at - sentAt).toBeGreaterThanOrEqual(DELAY_MS);
    expect(exchange.requests.map((r) => r.path)).toContain('/api/v3/klines');
    expect(answer.body.response_type).toBe('in_channel');
    expect(blocksText(answer.body.blocks)).toMatch(/BTC \/ ETH: ρ [+-]\d\.\d{3}/);
  }, 50_000);
});
