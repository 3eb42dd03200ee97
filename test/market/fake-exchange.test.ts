import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWalk, startFakeExchange, type FakeExchange } from '../fakes/fake-exchange.js';

const H = 3_600_000;
const ORIGIN = Date.UTC(2024, 0, 1);
const NOW = ORIGIN + 100 * H + 1;
let fake: FakeExchange;

const get = async (path: string) => {
  const res = await fetch(fake.baseUrl + path, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  const body: unknown = res.headers.get('content-type') === 'application/json' ? JSON.parse(text) : text;
  return { status: res.status, body, headers: res.headers };
};

beforeAll(async () => {
  fake = await startFakeExchange({ seed: 3, now: () => NOW });
});
afterAll(async () => {
  await fake.close();
});

describe('fake binance', () => {
  it('answers klines like Binance: startTime/endTime inclusive, limit, the bar in progress included', async () => {
    const { body } = await get(`/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=${ORIGIN + 98 * H}&limit=10`);
    const rows = body as unknown[][];
    expect(rows.map((r) => r[0])).toEqual([ORIGIN + 98 * H, ORIGIN + 99 * H, ORIGIN + 100 * H]);
    expect(rows[0][6]).toBe(ORIGIN + 99 * H - 1);
    expect(Number(rows[1][4])).toBe(createWalk(3).closeAtIndex('BTCUSDT', H, 99));
    const ranged = (await get(`/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=${ORIGIN}&endTime=${ORIGIN + 2 * H}`)).body as unknown[][];
    expect(ranged).toHaveLength(3);
    const latest = (await get(`/api/v3/klines?symbol=ETHUSDT&interval=1h&limit=2`)).body as unknown[][];
    expect(latest.map((r) => r[0])).toEqual([ORIGIN + 99 * H, ORIGIN + 100 * H]);
  });

  it('rejects what Binance rejects', async () => {
    expect(await get('/api/v3/klines?symbol=NOPE&interval=1h')).toMatchObject({ status: 400, body: { code: -1121 } });
    expect(await get('/api/v3/klines?symbol=BTCUSDT&interval=7h')).toMatchObject({ status: 400, body: { code: -1120 } });
    expect(await get('/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=1001')).toMatchObject({ status: 400, body: { code: -1130 } });
    expect((await get('/api/v3/nothing')).status).toBe(404);
  });

  it('serves ping, time and exchangeInfo', async () => {
    expect((await get('/api/v3/ping')).body).toEqual({});
    expect((await get('/api/v3/time')).body).toEqual({ serverTime: NOW });
    const info = (await get('/api/v3/exchangeInfo')).body as { symbols: { symbol: string }[] };
    expect(info.symbols.map((s) => s.symbol)).toContain('ETHBTC');
  });

  it('misbehaves on request: 429 with Retry-After, then 500, then normal; counts down per path', async () => {
    fake.setBehavior('*', { rateLimit: 1, retryAfterSec: 7, serverError: 1 });
    const r1 = await get('/api/v3/ping');
    expect(r1.status).toBe(429);
    expect(r1.headers.get('retry-after')).toBe('7');
    expect(await get('/api/v3/time')).toMatchObject({ status: 500, body: 'Internal Server Error' });
    expect((await get('/api/v3/ping')).status).toBe(200);
    fake.setBehavior('*', null);
    fake.setBehavior('/api/v3/time', { serverError: 1, serverErrorBody: 'binance' });
    expect((await get('/api/v3/ping')).status).toBe(200);
    expect(await get('/api/v3/time')).toMatchObject({ status: 500, body: { code: -1000 } });
    fake.setBehavior('/api/v3/time', null);
  });

  it('delays answers', async () => {
    fake.setBehavior('/api/v3/ping', { delayMs: 5_000 });
    await expect(fetch(fake.baseUrl + '/api/v3/ping', { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    fake.setBehavior('/api/v3/ping', null);
    expect(fake.requests.at(-1)!.path).toBe('/api/v3/ping');
  });

  it('generates a one-factor walk whose return correlation is about beta²', () => {
    const walk = createWalk(11, { beta: 0.8 });
    const n = 4000;
    const a = Array.from({ length: n }, (_, i) => walk.logReturn('AAAUSDT', H, i + 1));
    const b = Array.from({ length: n }, (_, i) => walk.logReturn('BBBUSDT', H, i + 1));
    const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
    const ma = mean(a);
    const mb = mean(b);
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    for (let i = 0; i < n; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) ** 2;
      sbb += (b[i] - mb) ** 2;
    }
    expect(sab / Math.sqrt(saa * sbb)).toBeCloseTo(0.64, 1);
  });
});
