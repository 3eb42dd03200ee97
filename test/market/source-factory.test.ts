import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import { createMarketSource } from '../../src/market/source-factory.js';
import { startFakeExchange, type FakeExchange } from '../fakes/fake-exchange.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/example_wide.csv', import.meta.url));
const NOW = Date.UTC(2024, 1, 1, 0, 10);
let fake: FakeExchange;

beforeAll(async () => {
  fake = await startFakeExchange({ now: () => NOW });
});
afterAll(async () => {
  await fake.close();
});

describe('createMarketSource', () => {
  it('builds a ccxt source passing quote, baseUrl and clock', async () => {
    const src = createMarketSource('ccxt:Binance', { quote: 'usdt', baseUrl: fake.baseUrl, clock: { now: () => NOW }, timeout: 2000 });
    expect(src.id).toBe('ccxt:binance');
    expect(await src.resolveSymbol('eth')).toBe('ETH/USDT');
    const c = await src.fetchCandles('ETH', '1d', Date.UTC(2024, 0, 30), Date.UTC(2024, 1, 5));
    expect(c.map((k) => k.t)).toEqual([Date.UTC(2024, 0, 30), Date.UTC(2024, 0, 31)]);
  });

  it('builds a CSV source, the path may contain colons', async () => {
    const src = createMarketSource(`csv:${FIXTURE}`);
    expect(src.id).toBe(`csv:${FIXTURE}`);
    expect(await src.nativeTimeframe!()).toBe('1d');
    expect(createMarketSource('csv:C:/data/x.csv').venue).toBe('x.csv');
  });

  it('builds a simulator from a seed', async () => {
    const src = createMarketSource('sim:42', { clock: { now: () => NOW } });
    expect(src.id).toBe('sim:42');
    expect(await src.latestBarTime!('1h')).toBe(Date.UTC(2024, 0, 31, 23));
  });

  const bad: [string, string][] = [
    ['binance', 'source: expected ccxt:<exchange>, csv:<path> or sim:<seed>, got "binance"'],
    ['x', 'source: expected ccxt:<exchange>, csv:<path> or sim:<seed>, got "x"'],
    ['http://example.com', 'source: expected ccxt:<exchange>, csv:<path> or sim:<seed>, got "http://example.com"'],
    ['ccxt:', 'source: ccxt needs an exchange id like ccxt:binance, got "ccxt:"'],
    ['csv:', 'source: csv needs a file path like csv:data/prices.csv, got "csv:"'],
    ['sim:abc', 'source: sim needs a whole-number seed like sim:42, got "sim:abc"'],
    ['sim:-1', 'source: sim needs a whole-number seed like sim:42, got "sim:-1"'],
  ];
  for (const [spec, message] of bad) {
    it(`refuses "${spec}"`, () => {
      let err: unknown;
      try {
        createMarketSource(spec);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).code).toBe('bad_source');
      expect((err as UserError).message).toBe(message);
    });
  }
});
