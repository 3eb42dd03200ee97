import { UserError } from '../../src/domain/errors.js';
import type { MarketSource } from '../../src/domain/ports.js';
import type { Candle } from '../../src/domain/types.js';

export const H = 3_600_000;
export const T0 = Date.UTC(2024, 0, 1);
export const at = (h: number) => T0 + h * H;

/** A source with hourly bars from T0 up to the clock, recording each fetch. `lagBars` hides the newest closed bars. */
export function countingSource(clock: { now(): number }, opts: { lagBars?: number; id?: string } = {}) {
  const calls: [string, number, number][] = [];
  let lagBars = opts.lagBars ?? 0;
  const source: MarketSource = {
    id: opts.id ?? 'test:counting',
    venue: 'counting',
    async fetchCandles(symbol, _tf, since, until) {
      calls.push([symbol, since, until]);
      const closedEnd = Math.floor(clock.now() / H) * H - lagBars * H;
      const out: Candle[] = [];
      for (let t = Math.max(T0, Math.ceil(since / H) * H); t < Math.min(until, closedEnd); t += H) out.push({ t, c: 100 + (t - T0) / H });
      return out;
    },
    async listSymbols() {
      return ['BTC', 'ETH'];
    },
    async resolveSymbol(s) {
      const up = s.toUpperCase();
      if (up !== 'BTC' && up !== 'ETH') throw new UserError('unknown_symbol', `${s} is not listed`);
      return up;
    },
    async latestBarTime() {
      return 123;
    },
  };
  return { source, calls, setLag: (n: number) => (lagBars = n) };
}
