import { describe, expect, it } from 'vitest';
import { SourceError } from '../../src/domain/errors.js';
import type { MarketSource } from '../../src/domain/ports.js';
import { USER, capturingLogger, csvSource, makeEnv } from './helpers.js';

/** The CSV source with fetchCandles replaced by one that fails. */
function failingSource(error: Error): MarketSource {
  const base = csvSource();
  return {
    id: base.id,
    venue: base.venue,
    listSymbols: () => base.listSymbols(),
    resolveSymbol: (s) => base.resolveSymbol(s),
    nativeTimeframe: () => base.nativeTimeframe!(),
    // Every call for market data fails (regime asks for the latest bar before fetching candles).
    latestBarTime: async () => {
      throw error;
    },
    fetchCandles: async () => {
      throw error;
    },
  };
}

describe('failures that are not the user\u2019s', () => {
  it('a plain Error in the market source: internal_error, a short reply with an error id, the full error logged under that id', async () => {
    const log = capturingLogger();
    const boom = new Error('disk read failed at block 7');
    const env = await makeEnv({ market: failingSource(boom), log });
    const r = await env.rt.run(USER, 'corr AAA CCC 60');
    expect(r.outcome).toBe('internal_error');
    expect(r.command).toBe('corr');
    expect(r.errorId).toMatch(/^[0-9a-f]{8}$/);
    expect(r.reply.ephemeral).toBe(true);
    expect(r.reply.severity).toBe('error');
    expect(r.reply.text).toContain(`error id ${r.errorId}`);
    // the details stay in the log, not in the channel
    expect(r.reply.text).not.toContain('disk read failed');
    const logged = log.entries.filter((e) => e.level === 'error');
    expect(logged).toHaveLength(1);
    expect(logged[0].ctx).toMatchObject({ errorId: r.errorId, command: 'corr', line: 'corr AAA CCC 60' });
    expect(logged[0].ctx!.error).toBe(boom);
  });

  it('each internal error gets its own id', async () => {
    const log = capturingLogger();
    const env = await makeEnv({ market: failingSource(new TypeError('x is undefined')), log });
    const a = await env.rt.run(USER, 'matrix AAA BBB CCC');
    const b = await env.rt.run(USER, 'compare AAA BBB 50');
    expect([a.outcome, b.outcome]).toEqual(['internal_error', 'internal_error']);
    expect(a.errorId).not.toBe(b.errorId);
    expect(log.entries.filter((e) => e.level === 'error').map((e) => e.ctx!.errorId)).toEqual([a.errorId, b.errorId]);
  });

  it('a SourceError: source_error, its message in the reply, a warning in the log', async () => {
    const log = capturingLogger();
    const env = await makeEnv({ market: failingSource(new SourceError('rate_limited', 'binance is rate limiting us; try again in a minute', true)), log });
    const r = await env.rt.run(USER, 'corr AAA CCC');
    expect(r.outcome).toBe('source_error');
    expect(r.reply.ephemeral).toBe(true);
    expect(r.reply.title).toBe('Market data unavailable');
    expect(r.reply.text).toContain('binance is rate limiting us; try again in a minute');
    expect(r.reply.text).toContain(`error id ${r.errorId}`);
    expect(log.entries.find((e) => e.level === 'warn' && e.msg === 'market source failed')?.ctx).toMatchObject({ errorId: r.errorId, code: 'rate_limited' });
    expect(log.entries.filter((e) => e.level === 'error')).toHaveLength(0);
  });

  it('regime of every basket reports a failing basket in its row instead of failing the whole command', async () => {
    const env = await makeEnv({ market: failingSource(new SourceError('unavailable', 'exchange down', true)) });
    const r = await env.rt.run(USER, 'regime');
    expect(r.outcome).toBe('ok');
    expect(r.reply.data).toEqual([{ basket: 'majors', regime: null, error: 'exchange down' }]);
    // The row says there is an error; the message, whole, follows the table.
    expect(r.reply.text).toMatch(/^majors +error \(below\) +- +- +-$/m);
    expect(r.reply.text?.endsWith('```\nmajors: exchange down')).toBe(true);
  });

  it('regime of every basket logs a failure that is not a user or source error (with the error), not only shows it', async () => {
    // dispatch's contract: anything but a user or source error is logged in full under an error id. `regime` with no
    // basket catches per-basket failures to keep the other rows, but a plain Error is then neither logged nor given an id.
    const log = capturingLogger();
    const boom = new Error('disk read failed at block 7');
    const env = await makeEnv({ market: failingSource(boom), log });
    const r = await env.rt.run(USER, 'regime');
    expect(r.outcome).toBe('ok');
    expect((r.reply.data as { basket: string; regime: null }[])[0]).toMatchObject({ basket: 'majors', regime: null });
    expect(log.entries.some((e) => e.level === 'error' && e.ctx?.error === boom)).toBe(true);
  });
});
