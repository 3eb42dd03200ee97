/**
 * Chat faults (issue 11, "Fault and bad-input tests": Chat). The real Bolt/WebClient and discord.js against the local
 * fakes (test/fakes/fake-slack.ts, fake-discord.ts), the real Watcher and outbox on a MemoryStore: Slack and Discord
 * answering 429 with Retry-After, 500s, connections reset before or after the platform did the post, the Discord
 * gateway dropping while an alert is pending. Every alert reaches every channel exactly once after recovery; one
 * not delivered within `alerts.giveUpAfter` (1 h) of its decision is given up and never posted, even once the
 * platform is back.
 *
 * Time: the outbox rounds are driven by a settable clock (the watcher's, which the fake Slack also stamps messages
 * with), as `corrwatch start` drives them every 30 s; the Slack channel queue sleeps on a virtual clock (each wait is
 * recorded, none is slept). Only @discordjs/rest's own Retry-After waits and discord.js's gateway reconnect take real
 * time (a few hundred ms); the test waits for events (a gateway frame), never for a guessed delay.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertReply } from '../../src/alerts/alert-reply.js';
import type { DeliveryAttempt, FanoutReport } from '../../src/alerts/fanout.js';
import { startDiscordAdapter, type DiscordAdapter } from '../../src/adapters/discord/index.js';
import { alertNonce } from '../../src/adapters/discord/notifier.js';
import { startSlackAdapter, type SlackAdapter } from '../../src/adapters/slack/index.js';
import type { Invocation } from '../../src/domain/invocation.js';
import { createMarketSource } from '../../src/market/source-factory.js';
import { Watcher } from '../../src/scheduler/watcher.js';
import type { NotificationRecord } from '../../src/store/types.js';
import { discordEnv, TOKEN as DISCORD_TOKEN } from '../adapters/discord/helpers.js';
import { BOT_TOKEN, HOUR, makeRuntime, PriceFile, slackEnv, tempDir, type TestRuntime } from '../adapters/slack/helpers.js';
import { FakeDiscord, IDS, waitFor, type RestCall } from '../fakes/fake-discord.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../fakes/fake-slack.js';

const MIN = 60_000;
const SEC = 1_000;

let fakeSlack: FakeSlack;
let fakeDiscord: FakeDiscord;
let rt: TestRuntime;
let prices: PriceFile;
let slack: SlackAdapter;
let discord: DiscordAdapter;
let watcher: Watcher;
/** Every delivery attempt the outbox reported (what the metrics count). */
const attempts: DeliveryAttempt[] = [];

/**
 * The Slack channel queue's clock: the watcher's clock plus the time the queue has slept. Each wait (Retry-After,
 * the spacing of posts into one channel) is recorded and passes at once.
 */
const queue = { slept: 0, waits: [] as number[] };
const queueClock = {
  now: () => rt.clock.now() + queue.slept,
  sleep: async (ms: number) => {
    queue.waits.push(ms);
    queue.slept += ms;
  },
};

// ---------------------------------------------------------------- helpers

type Meta = { event_type?: string; event_payload?: { alert?: string } } | undefined;
const alertOf = (metadata: unknown) => (metadata as Meta)?.event_payload?.alert;
/** chat.postMessage calls for an alert (by its metadata), in order, whatever they were answered. */
const slackPosts = (id: string): FakeSlackCall[] => fakeSlack.callsTo('chat.postMessage').filter((c) => alertOf(c.body.metadata) === id);
/** The alert's messages as the channel shows them. */
const slackMessages = (id: string) => fakeSlack.messages.filter((m) => alertOf(m.metadata) === id);
const lookups = (channel: string) => fakeSlack.callsTo('conversations.history').filter((c) => c.body.channel === channel);
/** A status for each call: the HTTP status, or `reset` (the connection was cut). */
const outcomes = (calls: { status?: number; reset?: string }[]) => calls.map((c) => c.reset ?? c.status);

