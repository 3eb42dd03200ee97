import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertReply } from '../../../src/alerts/alert-reply.js';
import { parseAlertState } from '../../../src/alerts/policy.js';
import { startSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/index.js';
import { chartRenderer } from '../../../src/chart/index.js';
import { createMarketSource } from '../../../src/market/source-factory.js';
import { Watcher } from '../../../src/scheduler/watcher.js';
import type { NotificationRecord } from '../../../src/store/types.js';
import { startFakeSlack, type FakeMessage, type FakeSlack } from '../../fakes/fake-slack.js';
import { ADMIN, BOT_TOKEN, blocksText, clickBody, HOUR, makeRuntime, PNG_SIGNATURE, postSigned, PriceFile, slackEnv, tempDir, USER, type TestRuntime } from './helpers.js';

const CHANNELS = ['C0ALERTS1', 'C0ALERTS2'];

let fake: FakeSlack;
let rt: TestRuntime;
let prices: PriceFile;
let adapter: SlackAdapter;
let url: string;
let clicks = 0;

/** The watcher as `corrwatch start` runs it, with alerts rendered with their regime chart. */
function watcher(a: SlackAdapter): Watcher {
  const { runtime, store } = rt;
  return new Watcher({
    store,
    market: runtime.market,
    config: runtime.config,
    clock: runtime.clock,
    log: runtime.log,
    notifiers: [a.notifier],
    renderAlert: async (record: NotificationRecord) => {
      const h = (await store.getRuntime(record.basket))?.history ?? [];
      const chart = await chartRenderer.regime({ timestamps: h.map((p) => p.at), avgCorrelation: h.map((p) => p.avgCorrelation), regimes: h.map((p) => p.regime), basket: record.basket });
      return alertReply(record, chart);
    },
  });
}

async function start(): Promise<void> {
  // Posts into one channel are spaced less than in production (1 s) to keep the suite short; the delivery tests check 1 s.
  adapter = await startSlackAdapter(rt.runtime, slackEnv(fake.baseUrl), { host: '127.0.0.1', port: 0, channelIntervalMs: 200 });
  url = `http://127.0.0.1:${adapter.port}/slack/events`;
}

/** Click a button on a message as Slack would send it (signed), and wait for the adapter to finish with it. */
async function click(message: FakeMessage, actionId: string, user: string): Promise<string> {
  const id = `click-${++clicks}`;
  const res = await postSigned(url, clickBody({ actionId, user, channel: message.channel, message, responseUrl: fake.responseUrl(id) }));
  expect(res.status).toBe(200);
  expect(res.ms).toBeLessThan(3000);
  return id;
}

const postsTo = (channel: string) => fake.callsTo('chat.postMessage').filter((c) => c.body.channel === channel);
/** The image blocks of a message: the chart inside it, as `slack_file` ids. */
const chartIds = (blocks: unknown) => ((blocks ?? []) as { type: string; slack_file?: { id: string } }[]).filter((b) => b.type === 'image').map((b) => b.slack_file?.id);
const firingMessage = (channel: string) => fake.messages.find((m) => m.channel === channel && !m.threadTs)!;
const buttonIds = (m: FakeMessage) => (m.blocks as { type: string; elements?: { action_id?: string }[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements!.map((e) => e.action_id));

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  prices = new PriceFile(join(tempDir(), 'prices.csv'), ['AAA', 'BBB', 'CCC'], 7);
  // Calm, then correlations jump near the end of the file: the first tick finds an episode firing.
  prices.append(360, 0.05).append(40, 0.95);
  rt = await makeRuntime(createMarketSource(`csv:${prices.path}`), {
    now: prices.lastBarAt + HOUR + 60_000,
    baskets: { majors: { symbols: ['AAA', 'BBB', 'CCC'], timeframe: '1h', window: 24, baseline: 240 } },
  });
  for (const channelId of CHANNELS) await rt.store.addSubscription({ basket: 'majors', platform: 'slack', channelId, createdAt: 0, createdBy: 'test' });
  await start();
});

afterAll(async () => {
  await adapter?.stop();
  await fake?.close();
});

describe('alerts in Slack (real watcher, real Bolt, fake Slack)', () => {
  it('posts a firing alert once to each subscribed channel, with its chart and buttons', async () => {
    const report = await watcher(adapter).tick(rt.clock.now());
    expect(report!.baskets[0].notifications).toEqual(['firing']);
    expect(report!.delivery).toMatchObject({ sent: 2, failed: 0 });
    const [record] = await rt.store.listNotifications('majors');
    for (const ch of CHANNELS) {
      expect(postsTo(ch)).toHaveLength(1);
      const m = firingMessage(ch);
      const text = blocksText(m.blocks);
      expect(text).toMatch(/majors: correlation/);
      expect(text).toMatch(/avg ρ\*\n\+0\.\d\d \(baseline [+-]0\.\d\d\)/);
      expect(text).toContain('pairs that moved most');
      expect(buttonIds(m)).toEqual([`ack|${record.id}`, 'snooze|majors|1h', 'snooze|majors|4h', 'snooze|majors|24h']);
      // The chart is inside the alert message: an image block naming a file the bot uploaded privately (a PNG
      // completed without a channel), not a second message.
      const [fileId] = chartIds(m.blocks);
      expect(chartIds(m.blocks)).toHaveLength(1);
      const file = fake.files.get(fileId!)!;
      expect(file).toMatchObject({ completed: true, channel: undefined });
      expect(file.bytes!.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(text.startsWith('🔴 Critical · ') || text.startsWith('🟠 Warning · ')).toBe(true);
      expect(record.deliveries[`slack:${ch}`]).toMatchObject({ status: 'sent', messageRef: `${ch}/${m.ts}` });
    }
    expect(fake.callsTo('files.completeUploadExternal').every((c) => c.body.channel_id === undefined)).toBe(true);
  });

  it('does not post it again after a restart (new adapter and watcher, same store)', async () => {
    await adapter.stop();
    await start();
    const before = fake.calls.length;
    const report = await watcher(adapter).tick(rt.clock.now());
    expect(report!.delivery.sent).toBe(0);
    expect(fake.calls.slice(before).map((c) => c.method)).toEqual([]);
    for (const ch of CHANNELS) expect(postsTo(ch)).toHaveLength(1);
  });

  it('Acknowledge (anyone) updates the message with who and when, and the store', async () => {
    const m = firingMessage(CHANNELS[0]);
    const [record] = await rt.store.listNotifications('majors');
    await click(m, `ack|${record.id}`, USER);
    await fake.waitFor('chat.update', () => m.updates === 1);
    const update = fake.callsTo('chat.update')[0];
    expect(update.body).toMatchObject({ channel: CHANNELS[0], ts: m.ts });
    expect(blocksText(m.blocks)).toContain(`Acknowledged by <@${USER}> at `);
    expect(buttonIds(m)).toEqual(['snooze|majors|1h', 'snooze|majors|4h', 'snooze|majors|24h']);
    expect((await rt.store.getNotification(record.id))!.acknowledged).toMatchObject({ by: USER.toLowerCase(), platform: 'slack', at: rt.clock.now() });
  });

  it('threads the resolved alert under the firing message in each channel, with its chart', async () => {
    prices.append(100, 0.05);
    rt.clock.set(prices.lastBarAt + HOUR + 60_000);
    const report = await watcher(adapter).tick(rt.clock.now());
    expect(report!.baskets[0].notifications).toEqual(['resolved']);
    expect(report!.delivery).toMatchObject({ sent: 2, failed: 0 });
    for (const ch of CHANNELS) {
      const firing = firingMessage(ch);
      const posts = postsTo(ch);
      expect(posts).toHaveLength(2);
      expect(posts[1].body.thread_ts).toBe(firing.ts);
      expect(blocksText(posts[1].body.blocks)).toMatch(/majors: resolved/);
      expect(buttonIds(fake.messages.find((m) => m.channel === ch && m.threadTs)!)).toEqual([]);
      expect(chartIds(posts[1].body.blocks)).toHaveLength(1);
      expect(chartIds(posts[1].body.blocks)[0]).not.toBe(chartIds(firing.blocks)[0]);
    }
  });

  it('Snooze is refused to non-admins (privately, nothing changes) and applied for admins', async () => {
    const m = firingMessage(CHANNELS[1]);
    const stateBefore = parseAlertState((await rt.store.getRuntime('majors'))!.alertState);
    const refusedId = await click(m, 'snooze|majors|1h', USER);
    const refusal = await fake.waitFor('the refusal', () => fake.calls.find((c) => c.responseId === refusedId));
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(blocksText(refusal.body.blocks)).toMatch(/admins only/);
    expect(m.updates).toBe(0);
    expect(parseAlertState((await rt.store.getRuntime('majors'))!.alertState)).toEqual(stateBefore);

    await click(m, 'snooze|majors|4h', ADMIN);
    await fake.waitFor('chat.update', () => m.updates === 1);
    expect(blocksText(m.blocks)).toContain(`Snoozed by <@${ADMIN}>`);
    expect(parseAlertState((await rt.store.getRuntime('majors'))!.alertState).snoozedUntil).toBe(rt.clock.now() + 4 * HOUR);
    expect((await rt.store.listAudit()).map((a) => `${a.userId} ${a.action}`)).toContain(`${ADMIN} alerts.snooze`);
  });
});

describe('alert delivery to Slack: rate limits and failures', () => {
  const NOW = Date.UTC(2024, 5, 1, 12, 1);

  let fake: FakeSlack;
  let rt: TestRuntime;
  let adapter: SlackAdapter;
  let watcher: Watcher;
  let episode = 0;

  /** A firing alert in the outbox for these Slack channels, as the watcher writes it. */
  /** An alert decided at `createdAt` (the time of the tick that delivers it: younger than the give-up age). */
  async function enqueue(channels: string[], createdAt = NOW): Promise<NotificationRecord> {
    const record: NotificationRecord = {
      id: `majors:${++episode}:firing`,
      basket: 'majors',
      episode,
      kind: 'firing',
      at: NOW - 3_600_000,
      createdAt,
      payload: { basket: 'majors', symbols: ['BTC', 'ETH'], timeframe: '1h', regime: 'converging', avgCorrelation: 0.81, z: 3.2, baselineRho: 0.42, drivers: [] },
      deliveries: Object.fromEntries(channels.map((c) => [`slack:${c}`, { status: 'pending' as const, attempts: 0 }])),
    };
    expect(await rt.store.addNotification(record)).toBe(true);
    return record;
  }

  const postsTo = (channel: string) => fake.callsTo('chat.postMessage').filter((c) => c.body.channel === channel);

  beforeAll(async () => {
    // Slack's clock is the watcher's here, so the alerts' times and the messages' ts agree.
    fake = await startFakeSlack({ token: BOT_TOKEN, now: () => NOW });
    // No baskets: each tick only delivers what is pending in the outbox.
    rt = await makeRuntime(createMarketSource('sim:3'), { now: NOW });
    adapter = await startSlackAdapter(rt.runtime, slackEnv(fake.baseUrl), { host: '127.0.0.1', port: 0 });
    watcher = new Watcher({ store: rt.store, market: rt.runtime.market, config: rt.runtime.config, clock: rt.clock, log: rt.runtime.log, notifiers: [adapter.notifier], renderAlert: async (r) => alertReply(r) });
  });

  afterAll(async () => {
    await adapter?.stop();
    await fake?.close();
  });

  it('retries a 429 after Retry-After, within the same tick', async () => {
    const record = await enqueue(['C0RATE']);
    fake.setBehavior('chat.postMessage', { rateLimit: 1, retryAfterSec: 1 });
    const report = await watcher.tick(NOW);
    fake.setBehavior('chat.postMessage', null);
    expect(report!.delivery).toMatchObject({ sent: 1, failed: 0 });
    const [limited, retried] = postsTo('C0RATE');
    expect(limited.status).toBe(429);
    expect(retried.status).toBe(200);
    expect(retried.at - limited.at).toBeGreaterThanOrEqual(1000);
    expect((await rt.store.getNotification(record.id))!.deliveries['slack:C0RATE']).toMatchObject({ status: 'sent', attempts: 1 });
    expect(fake.messages.filter((m) => m.channel === 'C0RATE')).toHaveLength(1);
    expect(rt.lines.some((l) => l.includes('rate limit') && l.includes('C0RATE'))).toBe(true);
  });

  it('leaves the alert pending after a 500, logs the channel and the error, and delivers it on the next tick', async () => {
    const record = await enqueue(['C0ERR', 'C0FINE']);
    fake.setBehavior('chat.postMessage', { serverError: 1 });
    const first = await watcher.tick(NOW);
    expect(first!.delivery).toMatchObject({ sent: 1, failed: 1 });
    const after1 = (await rt.store.getNotification(record.id))!.deliveries;
    expect(after1['slack:C0ERR']).toMatchObject({ status: 'pending', attempts: 1, error: 'slack: http_500' });
    expect(after1['slack:C0FINE']).toMatchObject({ status: 'sent' });
    expect(rt.lines.some((l) => l.includes('could not post alert to Slack') && l.includes('C0ERR') && l.includes('http_500'))).toBe(true);

    const second = await watcher.tick(NOW + 3_600_000);
    expect(second!.delivery).toMatchObject({ sent: 1, failed: 0 });
    expect((await rt.store.getNotification(record.id))!.deliveries['slack:C0ERR']).toMatchObject({ status: 'sent', attempts: 2 });
    expect(postsTo('C0ERR').map((c) => c.status)).toEqual([500, 200]);
    expect(postsTo('C0FINE')).toHaveLength(1);
  });

  it('spaces posts into one channel by about a second', async () => {
    await enqueue(['C0BUSY'], NOW + 7_200_000);
    await enqueue(['C0BUSY'], NOW + 7_200_000);
    await enqueue(['C0BUSY'], NOW + 7_200_000);
    await watcher.tick(NOW + 7_200_000);
    const at = postsTo('C0BUSY').map((c) => c.at);
    expect(at).toHaveLength(3);
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(1000);
  });

  it('names SLACK_BOT_TOKEN when Slack rejects the token, and keeps the alert for later', async () => {
    const record = await enqueue(['C0AUTH'], NOW + 10_800_000);
    fake.setBehavior('chat.postMessage', { platformError: { error: 'invalid_auth', times: 1 } });
    await watcher.tick(NOW + 10_800_000);
    expect((await rt.store.getNotification(record.id))!.deliveries['slack:C0AUTH']).toMatchObject({ status: 'pending', error: 'slack: invalid_auth' });
    expect(rt.lines.some((l) => (JSON.parse(l) as { level: number }).level === 50 && l.includes('C0AUTH') && l.includes('invalid_auth') && l.includes('check SLACK_BOT_TOKEN'))).toBe(true);
  });

  it('says to invite the bot to a channel it is not in, and reports that a retry will not help', async () => {
    const record = await enqueue(['C0GONE'], NOW + 14_400_000);
    fake.notInChannel.add('C0GONE');
    await watcher.tick(NOW + 14_400_000);
    // Not retryable: the fan-out gives such a delivery up at once instead of retrying it.
    expect((await rt.store.getNotification(record.id))!.deliveries['slack:C0GONE']).toMatchObject({ status: 'failed', attempts: 1, error: 'slack: not_in_channel' });
    expect(rt.lines.some((l) => l.includes('C0GONE') && l.includes('not_in_channel') && l.includes('/invite'))).toBe(true);
    expect(await adapter.notifier.send('C0GONE', { record, reply: alertReply(record) })).toEqual({ ok: false, retryable: false, error: 'slack: not_in_channel' });
  });
  it('after a restart that lost the confirmation of a post, finds the alert by its metadata and does not post it again', async () => {
    const record = await enqueue(['C0CRASH', 'C0NEVER']);
    const report = await watcher.tick(NOW);
    expect(report!.delivery).toMatchObject({ sent: 2 });
    const posted = fake.messages.filter((m) => m.channel === 'C0CRASH');
    expect(posted).toHaveLength(1);
    expect(posted[0].metadata).toEqual({ event_type: 'corrwatch_alert', event_payload: { alert: record.id } });
    const sentRef = (await rt.store.getNotification(record.id))!.deliveries['slack:C0CRASH'].messageRef;
    // What the store holds when the process died between Slack's answer and the "sent" mark: the send was begun.
    await rt.store.updateDelivery(record.id, 'slack:C0CRASH', { status: 'pending', attempts: 0, lastAttemptAt: NOW, inFlight: true });
    // And a send begun whose post never reached Slack: not found, so posted.
    fake.messages.splice(fake.messages.findIndex((m) => m.channel === 'C0NEVER'), 1);
    await rt.store.updateDelivery(record.id, 'slack:C0NEVER', { status: 'pending', attempts: 0, lastAttemptAt: NOW, inFlight: true });
    const again = await watcher.tick(NOW + 60_000);
    expect(again!.delivery).toMatchObject({ sent: 2, failed: 0 });
    expect(fake.messages.filter((m) => m.channel === 'C0CRASH')).toHaveLength(1);
    expect(fake.messages.filter((m) => m.channel === 'C0NEVER')).toHaveLength(1);
    const d = (await rt.store.getNotification(record.id))!.deliveries;
    expect(d['slack:C0CRASH']).toEqual({ status: 'sent', attempts: 1, lastAttemptAt: NOW, messageRef: sentRef });
    expect(d['slack:C0NEVER']).toMatchObject({ status: 'sent', attempts: 1 });
    expect(d['slack:C0NEVER']).not.toHaveProperty('inFlight');
    expect(fake.callsTo('conversations.history').filter((c) => c.body.channel === 'C0CRASH')).toHaveLength(1);
    expect(rt.lines.some((l) => l.includes('found on the platform; not posting it again'))).toBe(true);
  });
});
