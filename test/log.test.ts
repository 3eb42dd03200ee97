import { describe, expect, it } from 'vitest';
import { createLogger, logFormatFor, logLevelFor } from '../src/log.js';

describe('logging (pino)', () => {
  it('writes one JSON object per line with level, time and message; context as fields; errors with their stack', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    log.debug('not shown');
    log.info('tick done', { basket: 'majors', newBars: 3 });
    log.error('basket tick failed', { error: new Error('boom') });
    expect(lines).toHaveLength(2);
    const a = JSON.parse(lines[0]);
    expect(a).toMatchObject({ level: 30, msg: 'tick done', basket: 'majors', newBars: 3 });
    expect(Date.parse(a.time)).not.toBeNaN();
    const b = JSON.parse(lines[1]);
    expect(b).toMatchObject({ level: 50, msg: 'basket tick failed', error: { type: 'Error', message: 'boom' } });
    expect(b.error.stack).toContain('boom');
  });

  it('a child logger carries its bindings on every line', () => {
    const lines: string[] = [];
    const tick = createLogger('debug', (l) => lines.push(l)).child({ tick: '2024-01-01T00:00:00Z' });
    tick.debug('fetching');
    tick.child({ basket: 'majors' }).warn('slow');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ tick: '2024-01-01T00:00:00Z', msg: 'fetching' }),
      expect.objectContaining({ tick: '2024-01-01T00:00:00Z', basket: 'majors', msg: 'slow' }),
    ]);
  });

  it('censors secret keys at any depth up to two, and secret values anywhere in a line', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    const env = process.env;
    process.env = { ...env, DISCORD_TOKEN: 'discord-secret-value-123' };
    try {
      log.info('connecting', { token: 'abc', slack: { signingSecret: 'def', webhookUrl: 'https://hooks.slack.com/services/T/B/x' }, note: 'token is discord-secret-value-123 and xoxb-111-222' });
    } finally {
      process.env = env;
    }
    const o = JSON.parse(lines[0]);
    expect(o.token).toBe('[redacted]');
    expect(o.slack).toEqual({ signingSecret: '[redacted]', webhookUrl: '[redacted]' });
    expect(o.note).toBe('token is [DISCORD_TOKEN] and [slack-token]');
    expect(lines[0]).not.toContain('discord-secret-value-123');
  });

  it('pretty: a readable line for a terminal', () => {
    const lines: string[] = [];
    createLogger('info', (l) => lines.push(l), 'pretty').warn('previous tick still running; skipped', { at: '2024-01-01T00:00:00Z' });
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z WARN {2}previous tick still running; skipped at="2024-01-01T00:00:00Z"$/);
  });

  it('LOG_FORMAT and LOG_LEVEL from the environment', () => {
    expect(logFormatFor({}, true)).toBe('pretty');
    expect(logFormatFor({}, false)).toBe('json');
    expect(logFormatFor({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logLevelFor({ LOG_LEVEL: 'DEBUG' }, 'info')).toBe('debug');
    expect(logLevelFor({ LOG_LEVEL: 'loud' }, 'warn')).toBe('warn');
  });
});