const postRoute = (channel: string) => new RegExp(`^POST /channels/${channel}/messages$`);
/** Message creates for an alert in a Discord channel (by the alert's nonce). */
const discordPosts = (id: string, channel: string): RestCall[] => fakeDiscord.callsTo(postRoute(channel)).filter((c) => (c.json as { nonce?: string } | undefined)?.nonce === alertNonce(id, channel));
const discordMessages = (id: string, channel: string) => fakeDiscord.messagesIn(channel).filter((m) => m.nonce === alertNonce(id, channel));

let episode = 0;
/** A firing alert in the outbox for these targets, as Watcher.enqueue writes it (decided at `createdAt`). */
async function enqueue(targets: string[], createdAt = rt.clock.now()): Promise<NotificationRecord> {
  const n = ++episode;
  const record: NotificationRecord = {
    id: `faults:${n}:firing`,
    basket: 'faults',
    episode: n,
    kind: 'firing',
    at: createdAt - HOUR,
    createdAt,
    payload: { basket: 'faults', symbols: ['AAA', 'BBB', 'CCC'], timeframe: '1h', regime: 'converging', avgCorrelation: 0.83, z: 5.1, baselineRho: 0.12, drivers: [] },
    deliveries: Object.fromEntries(targets.map((t) => [t, { status: 'pending' as const, attempts: 0 }])),
  };
  expect(await rt.store.addNotification(record)).toBe(true);
  return record;
}

/** One outbox round between ticks at time t (Watcher.deliver, what `start` runs every 30 s). */
async function deliverAt(t: number): Promise<FanoutReport> {
  rt.clock.set(t);
  const report = await watcher.deliver(t);
  expect(report).toBeDefined();
  return report!;
}

const delivery = async (id: string, target: string) => (await rt.store.getNotification(id))!.deliveries[target];

/** Move the clock well past everything earlier tests did (their alerts are all sent or given up). */
function nextScene(): number {
  const t = rt.clock.now() + 3 * HOUR;
  rt.clock.set(t);
  return t;
}

// ---------------------------------------------------------------- set-up

beforeAll(async () => {
  fakeSlack = await startFakeSlack({ token: BOT_TOKEN, now: () => rt.clock.now() });
  fakeDiscord = await new FakeDiscord({ token: DISCORD_TOKEN }).start();
  prices = new PriceFile(join(tempDir(), 'prices.csv'), ['AAA', 'BBB', 'CCC'], 7);
  // Calm, then correlations jump near the end of the file: the first tick finds an episode firing (as in
  // test/adapters/slack/alerts.test.ts).
  prices.append(360, 0.05).append(40, 0.95);
  rt = await makeRuntime(createMarketSource(`csv:${prices.path}`), {
    now: prices.lastBarAt + HOUR + MIN,
    baskets: { majors: { symbols: ['AAA', 'BBB', 'CCC'], timeframe: '1h', window: 24, baseline: 240 } },
  });
  await rt.store.addSubscription({ basket: 'majors', platform: 'slack', channelId: 'C0WATCH', createdAt: 0, createdBy: 'test' });
  await rt.store.addSubscription({ basket: 'majors', platform: 'discord', channelId: IDS.alerts, createdAt: 0, createdBy: 'test' });
  slack = await startSlackAdapter(rt.runtime, slackEnv(fakeSlack.baseUrl), { host: '127.0.0.1', port: 0, queueClock });
  // Discord as `start` runs it: the default REST timeout and retries (one more try of a 5xx or a reset).
  discord = await startDiscordAdapter(rt.runtime, discordEnv(fakeDiscord), { warmupMs: 500 });
  watcher = new Watcher({
    store: rt.store,
    market: rt.runtime.market,
    config: rt.runtime.config,
    clock: rt.runtime.clock,
    log: rt.runtime.log,
    notifiers: [slack.notifier, discord.notifier],
    renderAlert: async (r) => alertReply(r),
    onDelivery: (a) => attempts.push(a),
  });
});

afterAll(async () => {
  await slack?.stop();
  await discord?.stop();
  await fakeSlack?.close();
  await fakeDiscord?.close();
});

