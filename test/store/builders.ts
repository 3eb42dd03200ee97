import type { AuditEntry, Basket, BasketRuntime, Delivery, NotificationRecord, RegimePoint, Subscription } from '../../src/store/index.js';

/** Test data builders: valid values with sensible defaults, overridable field by field. */

export function basket(name: string, over: Partial<Basket> = {}): Basket {
  return {
    name,
    symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'],
    timeframe: '1h',
    window: '7d',
    baseline: '90d',
    thresholds: { enterZ: 2, exitZ: 1, stressProbability: 0.8, decoupleZ: -2 },
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    createdBy: 'config',
    ...over,
  };
}

export function subscription(basketName: string, channelId: string, over: Partial<Subscription> = {}): Subscription {
  return { basket: basketName, platform: 'slack', channelId, createdAt: 1_700_000_000_000, createdBy: 'slack:U1', ...over };
}

export function point(at: number, over: Partial<RegimePoint> = {}): RegimePoint {
  return { at, avgCorrelation: 0.42, regime: 'calm', z: 0.1, stressProbability: 0.05, ...over };
}

export function runtime(basketName: string, over: Partial<BasketRuntime> = {}): BasketRuntime {
  return { basket: basketName, alertState: { phase: 'idle', episode: 0 }, history: [point(1), point(2)], ...over };
}

export const pending: Delivery = { status: 'pending', attempts: 0 };
export const sent: Delivery = { status: 'sent', attempts: 1, lastAttemptAt: 5, messageRef: 'C1/123.456' };
export const failed: Delivery = { status: 'failed', attempts: 5, lastAttemptAt: 5, error: 'channel_not_found' };

export function notification(id: string, deliveries: Record<string, Delivery> = { 'slack:C1': pending }, over: Partial<NotificationRecord> = {}): NotificationRecord {
  return {
    id,
    basket: id.split(':')[0],
    episode: 1,
    kind: 'firing',
    at: 1_700_000_000_000,
    createdAt: 1_700_000_100_000,
    payload: { regime: 'stressed', avgCorrelation: 0.91 },
    deliveries,
    ...over,
  };
}

export function audit(action: string, basketName?: string, at = 1_700_000_000_000): AuditEntry {
  return { at, platform: 'discord', userId: 'U9', action, basket: basketName, details: { note: action } };
}
