import { describe, expect, it } from 'vitest';
import { appendedTail, changedNotifications, foldHistory, foldOutbox, historyLines, newHistoryPoints } from '../../src/store/side-records.js';
import { notification, point, runtime, sent } from './builders.js';

describe('appendedTail (what an append-only list adds)', () => {
  const [a, b, c, d] = [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }];
  it('is the records after the end of the previous list, with the oldest ones dropped by a bound or not', () => {
    expect(appendedTail([a, b], [a, b, c])).toEqual([c]);
    expect(appendedTail([a, b], [b, c, d])).toEqual([c, d]);
    expect(appendedTail([], [a])).toEqual([a]);
    expect(appendedTail([a], [a])).toEqual([]);
  });
  it('is undefined when the new list does not continue the old one (then the file is written whole)', () => {
    expect(appendedTail([a, b], [c])).toBeUndefined();
    expect(appendedTail([a, b], [a, c])).toBeUndefined();
    expect(appendedTail([a, b, c], [a, c, d])).toBeUndefined();
    // equal values but other objects: not the same records
    expect(appendedTail([a], [{ n: 1 }, b])).toBeUndefined();
  });
});

describe('newHistoryPoints (matched by time)', () => {
  it('returns the points newer than the last one kept, when the rest ends where the old history ends', () => {
    expect(newHistoryPoints([point(1), point(2)], [point(1), point(2), point(3)])!.map((p) => p.at)).toEqual([3]);
    expect(newHistoryPoints([point(1), point(2)], [point(2), point(3), point(4)])!.map((p) => p.at)).toEqual([3, 4]);
    expect(newHistoryPoints([], [point(5)])!.map((p) => p.at)).toEqual([5]);
    expect(newHistoryPoints([point(1)], [point(1)])).toEqual([]);
  });
  it('is undefined for a history that starts again or does not line up', () => {
    expect(newHistoryPoints([point(1), point(2)], [point(3)])).toBeUndefined();
    expect(newHistoryPoints([point(1), point(2)], [])).toBeUndefined();
    expect(newHistoryPoints([point(1), point(3)], [point(1), point(2), point(4)])).toBeUndefined();
    expect(newHistoryPoints([point(2)], [point(1), point(2), point(3)])).toBeUndefined();
  });
});

describe('historyLines', () => {
  it('appends new points, resets a history that starts again, and resets a removed basket', () => {
    const prev = { a: runtime('a', { history: [point(1)] }), b: runtime('b', { history: [point(5), point(6)] }), gone: runtime('gone') };
    const next = { a: runtime('a', { history: [point(1), point(2)] }), b: runtime('b', { history: [point(9)] }), c: runtime('c', { history: [] }) };
    expect(historyLines(prev, next)).toEqual([
      { basket: 'a', points: [point(2)] },
      { basket: 'b', reset: true, points: [point(9)] },
      { basket: 'gone', reset: true, points: [] },
    ]);
  });
});

describe('changedNotifications', () => {
  it('is the records that are new or not the same object as before', () => {
    const one = notification('m:1:firing');
    const two = notification('m:2:firing');
    const oneSent = { ...one, deliveries: { 'slack:C1': sent } };
    expect(changedNotifications([one], [one, two])).toEqual([two]);
    expect(changedNotifications([one, two], [oneSent, two])).toEqual([oneSent]);
    expect(changedNotifications([one, two], [two])).toEqual([]);
  });
});

describe('folding the side files', () => {
  it('keeps the last version of each notification in the order the ids first appeared', () => {
    const one = notification('m:1:firing');
    const two = notification('m:2:firing');
    const oneSent = { ...one, deliveries: { 'slack:C1': sent } };
    expect(foldOutbox([one, two, oneSent], 'outbox.jsonl')).toEqual([oneSent, two]);
  });

  it('refuses a malformed notification, naming the file and the record', () => {
    expect(() => foldOutbox([notification('m:1:firing'), { id: 'x' }], 'outbox.jsonl')).toThrow(/outbox\.jsonl record 2 is not a valid record/);
  });

  it('rebuilds each history through appends and resets, skipping duplicates and malformed lines', () => {
    const { histories, skipped } = foldHistory([
      { basket: 'a', points: [point(1), point(2)] },
      { basket: 'a', points: [point(2), point(3)] },
      { basket: 'b', points: [point(7)] },
      { basket: 'b', reset: true, points: [point(9)] },
      { basket: 'a', points: [{ at: 'soon' }] },
      'garbage',
    ]);
    expect(histories.get('a')!.map((p) => p.at)).toEqual([1, 2, 3]);
    expect(histories.get('b')!.map((p) => p.at)).toEqual([9]);
    expect(skipped).toBe(2);
  });
});
