import { describe, expect, it } from 'vitest';
import * as ops from '../../src/store/operations.js';
import type { StoreData } from '../../src/store/index.js';
import { audit, basket, notification, pending, point, runtime, sent, subscription } from './builders.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function sampleDocument(): StoreData {
  return {
    ...ops.createDocument(1),
    seeded: true,
    baskets: [basket('majors'), basket('defi')],
    subscriptions: [subscription('majors', 'C1'), subscription('defi', 'C2')],
    runtime: { majors: runtime('majors'), defi: runtime('defi') },
    notifications: [notification('majors:1:firing', { 'slack:C1': sent }), notification('defi:1:firing', { 'slack:C2': pending })],
    audit: [audit('basket.create', 'defi')],
  };
}

describe('store operations', () => {
  it('never modify the document they are given (every change runs on a deeply frozen one)', () => {
    const doc = deepFreeze(sampleDocument());
    const ack = { by: 'U1', platform: 'slack' as const, at: 5 };
    const changes: StoreData[] = [
      ops.seedOnce({ ...doc, seeded: false }, [basket('memes')]),
      ops.putBasket(doc, basket('majors', { window: '1d' })),
      ops.putBasket(doc, basket('memes')),
      ops.deleteBasket(doc, 'majors').data,
      ops.addSubscription(doc, subscription('majors', 'C9')).data,
      ops.removeSubscription(doc, 'majors', 'slack', 'C1').data,
      ops.putRuntime(doc, runtime('majors', { history: [point(1), point(2), point(3)] }), 2),
      ops.addNotification(doc, notification('majors:2:firing'), 1).data,
      ops.updateDelivery(doc, 'defi:1:firing', 'slack:C2', sent),
      ops.acknowledge(doc, 'defi:1:firing', ack).data,
      ops.appendAudit(doc, audit('x'), 1),
    ];
    for (const changed of changes) expect(changed).not.toBe(doc);
    expect(doc).toEqual(sampleDocument());
  });

  it('return the same document when nothing changes, so no write is made', () => {
    const doc = sampleDocument();
    expect(ops.deleteBasket(doc, 'nope').data).toBe(doc);
    expect(ops.addSubscription(doc, subscription('majors', 'C1')).data).toBe(doc);
    expect(ops.removeSubscription(doc, 'majors', 'discord', 'C1').data).toBe(doc);
    expect(ops.addNotification(doc, notification('majors:1:firing'), 10).data).toBe(doc);
    expect(ops.updateDelivery(doc, 'nope:1:firing', 'slack:C1', sent)).toBe(doc);
    expect(ops.seedOnce(doc, [basket('memes')])).toBe(doc);
  });

  it('seedOnce adds only names not taken and marks the document seeded', () => {
    const doc = { ...sampleDocument(), seeded: false };
    const seeded = ops.seedOnce(doc, [basket('majors', { window: '1d' }), basket('memes')]);
    expect(seeded.seeded).toBe(true);
    expect(seeded.baskets.map((b) => [b.name, b.window])).toEqual([['majors', '7d'], ['defi', '7d'], ['memes', '7d']]);
  });

  it('maxHistory 0 keeps no points; maxNotifications 0 keeps only undelivered records', () => {
    const doc = sampleDocument();
    expect(ops.putRuntime(doc, runtime('majors'), 0).runtime.majors.history).toEqual([]);
    const { data } = ops.addNotification(doc, notification('majors:2:firing', { 'slack:C1': sent }), 0);
    expect(data.notifications.map((n) => n.id)).toEqual(['defi:1:firing']);
  });
});
