import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderSlackReply } from '../../src/adapters/slack/render.js';
import { SLACK_LIMITS } from '../../src/adapters/slack/limits.js';
import { USER, makeEnv, storeSnapshot } from '../commands/helpers.js';

/**
 * Issue 11, hostile input: random and adversarial command text from a non-admin in chat. Every line gets an answer
 * that is a reply or a clear user error (never an internal error or a throw), fits Slack's limits, never carries a
 * mention that pings (`<!channel>`, `<!here>`, `<!everyone>`, `<@U…>` arrive escaped), and never changes the store.
 */
const words = ['corr', 'matrix', 'regime', 'compare', 'basket', 'alerts', 'help', 'backtest', 'forecast', 'set', 'create', 'delete', 'subscribe', 'snooze', 'ack', 'history', 'outbox', 'majors', 'BTC', 'ETH', 'btc'];
const hostile = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '@everyone',
  '@here',
  '<@U123ABC>',
  '<#C123|general>',
  '*bold*',
  '`code`',
  '```',
  '~strike~',
  '> quote',
  '[link](http://example.com)',
  '\u200b\u200d\u2060',
  '\u202e',
  '-1',
  '0',
  '1e308',
  'NaN',
  'Infinity',
  '-0',
  '99999999999999999999',
  '--window',
  '--window=all',
  'window:-5',
  '--at',
  '2030-01-01',
  '--timeframe',
  '1s',
  '"unclosed',
  "'",
  '../../etc/passwd',
  'http://127.0.0.1:1/x',
  'x'.repeat(300),
];
const token = fc.oneof(fc.constantFrom(...words), fc.constantFrom(...hostile), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }));
const start = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('corr BTC ETH', 'corr', 'matrix majors', 'matrix BTC ETH SOL', 'regime majors', 'compare BTC ETH', 'help', 'alerts history majors', 'alerts status') },
  { weight: 2, arbitrary: fc.constantFrom('basket set majors window', 'basket create x', 'basket delete majors', 'alerts snooze majors', 'alerts subscribe majors', 'alerts ack') },
  { weight: 1, arbitrary: token },
);
const line = fc.tuple(start, fc.array(token, { minLength: 0, maxLength: 6 })).map(([head, rest]) => [head, ...rest].join(' '));

describe('hostile command text from a non-admin', () => {
  it('always answers with a reply or a user error within Slack limits, no ping, no store change', async () => {
    const env = await makeEnv();
    const before = await storeSnapshot(env.store);
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(line, async (text) => {
        const r = await env.rt.run(USER, text);
        seen[r.outcome] = (seen[r.outcome] ?? 0) + 1;
        expect(['ok', 'user_error', 'refused', 'source_error'], `${JSON.stringify(text)} -> ${r.outcome}: ${r.reply.text}`).toContain(r.outcome);
        const m = renderSlackReply(r.reply);
        expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
        expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
        const all = JSON.stringify(m);
        for (const ping of ['<!channel>', '<!here>', '<!everyone>', '<@U123ABC>']) expect(all, JSON.stringify(text)).not.toContain(ping);
      }),
      { numRuns: 400, seed: 20261201 },
    );
    expect(await storeSnapshot(env.store)).toBe(before);
    // The lines reach the handlers and the admin checks, not only the parser (400 runs, a fixed seed).
    expect(seen.ok).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(10);
    expect(seen.user_error).toBeGreaterThan(10);
  }, 120_000);
});
