import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { seedBaskets } from '../../src/config/baskets.js';
import { ConfigError } from '../../src/domain/errors.js';
import { basketSchema } from '../../src/store/schema.js';

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('display.timezone', () => {
  it('defaults to UTC and takes an IANA zone, spelled canonically', () => {
    expect(parseConfig({}).display.timezone).toBe('UTC');
    expect(parseConfig({ display: { timezone: 'asia/singapore' } }).display.timezone).toBe('Asia/Singapore');
  });

  it('refuses an unknown zone at load, naming the key', () => {
    expect(issuesOf(() => parseConfig({ display: { timezone: 'Mars/Olympus' } }))).toEqual([
      'display.timezone: expected an IANA time zone like UTC, Europe/London, America/New_York or Asia/Singapore, got "Mars/Olympus"',
    ]);
    expect(issuesOf(() => parseConfig({ display: { timezone: 8 } }))[0]).toMatch(/^display\.timezone: expected an IANA time zone/);
    expect(issuesOf(() => parseConfig({ baskets: { majors: { symbols: ['BTC', 'ETH'], timezone: 'Nowhere' } } }))[0]).toMatch(/^baskets\.majors\.timezone: expected an IANA time zone .*got "Nowhere"/);
  });

  it('a basket zone is seeded into the store, and the store refuses an unknown one', () => {
    const config = parseConfig({ baskets: { majors: { symbols: ['BTC', 'ETH'], timezone: 'America/New_York' }, alts: { symbols: ['SOL', 'ADA'] } } });
    const [majors, alts] = seedBaskets(config, 0);
    expect(majors.timezone).toBe('America/New_York');
    expect('timezone' in alts).toBe(false);
    expect(basketSchema.safeParse(majors).success).toBe(true);
    const bad = basketSchema.safeParse({ ...majors, timezone: 'Nowhere' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].message).toBe('basket "majors": unknown time zone "Nowhere"');
  });
});
