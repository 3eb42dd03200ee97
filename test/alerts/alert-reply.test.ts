import { describe, expect, it } from 'vitest';
import { alertReply } from '../../src/alerts/alert-reply.js';
import type { NotificationRecord } from '../../src/store/types.js';

const record = (payload: Record<string, unknown>, kind: NotificationRecord['kind'] = 'firing'): NotificationRecord => ({
  id: `majors:1:${kind}`,
  basket: 'majors',
  episode: 1,
  kind,
  at: Date.UTC(2024, 0, 1, 12),
  createdAt: Date.UTC(2024, 0, 1, 12, 1),
  payload: { basket: 'majors', symbols: ['BTC', 'ETH'], timeframe: '1h', regime: 'converging', avgCorrelation: 0.7, z: 5.2, reason: 'x', ...payload },
  deliveries: {},
});

describe('alert messages: the outlook line (issue 12)', () => {
  it('an alert decided with a fitted regime model says P(stressed within 24h)', () => {
    const r = alertReply(record({ stressedWithinDay: 0.6189 }));
    expect(r.fields).toContainEqual({ name: 'outlook', value: 'P(stressed within 24h): 0.62', inline: true });
  });
  it('without one (model not fitted, or no distinct stress state) there is no such line', () => {
    expect(alertReply(record({})).fields?.some((f) => f.name === 'outlook')).toBe(false);
    expect(alertReply(record({ stressedWithinDay: 0.3 }, 'stale')).fields?.some((f) => f.name === 'outlook')).toBe(false);
  });
});