// ---------------------------------------------------------------- tests

describe('rate limits (429 with Retry-After)', () => {
  it('an alert the watcher decides reaches Slack and Discord exactly once through 429s, each retry after the Retry-After asked', async () => {
    fakeSlack.setBehavior('chat.postMessage', { rateLimit: 3, retryAfterSec: 7 });
    fakeDiscord.failNext(postRoute(IDS.alerts), 2, { status: 429, retryAfterSec: 0.2 });
    const waited = queue.waits.length;
    const now = rt.clock.now();
    const report = (await watcher.tick(now))!;
    fakeSlack.setBehavior('chat.postMessage', null);
    expect(report.baskets[0].notifications).toEqual(['firing']);
    expect(report.delivery).toMatchObject({ sent: 2, failed: 0, gaveUp: 0 });
    const [record] = await rt.store.listNotifications('majors');

    // Slack: three 429s, each waited out for its 7 s (the channel queue's virtual clock), then posted once.
    expect(outcomes(slackPosts(record.id))).toEqual([429, 429, 429, 200]);
    expect(queue.waits.slice(waited)).toEqual([7_000, 7_000, 7_000]);
    expect(slackMessages(record.id).map((m) => m.channel)).toEqual(['C0WATCH']);
    // Discord: two 429s waited out by @discordjs/rest for retry_after (0.2 s each), then posted once.
    const tries = discordPosts(record.id, IDS.alerts);
    expect(outcomes(tries)).toEqual([429, 429, 200]);
    for (let i = 1; i < tries.length; i++) expect(tries[i].at - tries[i - 1].at).toBeGreaterThanOrEqual(195);
    expect(discordMessages(record.id, IDS.alerts)).toHaveLength(1);
    expect(record.deliveries).toMatchObject({ 'slack:C0WATCH': { status: 'sent', attempts: 1 }, [`discord:${IDS.alerts}`]: { status: 'sent', attempts: 1 } });
    expect(rt.lines.filter((l) => l.includes('Slack rate limit: waiting as asked') && l.includes('"retryAfterMs":7000'))).toHaveLength(3);
    expect(rt.lines.filter((l) => l.includes('discord answered 429'))).toHaveLength(2);

    // Later rounds and the next tick post nothing more.
    expect(await deliverAt(now + 30 * SEC)).toMatchObject({ sent: 0, failed: 0, deferred: 0 });
    expect((await watcher.tick(now + 10 * MIN))!.delivery).toMatchObject({ sent: 0, failed: 0 });
    expect(slackMessages(record.id)).toHaveLength(1);
    expect(slackPosts(record.id)).toHaveLength(4);
    expect(discordPosts(record.id, IDS.alerts)).toHaveLength(3);
  });

  it('Slack: a Retry-After longer than the queue waits for fails the round; the next round waits out the rest and posts once', async () => {
    const t = nextScene();
    const record = await enqueue(['slack:C0LONG']);
    fakeSlack.setBehavior('chat.postMessage', { rateLimit: 1, retryAfterSec: 45 });
    const waited = queue.waits.length;
    expect(await deliverAt(t)).toMatchObject({ sent: 0, failed: 1 });
    fakeSlack.setBehavior('chat.postMessage', null);
    // Slack answered (429): it did not post, so nothing is left in flight to look up.
    const after1 = await delivery(record.id, 'slack:C0LONG');
    expect(after1).toMatchObject({ status: 'pending', attempts: 1, lastAttemptAt: t, error: 'slack: ratelimited' });
    expect(after1.inFlight).toBeUndefined();
    expect(queue.waits.slice(waited)).toEqual([]);

    // The outbox's backoff: nothing before 30 s.
    expect(await deliverAt(t + 29 * SEC)).toMatchObject({ sent: 0, deferred: 1 });
    expect(slackPosts(record.id)).toHaveLength(1);
    // At 30 s the channel still owes Slack 15 s of its 45: the queue waits them out, then posts.
    expect(await deliverAt(t + 30 * SEC)).toMatchObject({ sent: 1, failed: 0 });
    expect(queue.waits.slice(waited)).toEqual([15_000]);
    expect(outcomes(slackPosts(record.id))).toEqual([429, 200]);
    expect(slackMessages(record.id)).toHaveLength(1);
    expect(lookups('C0LONG')).toHaveLength(0);
    expect(await delivery(record.id, 'slack:C0LONG')).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('server errors (5xx)', () => {
  it('Slack answering 500 for longer than one round: retried on the later rounds after the backoff (30 s, 60 s, 120 s), posted once', async () => {
    const t = nextScene();
    const record = await enqueue(['slack:C0FIVE']);
    fakeSlack.setBehavior('chat.postMessage', { serverError: 3 });
    const triedAt: number[] = [];
    // A round every 30 s, as `start` runs the outbox between ticks.
    for (let s = 0; s <= 300; s += 30) {
      const before = slackPosts(record.id).length;
      await deliverAt(t + s * SEC);
      if (slackPosts(record.id).length > before) triedAt.push(s);
    }
    fakeSlack.setBehavior('chat.postMessage', null);
    expect(triedAt).toEqual([0, 30, 90, 210]);
    expect(outcomes(slackPosts(record.id))).toEqual([500, 500, 500, 200]);
    expect(slackMessages(record.id)).toHaveLength(1);
    expect(await delivery(record.id, 'slack:C0FIVE')).toMatchObject({ status: 'sent', attempts: 4, lastAttemptAt: t + 210 * SEC });
    // A 500 may come after Slack did the post: before each retry the channel was searched for the alert first.
    expect(lookups('C0FIVE')).toHaveLength(3);
    expect(rt.lines.some((l) => l.includes('could not post alert to Slack') && l.includes('C0FIVE') && l.includes('http_500'))).toBe(true);
  });

  it('Discord answering a global 429 then 503s for longer than one round (each round tries twice): posted once', async () => {
    const t = nextScene();
    const ch = IDS.alerts2;
    const record = await enqueue([`discord:${ch}`]);
    fakeDiscord.failNext(postRoute(ch), 1, { status: 429, retryAfterSec: 0.2, global: true });
    fakeDiscord.failNext(postRoute(ch), 3, { status: 503 });
    expect(await deliverAt(t)).toMatchObject({ sent: 0, failed: 1 });
    expect(await delivery(record.id, `discord:${ch}`)).toMatchObject({ status: 'pending', attempts: 1, error: expect.stringMatching(/503/) });
    expect(await deliverAt(t + 29 * SEC)).toMatchObject({ sent: 0, deferred: 1 });
    expect(await deliverAt(t + 30 * SEC)).toMatchObject({ sent: 1, failed: 0 });
    expect(await deliverAt(t + 90 * SEC)).toMatchObject({ sent: 0, failed: 0, deferred: 0 });
    const tries = discordPosts(record.id, ch);
    expect(outcomes(tries)).toEqual([429, 503, 503, 503, 200]);
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(195);
    expect(discordMessages(record.id, ch)).toHaveLength(1);
    expect(await delivery(record.id, `discord:${ch}`)).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('connection resets (no answer: the platform may or may not have posted)', () => {
  it('Slack, reset before Slack posted: left in flight, not found in the channel on the next round, posted once', async () => {
    const t = nextScene();
    const record = await enqueue(['slack:C0RESET1']);
    fakeSlack.setBehavior('chat.postMessage', { reset: 1 });
    expect(await deliverAt(t)).toMatchObject({ sent: 0, failed: 1 });
    expect(slackMessages(record.id)).toHaveLength(0);
    expect(await delivery(record.id, 'slack:C0RESET1')).toMatchObject({ status: 'pending', attempts: 1, inFlight: true, error: expect.stringMatching(/^slack: network/) });
    expect(await deliverAt(t + 30 * SEC)).toMatchObject({ sent: 1, failed: 0 });
    fakeSlack.setBehavior('chat.postMessage', null);
    expect(outcomes(slackPosts(record.id))).toEqual(['before', 200]);
    expect(lookups('C0RESET1')).toHaveLength(1);
    expect(slackMessages(record.id)).toHaveLength(1);
    const d = await delivery(record.id, 'slack:C0RESET1');
    expect(d).toMatchObject({ status: 'sent', attempts: 2, messageRef: `C0RESET1/${slackMessages(record.id)[0].ts}` });
    expect(d.inFlight).toBeUndefined();
  });

  it('Slack, reset after Slack posted (the answer lost): found by its metadata on the next round, not posted again', async () => {
    const t = nextScene();
    const record = await enqueue(['slack:C0RESET2']);
    fakeSlack.setBehavior('chat.postMessage', { loseAnswer: 1 });
    expect(await deliverAt(t)).toMatchObject({ sent: 0, failed: 1 });
    fakeSlack.setBehavior('chat.postMessage', null);
    // Slack has it; corrwatch does not know.
    expect(slackMessages(record.id)).toHaveLength(1);
    expect(await delivery(record.id, 'slack:C0RESET2')).toMatchObject({ status: 'pending', attempts: 1, inFlight: true });
    expect(await deliverAt(t + 30 * SEC)).toMatchObject({ sent: 1, failed: 0 });
    expect(await deliverAt(t + 10 * MIN)).toMatchObject({ sent: 0, failed: 0, deferred: 0 });
    expect(outcomes(slackPosts(record.id))).toEqual(['after']);
    expect(slackMessages(record.id)).toHaveLength(1);
    expect(lookups('C0RESET2')).toHaveLength(1);
    expect(await delivery(record.id, 'slack:C0RESET2')).toMatchObject({ status: 'sent', messageRef: `C0RESET2/${slackMessages(record.id)[0].ts}` });
    expect(rt.lines.some((l) => l.includes('found on the platform; not posting it again') && l.includes(record.id))).toBe(true);
  });

  it('Discord, connections reset before and after Discord created the message: posted once (the nonce)', async () => {
    const t = nextScene();
    const ch = IDS.general;
    const record = await enqueue([`discord:${ch}`]);
    // The first try is cut before Discord does anything, the second after Discord created the message. (@discordjs/rest
    // does not retry a closed socket itself: each is one outbox round.)
    fakeDiscord.failNext(postRoute(ch), 1, 'drop');
    fakeDiscord.failNext(postRoute(ch), 1, 'lose-answer');
    const triedAt: number[] = [];
    for (let s = 0; s <= 300; s += 30) {
      const before = discordPosts(record.id, ch).length;
      await deliverAt(t + s * SEC);
      if (discordPosts(record.id, ch).length > before) triedAt.push(s);
    }
    expect(triedAt).toEqual([0, 30, 90]);
    expect(discordPosts(record.id, ch).every((c) => (c.json as { enforce_nonce?: boolean }).enforce_nonce === true)).toBe(true);
    expect(discordMessages(record.id, ch)).toHaveLength(1);
    expect(await delivery(record.id, `discord:${ch}`)).toMatchObject({ status: 'sent', attempts: 3 });
    // The message the delivery points at is the one Discord created on the try whose answer was lost.
    expect((await delivery(record.id, `discord:${ch}`)).messageRef).toBe(`${ch}/${discordMessages(record.id, ch)[0].id}`);
  });
});

describe('the Discord gateway dropping', () => {
  const frameAfter = (mark: number, test: (f: (typeof fakeDiscord.frames)[number]) => boolean) => fakeDiscord.frames.find((f) => f.at >= mark && test(f));

  it('alerts pending while Discord is down (gateway cut and refused, REST unreachable) are delivered once after it reconnects', async () => {
    const t = nextScene();
    const ch = IDS.alerts;
    const mark = Date.now();
    const refused = fakeDiscord.gatewayRefused;
    fakeDiscord.gatewayDown = true;
    fakeDiscord.restDown = true;
    fakeDiscord.dropGateway();
    try {
      const record = await enqueue([`discord:${ch}`]);
      expect(await deliverAt(t)).toMatchObject({ sent: 0, failed: 1 });
      expect(await delivery(record.id, `discord:${ch}`)).toMatchObject({ status: 'pending', attempts: 1 });
      // discord.js keeps trying the gateway and is refused.
      await waitFor(() => fakeDiscord.gatewayRefused > refused, 10_000, 'a refused gateway connection');
      expect(frameAfter(mark, (f) => f.dir === 'in')).toBeUndefined();

      // A second alert decided while Discord is still down.
      const second = await enqueue([`discord:${ch}`], t + 20 * SEC);
      expect(await deliverAt(t + 20 * SEC)).toMatchObject({ sent: 0, failed: 1, deferred: 1 });

      // Discord is back: the session is resumed, and the next rounds deliver each alert once.
      fakeDiscord.restDown = false;
      fakeDiscord.gatewayDown = false;
      await waitFor(() => frameAfter(mark, (f) => f.dir === 'out' && f.t === 'RESUMED'), 10_000, 'the gateway session resumed');
      expect(await deliverAt(t + 30 * SEC)).toMatchObject({ sent: 1, failed: 0, deferred: 1 });
      expect(await deliverAt(t + 50 * SEC)).toMatchObject({ sent: 1, failed: 0 });
      expect(await deliverAt(t + 10 * MIN)).toMatchObject({ sent: 0, failed: 0, deferred: 0 });
      for (const r of [record, second]) {
        expect(discordMessages(r.id, ch)).toHaveLength(1);
        expect(await delivery(r.id, `discord:${ch}`)).toMatchObject({ status: 'sent', attempts: 2 });
      }
    } finally {
      fakeDiscord.restDown = false;
      fakeDiscord.gatewayDown = false;
    }
  });

  it('an alert sent while the gateway is reconnecting (REST up) is posted once, and not again after the session resumes', async () => {
    const t = nextScene();
    const ch = IDS.alerts2;
    const mark = Date.now();
    const refused = fakeDiscord.gatewayRefused;
    fakeDiscord.gatewayDown = true;
    fakeDiscord.dropGateway(4000);
    try {
      // The session is lost and discord.js is being refused when the alert is sent.
      await waitFor(() => fakeDiscord.gatewayRefused > refused, 10_000, 'a refused gateway connection');
      const record = await enqueue([`discord:${ch}`]);
      expect(await deliverAt(t)).toMatchObject({ sent: 1, failed: 0 });
      fakeDiscord.gatewayDown = false;
      await waitFor(() => frameAfter(mark, (f) => f.dir === 'out' && f.t === 'RESUMED'), 10_000, 'the gateway session resumed');
      expect(await deliverAt(t + 10 * MIN)).toMatchObject({ sent: 0, failed: 0 });
      expect(discordPosts(record.id, ch)).toHaveLength(1);
      expect(discordMessages(record.id, ch)).toHaveLength(1);
    } finally {
      fakeDiscord.gatewayDown = false;
    }
  });
});

describe('giving up (alerts.giveUpAfter, default 1 h)', () => {
  const USER: Invocation = { platform: 'slack', userId: 'UUSER001', userName: 'bob', channelId: 'C0GENERAL', isAdmin: false };

  it('an alert whose delivery keeps failing for an hour is given up and never posted, even when the platforms recover', async () => {
    const t = nextScene();
    const targets = ['slack:C0DOWN', `discord:${IDS.alerts}`];
    const record = await enqueue(targets);
    fakeSlack.setBehavior('chat.postMessage', { serverError: 1_000 });
    fakeDiscord.restDown = true;
    const seen = attempts.length;
    const reports: FanoutReport[] = [];
    try {
      // A round every 30 s for an hour and a minute.
      for (let s = 0; s <= 3_660; s += 30) reports.push(await deliverAt(t + s * SEC));
    } finally {
      fakeSlack.setBehavior('chat.postMessage', null);
      fakeDiscord.restDown = false;
    }
    // Tried after 0, 30 s, 1.5, 3.5, 7.5, 15.5 min, then every 10 min (the cap) while younger than an hour.
    const outcomesSeen = attempts.slice(seen).map((a) => `${a.platform} ${a.outcome} ${a.reason}`);
    expect(outcomesSeen.filter((o) => o === 'slack failed retryable')).toHaveLength(10);
    expect(outcomesSeen.filter((o) => o === 'discord failed retryable')).toHaveLength(10);
    expect(outcomesSeen.slice(-2).sort()).toEqual(['discord gave_up expired', 'slack gave_up expired']);
    expect(reports.reduce((n, r) => n + r.gaveUp, 0)).toBe(2);
    const posts = slackPosts(record.id).length;
    const creates = fakeDiscord.callsTo(postRoute(IDS.alerts)).length;
    for (const target of targets) {
      expect(await delivery(record.id, target)).toMatchObject({
        status: 'failed',
        attempts: 10,
        error: expect.stringMatching(/^given up: not delivered within 60 min of the alert \(last error: /),
      });
    }

    // Both platforms are fine again: later rounds never post it.
    expect(await deliverAt(t + 2 * HOUR)).toMatchObject({ sent: 0, failed: 0, gaveUp: 0, deferred: 0 });
    expect(await deliverAt(t + 3 * HOUR)).toMatchObject({ sent: 0, failed: 0, gaveUp: 0, deferred: 0 });
    expect(slackPosts(record.id)).toHaveLength(posts);
    expect(fakeDiscord.callsTo(postRoute(IDS.alerts))).toHaveLength(creates);
    expect(slackMessages(record.id)).toHaveLength(0);
    expect(discordMessages(record.id, IDS.alerts)).toHaveLength(0);

    // `alerts outbox` lists both as given up, with the last error.
    const outbox = await rt.runtime.run(USER, 'alerts outbox');
    expect(outbox.outcome).toBe('ok');
    const rows = (outbox.reply.data as { id: string; target: string; status: string; error?: string }[]).filter((r) => r.id === record.id);
    expect(rows.map((r) => [r.target, r.status])).toEqual(targets.map((target) => [target, 'given up']));
    expect(rows[0].error).toContain('last error: slack: http_500');
    expect(outbox.reply.text).toContain(record.id);
  });

  it('an alert already older than the give-up age when first tried is given up unposted (and the age is the configured one)', async () => {
    const t = nextScene();
    const targets = ['slack:C0LATE', `discord:${IDS.alerts}`];
    const late = await enqueue(targets, t - HOUR - SEC);
    expect(await deliverAt(t)).toMatchObject({ sent: 0, failed: 0, gaveUp: 2 });
    // With alerts.giveUpAfter: 10m, an alert 11 min old is given up too; the default (1 h) would have posted it.
    const shortWatcher = new Watcher({
      store: rt.store,
      market: rt.runtime.market,
      config: { ...rt.runtime.config, alerts: { ...rt.runtime.config.alerts, giveUpAfter: '10m' } },
      clock: rt.runtime.clock,
      log: rt.runtime.log,
      notifiers: [slack.notifier, discord.notifier],
      renderAlert: async (r) => alertReply(r),
    });
    const eleven = await enqueue(targets, t - 11 * MIN);
    expect(await shortWatcher.deliver(t)).toMatchObject({ sent: 0, gaveUp: 2 });
    expect(await deliverAt(t + 30 * SEC)).toMatchObject({ sent: 0, gaveUp: 0 });
    for (const r of [late, eleven]) {
      expect(slackPosts(r.id)).toHaveLength(0);
      expect(discordPosts(r.id, IDS.alerts)).toHaveLength(0);
      for (const target of targets) expect(await delivery(r.id, target)).toMatchObject({ status: 'failed', attempts: 0 });
    }
    expect((await delivery(eleven.id, 'slack:C0LATE')).error).toMatch(/within 10 min/);
  });
});
