import { beforeAll, describe, expect, it } from 'vitest';
import { SourceError, UserError } from '../../src/domain/errors.js';
import type { TickReport } from '../../src/scheduler/watcher.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { StoreError } from '../../src/store/errors.js';
import { alertReply } from '../../src/alerts/alert-reply.js';
import type { NotificationRecord } from '../../src/store/types.js';
import { barOf, barTime, basket, FakeMarket, Harness, nowAfter, subscribe } from './fakes.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
/** Calm 0.1 until bar 800, 0.85 from 800 to 1000, calm again: one clear episode. */
const JUMP = [
  { from: 0, rho: 0.1, vol: 0.01 },
  { from: 800, rho: 0.85, vol: 0.01 },
  { from: 1000, rho: 0.1, vol: 0.01 },
];
const TARGETS = ['console:stdout', 'discord:D1', 'slack:C1', 'slack:C2'];

async function harness(segments = JUMP, bars = 1400): Promise<Harness> {
  const store = new MemoryStore();
  await store.open([]);
  const market = new FakeMarket().addGroup(SYMBOLS, bars, segments, 5);
  await store.putBasket(basket('majors', SYMBOLS));
  await subscribe(store, 'majors', 'slack', 'C1');
  await subscribe(store, 'majors', 'slack', 'C2');
  await subscribe(store, 'majors', 'discord', 'D1');
  return new Harness(store, market);
}

/** The JUMP market and basket `majors` on `store` (opened here), subscribed in one Slack channel. */
async function oneChannelHarness(store: MemoryStore): Promise<Harness> {
  await store.open([]);
  await store.putBasket(basket('majors', SYMBOLS));
  await subscribe(store, 'majors', 'slack', 'C1');
  return new Harness(store, new FakeMarket().addGroup(SYMBOLS, 1400, JUMP, 5));
}

/** Tick once per bar from `from` until a report notifies something (or `to`); returns that bar and report. */
async function tickUntilNotified(h: Harness, from: number, to: number): Promise<{ k: number; report: TickReport }> {
  for (let k = from; k <= to; k++) {
    const report = await h.tickAt(k);
    if (report.baskets.some((b) => b.notifications.length > 0)) return { k, report };
  }
  throw new Error(`nothing notified between bars ${from} and ${to}`);
}

function sentTo(h: Harness, id: string) {
  return [...h.slack.sent, ...h.discord.sent].filter((s) => s.id === id);
}

