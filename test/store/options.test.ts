import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LowdbStore, MemoryStore } from '../../src/store/index.js';
import { resolveLimits } from '../../src/store/options.js';

describe('store options', () => {
  it('default to 2000 history points, 5000 notifications and 10000 audit entries', () => {
    expect(resolveLimits()).toEqual({ maxHistory: 2000, maxNotifications: 5000, maxAudit: 10_000 });
    expect(DEFAULT_LIMITS.maxAudit).toBe(10_000);
  });

  it('are the config file defaults too (config/default.yaml, store:)', async () => {
    const { configSchema } = await import('../../src/config/schema.js');
    expect(configSchema.parse({}).store).toEqual(resolveLimits());
  });

  it('refuse bounds that are not whole numbers >= 0, naming the option', () => {
    expect(() => new MemoryStore({ maxHistory: -1 })).toThrow('store option maxHistory must be a whole number >= 0, got -1');
    expect(() => new LowdbStore('/tmp/unused', { maxNotifications: 2.5 })).toThrow(/maxNotifications/);
    expect(() => new MemoryStore({ maxHistory: Infinity })).toThrow(/maxHistory/);
    expect(resolveLimits({ maxAudit: 10 }).maxAudit).toBe(10);
  });
});
