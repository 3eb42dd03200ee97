import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LowdbStore, MemoryStore } from '../../src/store/index.js';
import { resolveLimits } from '../../src/store/options.js';

describe('store options', () => {
  it('default to 2000 history points, 5000 notifications and an unbounded audit log', () => {
    expect(resolveLimits()).toEqual({ maxHistory: 2000, maxNotifications: 5000, maxAudit: Infinity });
    expect(DEFAULT_LIMITS.maxAudit).toBe(Infinity);
  });

  it('refuse bounds that are not whole numbers >= 0, naming the option', () => {
    expect(() => new MemoryStore({ maxHistory: -1 })).toThrow('store option maxHistory must be a whole number >= 0, got -1');
    expect(() => new LowdbStore('/tmp/unused', { maxNotifications: 2.5 })).toThrow(/maxNotifications/);
    expect(() => new MemoryStore({ maxHistory: Infinity })).toThrow(/maxHistory/);
    expect(resolveLimits({ maxAudit: 10 }).maxAudit).toBe(10);
  });
});