describe('Watcher: a correlation jump, fan-out, no repeats, restart, resolution', () => {
  let h: Harness;
  let fired: { k: number; report: TickReport };
  let firing: NotificationRecord;

  beforeAll(async () => {
    h = await harness();
  });

  it('the first tick replays history silently (calm at the end: nothing to announce)', async () => {
    const r = await h.tickAt(790);
    expect(r.baskets).toHaveLength(1);
    const b = r.baskets[0];
    expect(b.error).toBeUndefined();
    expect(b.regime).toBe('calm');
    expect(b.notifications).toEqual([]);
    expect(b.newBars).toBeGreaterThan(300);
    expect(r.delivery).toEqual({ sent: 0, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    const rt = (await h.store.getRuntime('majors'))!;
    expect(rt.lastBarAt).toBe(barTime(789));
    expect(rt.history.length).toBe(b.newBars);
  });

  it('fires once after the jump, with one record delivered to each subscribed target and the console', async () => {
    fired = await tickUntilNotified(h, 791, 860);
    const { k, report } = fired;
    expect(report.baskets[0].notifications).toEqual(['firing']);
    expect(report.delivery).toEqual({ sent: 4, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    // The episode starts after the switch and within a window of it.
    expect(k).toBeGreaterThan(800);
    expect(k).toBeLessThan(800 + 48);
    const all = await h.store.listNotifications('majors');
    expect(all.map((n) => n.id)).toEqual(['majors:1:firing']);
    firing = all[0];
    expect(firing.kind).toBe('firing');
    expect(firing.episode).toBe(1);
    expect(firing.at).toBe(barTime(k - 1)); // the bar that just closed
    expect(Object.keys(firing.deliveries).sort()).toEqual(TARGETS);
    for (const t of TARGETS) {
      expect(firing.deliveries[t].status).toBe('sent');
      expect(firing.deliveries[t].attempts).toBe(1);
      expect(firing.deliveries[t].lastAttemptAt).toBe(nowAfter(k));
    }
    expect(firing.deliveries['console:stdout'].messageRef).toBe('majors:1:firing');
    const p = firing.payload as { regime: string; z: number; avgCorrelation: number; baselineRho: number; recentAvgCorrelation: number; symbols: string[]; drivers: unknown[] };
    expect(['converging', 'stressed']).toContain(p.regime);
    expect(p.z).toBeGreaterThanOrEqual(3);
    expect(p.avgCorrelation).toBeGreaterThan(p.baselineRho);
    // The recent (EWMA) level is ahead of the window average right after a jump.
    expect(p.recentAvgCorrelation).toBeGreaterThan(p.avgCorrelation);
    expect(p.symbols).toEqual(SYMBOLS);
    expect(p.drivers.length).toBe(3);
    // Each platform notifier got the message once per channel, rendered by alertReply.
    expect(h.slack.sent.map((s) => s.target).sort()).toEqual(['slack:C1', 'slack:C2']);
    expect(h.discord.sent.map((s) => s.target)).toEqual(['discord:D1']);
    for (const s of [...h.slack.sent, ...h.discord.sent]) {
      expect(s.id).toBe('majors:1:firing');
      expect(s.threadRef).toBeUndefined();
      expect(s.title).toMatch(/^(🟠 majors: correlations converging|🔴 majors: correlation stress)$/);
    }
    expect(h.consoleOut).toHaveLength(1);
    expect(h.consoleOut[0]).toContain('majors');
    for (const t of TARGETS.filter((x) => x !== 'console:stdout')) {
      expect(firing.deliveries[t].messageRef).toBe([...h.slack.sent, ...h.discord.sent].find((s) => s.target === t)!.messageRef);
    }
  });

  it('the next tick does not repeat it', async () => {
    const r = await h.tickAt(fired.k + 1);
    expect(r.baskets[0].newBars).toBe(1);
    expect(r.baskets[0].notifications).toEqual([]);
    expect(r.delivery).toEqual({ sent: 0, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    expect(sentTo(h, 'majors:1:firing')).toHaveLength(3);
    expect(h.consoleOut).toHaveLength(1);
  });

  it('a new Watcher on the same store (a restart) does not repeat it, at the same time or on later bars', async () => {
    h.watcher = h.newWatcher();
    const same = await h.tickAt(fired.k + 1);
    expect(same.baskets[0].error).toBeUndefined();
    expect(same.baskets[0].newBars).toBe(0);
    expect(same.baskets[0].notifications).toEqual([]);
    for (let k = fired.k + 2; k <= fired.k + 6; k++) {
      const r = await h.tickAt(k);
      expect(r.baskets[0].newBars).toBe(1);
      expect(r.baskets[0].notifications).toEqual([]);
    }
    expect(await h.store.listNotifications('majors')).toHaveLength(1);
    expect(sentTo(h, 'majors:1:firing')).toHaveLength(3);
    expect(h.consoleOut).toHaveLength(1);
  });

  it('resolves once after the correlation falls back, threaded under the firing message on each target', async () => {
    // Several bars per tick here (a tick can see more than one new bar): the outcome must not depend on it.
    let resolved: { k: number; report: TickReport } | undefined;
    const others: string[] = [];
    for (let k = fired.k + 10; k <= 1200 && !resolved; k += 3) {
      const report = await h.tickAt(k);
      const notes = report.baskets[0].notifications;
      if (notes.includes('resolved')) resolved = { k, report };
      else others.push(...notes);
    }
    expect(resolved).toBeDefined();
    expect(resolved!.report.baskets[0].notifications).toEqual(['resolved']);
    // Only an escalation of the same episode may come in between (it depends on the Markov model).
    expect(others.every((n) => n === 'escalated')).toBe(true);
    expect(resolved!.k).toBeGreaterThan(1000);
    const rec = (await h.store.getNotification('majors:1:resolved'))!;
    expect(barOf(rec.at)).toBeGreaterThan(1000);
    const p = rec.payload as { startedAt: number; durationMs: number; peakAvgCorrelation: number };
    expect(p.durationMs).toBe(rec.at - p.startedAt);
    expect(p.startedAt).toBeLessThanOrEqual(firing.at);
    for (const s of sentTo(h, 'majors:1:resolved')) {
      expect(s.threadRef).toBe(firing.deliveries[s.target].messageRef);
      expect(s.title.startsWith('✅ majors: resolved')).toBe(true);
    }
    expect(sentTo(h, 'majors:1:resolved').map((s) => s.target).sort()).toEqual(['discord:D1', 'slack:C1', 'slack:C2']);
    expect(rec.deliveries['console:stdout'].status).toBe('sent');
    // Nothing else was ever enqueued.
    const ids = (await h.store.listNotifications('majors')).map((n) => n.id).filter((id) => id !== 'majors:1:escalated');
    expect(ids.sort()).toEqual(['majors:1:firing', 'majors:1:resolved']);
    const rt = (await h.store.getRuntime('majors'))!;
    expect((rt.alertState as { phase: string }).phase).toBe('inactive');
  });
});

describe('Watcher: delivery failures', () => {
  it('a retryable failure (returned or thrown) leaves that delivery pending; the next tick delivers it, exactly once', async () => {
    const h = await harness();
    h.slack.failures.set('C2', [{ ok: false, retryable: true, error: 'rate_limited' }]);
    h.discord.failures.set('D1', ['throw']);
    await h.tickAt(790);
    const { k, report } = await tickUntilNotified(h, 791, 860);
    expect(report.delivery).toEqual({ sent: 2, failed: 2, waiting: 0, gaveUp: 0, deferred: 0 });
    let rec = (await h.store.getNotification('majors:1:firing'))!;
    expect(rec.deliveries['slack:C1'].status).toBe('sent');
    expect(rec.deliveries['console:stdout'].status).toBe('sent');
    expect(rec.deliveries['slack:C2']).toMatchObject({ status: 'pending', attempts: 1, error: 'rate_limited' });
    expect(rec.deliveries['discord:D1']).toMatchObject({ status: 'pending', attempts: 1, error: 'socket hang up' });
    expect(await h.store.pendingNotifications()).toHaveLength(1);

    const next = await h.tickAt(k + 1);
    expect(next.delivery).toEqual({ sent: 2, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    rec = (await h.store.getNotification('majors:1:firing'))!;
    for (const t of TARGETS) expect(rec.deliveries[t].status).toBe('sent');
    expect(rec.deliveries['slack:C2'].attempts).toBe(2);
    expect(rec.deliveries['slack:C1'].attempts).toBe(1);
    expect(await h.store.pendingNotifications()).toHaveLength(0);
    await h.tickAt(k + 2);
    // Sent exactly once per target; C1 was never retried.
    expect(sentTo(h, 'majors:1:firing').map((s) => s.target).sort()).toEqual(['discord:D1', 'slack:C1', 'slack:C2']);
    expect(h.slack.attempts.filter((a) => a.target === 'slack:C1')).toHaveLength(1);
    expect(h.slack.attempts.filter((a) => a.target === 'slack:C2')).toHaveLength(2);
  });

  it('a permanent failure is given up at once; a target whose platform is not running waits, then is given up at the give-up age (never posted late)', async () => {
    const h = await harness();
    await subscribe(h.store, 'majors', 'slack', 'C3');
    await subscribe(h.store, 'majors', 'cli', 'nobody'); // no notifier for this platform in the process
    h.slack.failures.set('C3', Array.from({ length: 10 }, () => ({ ok: false as const, retryable: false, error: 'channel_not_found' })));
    await h.tickAt(790);
    const { k, report } = await tickUntilNotified(h, 791, 860);
    expect(report.delivery).toEqual({ sent: 4, failed: 0, waiting: 1, gaveUp: 1, deferred: 0 });
    // One hour later (the give-up age, alerts.giveUpAfter: 1h) it still waits; past it, it is given up unsent.
    expect((await h.tickAt(k + 1)).delivery).toMatchObject({ waiting: 1, gaveUp: 0 });
    expect((await h.tickAt(k + 2)).delivery).toMatchObject({ waiting: 0, gaveUp: 1 });
    for (let j = 3; j <= 6; j++) await h.tickAt(k + j);
    const rec = (await h.store.getNotification('majors:1:firing'))!;
    expect(rec.deliveries['slack:C3']).toMatchObject({ status: 'failed', attempts: 1, error: 'channel_not_found' });
    expect(rec.deliveries['cli:nobody']).toMatchObject({ status: 'failed', attempts: 0, error: 'given up: not delivered within 60 min of the alert' });
    expect(h.slack.attempts.filter((a) => a.target === 'slack:C3')).toHaveLength(1);
    expect(h.watcher.lastTick!.delivery).toMatchObject({ waiting: 0, gaveUp: 0 });
    expect(await h.store.pendingNotifications()).toHaveLength(1); // failed counts as undelivered: kept, listed by `alerts outbox`
  });
});

describe('Watcher: failures of the market source', () => {
  it('one basket whose source throws is reported with its error while the other basket still ticks', async () => {
    const store = new MemoryStore();
    await store.open([]);
    const market = new FakeMarket().addGroup(SYMBOLS, 1000, JUMP, 5).addGroup(['EEE', 'FFF'], 1000, [{ from: 0, rho: 0.3, vol: 0.01 }], 6);
    await store.putBasket(basket('broken', ['EEE', 'FFF']));
    await store.putBasket(basket('majors', SYMBOLS));
    const h = new Harness(store, market);

    const cases: [Error, string, string][] = [
      [new SourceError('unavailable', 'fake is down (HTTP 503)', true), 'fake is down (HTTP 503)', 'unavailable'],
      [new UserError('unknown_symbol', 'EEE is not listed on fake any more'), 'EEE is not listed on fake any more', 'unknown_symbol'],
      [new Error('kaboom'), 'internal error: kaboom', 'internal'],
    ];
    let k = 700;
    for (const [error, message, errorKind] of cases) {
      market.failures.set('EEE', error);
      const r = await h.tickAt(++k);
      const [broken, majors] = r.baskets;
      expect(broken).toEqual({ basket: 'broken', newBars: 0, notifications: [], error: message, errorKind });
      expect(majors.basket).toBe('majors');
      expect(majors.error).toBeUndefined();
      expect(majors.newBars).toBeGreaterThan(0);
      expect(majors.regime).toBeDefined();
      expect((await store.getRuntime('broken'))!.lastError).toEqual({ at: nowAfter(k), message });
      expect((await store.getRuntime('majors'))!.lastBarAt).toBe(barTime(k - 1));
    }
    // Known failures are warnings; an unexpected one is logged as an error with the basket.
    expect(h.log.lines.filter((l) => l.msg === 'basket tick failed').map((l) => l.level)).toEqual(['warn', 'warn', 'error']);

    market.failures.clear();
    const r = await h.tickAt(++k);
    expect(r.baskets[0].error).toBeUndefined();
    expect(r.baskets[0].newBars).toBeGreaterThan(300);
    expect((await store.getRuntime('broken'))!.lastError).toBeUndefined();
  });

  it('while a basket is warming up the report says how far along it is (returns seen < returns needed)', async () => {
    const store = new MemoryStore();
    await store.open([]);
    const market = new FakeMarket().addGroup(SYMBOLS, 1000, JUMP, 5);
    await store.putBasket(basket('majors', SYMBOLS));
    const h = new Harness(store, market);
    // 140 closed bars: 139 returns, more than 2W + 20 = 116 but fewer than the 3W + 19 = 163 the detector needs.
    const r = await h.tickAt(140);
    const m = /^warming up: (\d+) of (\d+) returns$/.exec(r.baskets[0].error ?? '');
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(139);
    // BUG (same root cause as detector warmupReturns): reads "139 of 116 returns".
    expect(Number(m![1])).toBeLessThan(Number(m![2]));
  });
});

describe('Watcher: missing data', () => {
  it('no new bars for more than staleBars bars -> one `stale` notification, never `resolved`; bars coming back -> one `recovered`', async () => {
    const h = await harness();
    await h.tickAt(790);
    const { k } = await tickUntilNotified(h, 791, 860); // firing
    h.market.available = k; // bars k, k + 1, ... never arrive
    const kinds: [number, string[]][] = [];
    for (let j = k + 1; j <= k + 40; j++) {
      const r = await h.tickAt(j);
      kinds.push([j, r.baskets[0].notifications]);
    }
    const notified = kinds.filter(([, n]) => n.length > 0);
    // Last bar seen: k − 1 (open), closed at k. Stale once now > that + (1 + 3) bars: first at bar k + 3 (+1 min).
    expect(notified).toEqual([[k + 3, ['stale']]]);
    const stale = (await h.store.listNotifications('majors')).find((n) => n.kind === 'stale')!;
    expect(stale.id).toBe(`majors:1:stale:${barTime(k - 1)}`);
    expect(stale.at).toBe(barTime(k - 1));
    // Every symbol simply has no newer bar (a quiet feed): no problem to name.
    expect(stale.payload.dataProblem).toBeUndefined();
    expect(Object.keys(stale.deliveries).sort()).toEqual(TARGETS);
    expect(sentTo(h, stale.id)).toHaveLength(3);
    // The episode is still firing: missing data is not a resolution.
    const rt = (await h.store.getRuntime('majors'))!;
    expect((rt.alertState as { phase: string; stale: boolean }).phase).toBe('firing');
    expect((rt.alertState as { phase: string; stale: boolean }).stale).toBe(true);

    // The feed catches up (every missing bar is served): one `recovered`, the episode goes on.
    h.market.available = Infinity;
    const back = await h.tickAt(k + 41);
    expect(back.baskets[0].newBars).toBe(41);
    const [first, ...rest] = back.baskets[0].notifications;
    expect(first).toBe('recovered');
    expect(rest.every((n) => n === 'escalated')).toBe(true);
    const after = (await h.store.getRuntime('majors'))!;
    expect((after.alertState as { phase: string }).phase).toBe('firing');
    const stored = (await h.store.listNotifications('majors')).map((n) => n.kind).filter((n) => n !== 'escalated');
    expect(stored.sort()).toEqual(['firing', 'recovered', 'stale']);
    // market data came back (not a reading): said so
    const recovered = (await h.store.listNotifications('majors')).find((n) => n.kind === 'recovered')!;
    expect(recovered.payload.noReading).toBeUndefined();
    expect(alertReply(recovered).title).toBe('majors: market data is back');
  });

  it('a permanent hole in the feed: `stale`, then `recovered` on the first bar with a return; no return spans the hole', async () => {
    const h = await harness();
    for (let b = 900; b < 906; b++) h.market.holes.add(b); // bars 900..905 never exist
    await h.tickAt(890);
    const notified: [number, string[]][] = [];
    for (let k = 891; k <= 912; k++) {
      const r = await h.tickAt(k);
      if (r.baskets[0].notifications.length) notified.push([k, r.baskets[0].notifications]);
    }
    // Last bar seen 899 (closed at 900): stale from the tick at 903; bar 906 has no predecessor, so the first
    // return after the hole ends at bar 907, seen by the tick at 908.
    expect(notified).toEqual([
      [903, ['stale']],
      [908, ['recovered']],
    ]);
    const points = (await h.store.getRuntime('majors'))!.history.map((p) => barOf(p.at));
    expect(points.filter((b) => b >= 895 && b <= 911)).toEqual([895, 896, 897, 898, 899, 907, 908, 909, 910, 911]);
  });

  it('a source that keeps failing: one `stale` once data is overdue, then nothing; never `resolved`', async () => {
    const h = await harness();
    await h.tickAt(790);
    const { k } = await tickUntilNotified(h, 791, 860);
    h.market.failures.set('CCC', new SourceError('timeout', 'fake timed out', true));
    const notified: [number, string[]][] = [];
    for (let j = k + 1; j <= k + 30; j++) {
      const r = await h.tickAt(j);
      expect(r.baskets[0].error).toBe('fake timed out');
      if (r.baskets[0].notifications.length) notified.push([j, r.baskets[0].notifications]);
    }
    expect(notified).toEqual([[k + 3, ['stale']]]);
    expect((await h.store.listNotifications('majors')).map((n) => n.kind).sort()).toEqual(['firing', 'stale']);
    // The stale alert says why the data stopped: the source's error.
    const stale = (await h.store.listNotifications('majors')).find((n) => n.kind === 'stale')!;
    expect(stale.payload.dataProblem).toBe('fake timed out');
    expect(alertReply(stale).text).toMatch(/^No fresh 1h bars for majors \(AAA, BBB, CCC, DDD\) since .*\. Last problem: fake timed out\. Alerts stay as they were/);
  });

  it('a symbol that stops moving (a halted market): the basket reports it by name, then one stale alert saying so; readings come back with its moves', async () => {
    const h = await harness();
    await h.tickAt(790);
    const { k } = await tickUntilNotified(h, 791, 860); // firing
    // DDD's price stays put from bar k on; the window of the basket is 48 bars
    h.market.frozen.set('DDD', [k, k + 100]);
    const reports: { j: number; error?: string; kind?: string; notes: string[] }[] = [];
    for (let j = k + 1; j <= k + 100 + 60; j++) {
      const r = (await h.tickAt(j)).baskets[0];
      reports.push({ j, error: r.error, kind: r.errorKind, notes: r.notifications });
    }
    const unread = reports.filter((r) => r.kind === 'no_reading');
    expect(unread.length).toBeGreaterThan(40);
    expect(unread[0].error).toBe("DDD did not move over the window's 48 bars: its correlation, and so the basket's regime, is undefined until it does");
    // no internal error was reported, and the basket had no other error meanwhile
    expect(reports.filter((r) => r.error && r.kind !== 'no_reading').map((r) => r.error)).toEqual([]);
    const notes = reports.flatMap((r) => r.notes.map((n) => `${n}@${r.j - k}`));
    expect(notes.filter((n) => n.startsWith('stale'))).toHaveLength(1);
    expect(notes.filter((n) => n.startsWith('recovered'))).toHaveLength(1);
    const stale = (await h.store.listNotifications('majors')).find((n) => n.kind === 'stale')!;
    expect(stale.payload).toMatchObject({ noReading: true, dataProblem: unread[0].error });
    const reply = alertReply(stale);
    expect(reply.title).toBe('⚠️ majors: no regime reading');
    expect(reply.text).toMatch(/^No regime reading for majors \(AAA, BBB, CCC, DDD\) since .*: DDD did not move over the window's 48 bars: .*until it does\. Alerts stay as they were until readings come back/);
    expect(h.log.lines.filter((l) => l.level === 'error')).toEqual([]);
    // the recovery says what came back: the readings
    const recovered = (await h.store.listNotifications('majors')).find((n) => n.kind === 'recovered')!;
    expect(recovered.payload.noReading).toBe(true);
    expect(alertReply(recovered).title).toBe('majors: regime readings are back');
    expect(alertReply(recovered).text).toBe('Every symbol of majors moves again: its regime is read on every bar.');
  });

  it('one symbol whose feed stops while the others go on: the stale alert names it', async () => {
    const h = await harness();
    await h.tickAt(790);
    const { k } = await tickUntilNotified(h, 791, 860);
    h.market.lastBar.set('CCC', k - 1);
    for (let j = k + 1; j <= k + 10; j++) await h.tickAt(j);
    const stale = (await h.store.listNotifications('majors')).find((n) => n.kind === 'stale')!;
    expect(stale.payload.dataProblem).toMatch(/^no new bar: CCC has none after \S+ \(the other symbols have newer bars\)$/);
    expect(alertReply(stale).text).toContain('Last problem: no new bar: CCC has none after');
  });
});

describe('Watcher: overlapping ticks', () => {
  it('a tick while another is running returns undefined; the running one completes; the next one runs', async () => {
    const h = await harness();
    h.market.hold();
    h.now = nowAfter(790);
    const first = h.watcher.tick(h.now);
    for (let i = 0; i < 1000 && h.market.fetches === 0; i++) await new Promise((r) => setTimeout(r, 1));
    expect(h.market.fetches).toBeGreaterThan(0);
    expect(h.watcher.busy).toBe(true);
    expect(await h.watcher.tick(nowAfter(791))).toBeUndefined();
    h.market.release();
    const r = await first;
    expect(r).toBeDefined();
    expect(r!.at).toBe(new Date(nowAfter(790)).toISOString().replace('.000Z', 'Z'));
    expect(h.watcher.busy).toBe(false);
    expect(h.watcher.lastTick).toBe(r);
    const again = await h.watcher.tick(nowAfter(791));
    expect(again?.baskets[0].newBars).toBe(1);
  });
});

describe('Watcher: first run on a long history', () => {
  /** Three episodes: two over before the first tick, the third still going at it. */
  const EPISODES = [
    { from: 0, rho: 0.1, vol: 0.01 },
    { from: 400, rho: 0.85, vol: 0.01 },
    { from: 550, rho: 0.1, vol: 0.01 },
    { from: 750, rho: 0.85, vol: 0.01 },
    { from: 850, rho: 0.1, vol: 0.01 },
    { from: 1050, rho: 0.85, vol: 0.01 },
  ];

  it('announces only the episode still firing at the end, once; a basket whose episodes are over announces nothing', async () => {
    const store = new MemoryStore();
    await store.open([]);
    const market = new FakeMarket().addGroup(SYMBOLS, 1400, EPISODES, 5).addGroup(['EEE', 'FFF', 'GGG'], 1400, EPISODES.slice(0, 5), 9);
    // A long baseline so the first tick replays nearly everything (history: 20 + W + B + 10 = 1078 of the 1100
    // bars), with readings after the warm-up of 20 + W + B/3 = 401 returns: about 680 bars are evaluated.
    await store.putBasket(basket('busy', SYMBOLS, { baseline: '1000' }));
    await store.putBasket(basket('quiet', ['EEE', 'FFF', 'GGG'], { baseline: '1000' }));
    await subscribe(store, 'busy', 'slack', 'C1');
    await subscribe(store, 'quiet', 'slack', 'C1');
    const h = new Harness(store, market);
    const r = await h.tickAt(1100);
    const [busy, quiet] = r.baskets;
    expect(busy.newBars).toBeGreaterThan(600);
    expect(busy.notifications).toEqual(['firing']);
    expect(quiet.notifications).toEqual([]);
    expect(quiet.newBars).toBeGreaterThan(600);
    const recs = await store.listNotifications();
    expect(recs).toHaveLength(1);
    const rec = recs[0];
    expect(rec.kind).toBe('firing');
    // Earlier episodes were replayed silently but counted: this is the third.
    expect(rec.id).toBe('busy:3:firing');
    expect(barOf(rec.at)).toBeGreaterThanOrEqual(1050);
    expect(h.slack.sent.map((s) => [s.target, s.id])).toEqual([['slack:C1', 'busy:3:firing']]);
    expect(h.consoleOut).toHaveLength(1);
    // The silent replay kept its history.
    expect((await store.getRuntime('busy'))!.history.length).toBe(busy.newBars);
    const next = await h.tickAt(1101);
    expect(next.baskets.map((b) => b.notifications)).toEqual([[], []]);
    expect(h.slack.sent).toHaveLength(1);
  });

  // BUG (src/scheduler/watcher.ts, tickBasket: `if (firstRun) { if (d.notification) last = ... }` and the final
  // `emit(last.n, last.r)`): on the first run the watcher re-announces the LAST notification of the current
  // episode, whatever its kind. When the replayed episode went converging -> stressed, that is `escalated`
  // ("escalated to stress") and the firing itself is never announced; a later `resolved` then has no firing
  // message to thread under. Expected: one `firing` record for the episode (at the stressed level).
  it('first run inside an episode that escalated during the replay: the one announcement is a `firing`', async () => {
    const five = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];
    const store = new MemoryStore();
    await store.open([]);
    const market = new FakeMarket().addGroup(five, 2000, [{ from: 0, rho: 0.1, vol: 0.01 }, { from: 900, rho: 0.85, vol: 0.02 }, { from: 1300, rho: 0.1, vol: 0.01 }, { from: 1700, rho: 0.85, vol: 0.02 }], 33);
    // W = 96: 24-bar blocks, so the Markov model is fitted and `stressed` is reachable.
    await store.putBasket(basket('b', five, { window: '96', baseline: '600' }));
    await subscribe(store, 'b', 'slack', 'C1');
    const h = new Harness(store, market);
    const r = await h.tickAt(1900);
    expect(r.baskets[0].regime).toBe('stressed');
    expect(r.baskets[0].notifications).toEqual(['firing']);
    expect((await store.listNotifications()).map((n) => n.kind)).toEqual(['firing']);
  });

  // BUG (same place): a hole in the replayed history after the episode fired makes the last notification a
  // `recovered`, so the first run announces "market data is back" and never the firing episode.
  it('first run with a data hole after the episode fired: the one announcement is a `firing`, not `recovered`', async () => {
    const store = new MemoryStore();
    await store.open([]);
    const market = new FakeMarket().addGroup(SYMBOLS, 1400, EPISODES, 5);
    for (let k = 1090; k < 1095; k++) market.holes.add(k); // 5 bars missing, after the third episode fired
    await store.putBasket(basket('busy', SYMBOLS, { baseline: '1000' }));
    await subscribe(store, 'busy', 'slack', 'C1');
    const h = new Harness(store, market);
    const r = await h.tickAt(1100);
    expect(r.baskets[0].notifications).toEqual(['firing']);
    expect((await store.listNotifications()).map((n) => n.kind)).toEqual(['firing']);
  });

  it('a tick aborted by a stop is no market outage: no stale alert, no error kept, the baskets left are not ticked, nothing is posted', async () => {
    const h = await harness();
    await h.store.putBasket(basket('second', SYMBOLS));
    await h.tickAt(790);
    const { k } = await tickUntilNotified(h, 791, 860); // firing, delivered
    const before = await h.store.getRuntime('majors');
    const sentBefore = h.slack.sent.length;
    // Long enough without bars that a failing source would go stale; this time every fetch is cancelled instead.
    h.market.failures.set('AAA', new SourceError('aborted', 'cancelled while fetching AAA: corrwatch is stopping', false));
    await h.store.addNotification({ id: 'majors:9:firing', basket: 'majors', episode: 9, kind: 'firing', at: 1, createdAt: 1, payload: {}, deliveries: { 'slack:C1': { status: 'pending', attempts: 0 } } });
    const stop = new AbortController();
    stop.abort(new Error('corrwatch is stopping'));
    h.now = nowAfter(k + 10);
    const r = await h.watcher.tick(h.now, stop.signal);
    expect(r?.baskets).toEqual([]);
    // and when the abort comes while a basket is being fetched: that basket reports it, nothing else is recorded
    const late = new AbortController();
    const original = h.market.fetchCandles.bind(h.market);
    h.market.fetchCandles = async (...args) => {
      late.abort(new Error('corrwatch is stopping'));
      return original(...args);
    };
    const r2 = await h.watcher.tick(h.now, late.signal);
    expect(r2?.baskets.map((b) => [b.basket, b.errorKind, b.notifications])).toEqual([['majors', 'aborted', []]]);
    expect(r2?.delivery).toEqual({ sent: 0, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    expect(await h.store.getRuntime('majors')).toEqual(before);
    expect((await h.store.listNotifications('majors')).map((n) => n.kind)).toEqual(['firing', 'firing']);
    expect(h.slack.sent.length).toBe(sentBefore);
  });

  it('a store that cannot be written (disk full) stops the tick with the StoreError: never a market outage, nothing posted twice after it recovers', async () => {
    const store = new DiskFullStore();
    const h = await oneChannelHarness(store);
    await h.tickAt(790);
    const { k } = await tickUntilNotified(h, 791, 860); // firing, posted
    const posted = h.slack.sent.length;
    store.full = true;
    for (let j = k + 1; j <= k + 12; j++) {
      h.now = nowAfter(j);
      await expect(h.watcher.tick(h.now)).rejects.toMatchObject({ name: 'StoreError', code: 'io' });
    }
    store.full = false;
    const r = await h.tickAt(k + 13);
    expect(r.baskets[0].error).toBeUndefined();
    // Twelve bars went by without a store: the bars are evaluated now, and no stale/recovered pair was made up.
    expect(r.baskets[0].newBars).toBe(13);
    const kinds = (await store.listNotifications('majors')).map((n) => n.kind);
    expect(kinds.filter((x) => x === 'stale' || x === 'recovered')).toEqual([]);
    expect(kinds.filter((x) => x === 'firing')).toHaveLength(1);
    expect(h.slack.sent.length - posted).toBe(r.baskets[0].notifications.length);
  });
});

describe('Watcher: a decision and its outbox record are one write', () => {
  it('no state the store ever held has a record without the alert state that made it, or a notified episode without its record', async () => {
    const store = new RecordingStore();
    const h = await oneChannelHarness(store);
    await h.tickAt(790);
    for (let k = 791; k <= 1100; k += 1) await h.tickAt(k);
    const kinds = (await store.listNotifications('majors')).map((n) => n.kind);
    expect(kinds).toContain('firing');
    expect(kinds).toContain('resolved');
    let checked = 0;
    for (const doc of store.persisted) {
      const state = doc.runtime.majors?.alertState as { episode: number; notified: boolean; phase: string } | undefined;
      const firings = doc.notifications.filter((n) => n.basket === 'majors' && n.kind === 'firing').map((n) => n.episode);
      // every firing record is of an episode the stored state has reached ...
      for (const e of firings) expect(state?.episode ?? 0).toBeGreaterThanOrEqual(e);
      // ... and a stored state that says its episode was announced has that episode's record
      if (state?.notified) {
        expect(firings).toContain(state.episode);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('Watcher.deliver: the outbox between ticks', () => {
  it('retries a failed delivery once its backoff is over, long before the next bar; refused while a tick runs', async () => {
    const h = await harness();
    h.slack.failures.set('C2', [{ ok: false, retryable: true, error: 'rate_limited' }]);
    await h.tickAt(790);
    const { k } = await tickUntilNotified(h, 791, 860);
    const id = 'majors:1:firing';
    expect((await h.store.getNotification(id))!.deliveries['slack:C2']).toMatchObject({ status: 'pending', attempts: 1 });
    // 10 s later: still inside the 30 s backoff
    expect(await h.watcher.deliver(nowAfter(k) + 10_000)).toMatchObject({ sent: 0, deferred: 1 });
    // 31 s later: tried again and sent, an hour before the next tick
    expect(await h.watcher.deliver(nowAfter(k) + 31_000)).toMatchObject({ sent: 1, deferred: 0 });
    expect((await h.store.getNotification(id))!.deliveries['slack:C2']).toMatchObject({ status: 'sent', attempts: 2 });
    // refused while a tick runs (the tick delivers itself)
    h.market.hold();
    const tick = h.watcher.tick(nowAfter(k + 1));
    await h.market.parked;
    expect(await h.watcher.deliver(nowAfter(k + 1))).toBeUndefined();
    h.market.release();
    await tick;
  });

  it('a tick due while an outbox round runs waits for it instead of being skipped', async () => {
    const h = await harness();
    await h.tickAt(790);
    const { k } = await tickUntilNotified(h, 791, 860);
    // An outbox round stuck on a slow platform, then the next bar's tick.
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const send = h.slack.send.bind(h.slack);
    h.slack.send = async (...args) => {
      await slow;
      return send(...args);
    };
    h.slack.failures.set('C1', []);
    await h.store.addNotification({ id: 'majors:99:firing', basket: 'majors', episode: 99, kind: 'firing', at: barTime(k), createdAt: nowAfter(k), payload: {}, deliveries: { 'slack:C1': { status: 'pending', attempts: 0 } } });
    const round = h.watcher.deliver(nowAfter(k) + 1000);
    const tick = h.watcher.tick(nowAfter(k + 1));
    release();
    expect(await round).toMatchObject({ sent: 1 });
    const r = await tick;
    expect(r).toBeDefined();
    expect(r!.baskets[0].newBars).toBe(1);
  });
});

/** A MemoryStore whose writes fail as on a full disk while `full` is set. */
class DiskFullStore extends MemoryStore {
  full = false;
  protected override async persist(data: Parameters<MemoryStore['persist']>[0]): Promise<void> {
    if (this.full) throw new StoreError('io', 'cannot write memory: ENOSPC: no space left on device. The file still holds the previous state; this change was not saved.');
    return super.persist(data);
  }
}

/** A MemoryStore keeping a copy of every document it persisted (each state a crash could leave behind). */
class RecordingStore extends MemoryStore {
  readonly persisted: Parameters<MemoryStore['persist']>[0][] = [];
  protected override async persist(data: Parameters<MemoryStore['persist']>[0]): Promise<void> {
    this.persisted.push(structuredClone(data));
    return super.persist(data);
  }
}
