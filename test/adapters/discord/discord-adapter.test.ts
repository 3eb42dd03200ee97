/**
 * The Discord adapter end to end: the real discord.js against a fake Discord (REST + gateway) on 127.0.0.1, a
 * runtime with a MemoryStore, the seeded simulator and the real chart renderer. Tests run in order and share
 * one fake and one store (the alert tests build on the subscriptions made by the admin tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverPending } from '../../../src/alerts/fanout.js';
import { parseAlertState } from '../../../src/alerts/policy.js';
import { startDiscordAdapter, type DiscordAdapter } from '../../../src/adapters/discord/index.js';
import { alertNonce } from '../../../src/adapters/discord/notifier.js';
import { Watcher } from '../../../src/scheduler/watcher.js';
import type { NotificationRecord } from '../../../src/store/types.js';
import { FakeDiscord, IDS, waitFor, type FakeMessage, type RestCall } from '../../fakes/fake-discord.js';
import { answered, callsFor, discordEnv, embedOf, makeRuntime, NOW, pearson, PNG_MAGIC, renderAlertWithChart, TOKEN, UNIVERSE, USERS, type TestRuntime } from './helpers.js';

const H = 3_600_000;
const OPTS = { restRetries: 0, restTimeoutMs: 3_000 };

let fake: FakeDiscord;
let t: TestRuntime;
let adapter: DiscordAdapter;

beforeAll(async () => {
  fake = await new FakeDiscord({ token: TOKEN }).start();
  t = await makeRuntime();
  adapter = await startDiscordAdapter(t.runtime, discordEnv(fake), OPTS);
});

afterAll(async () => {
  await adapter?.stop();
  await fake?.close();
});

type Option = Record<string, unknown>;
const str = (name: string, value: string, focused?: boolean): Option => ({ name, type: 3, value, ...(focused ? { focused: true } : {}) });
const sub = (name: string, options: Option[]): Option => ({ name, type: 1, options });
const flagsOf = (c: RestCall) => Number(((c.json as { flags?: number; data?: { flags?: number } }).data?.flags ?? (c.json as { flags?: number }).flags) ?? 0);
const callback = (calls: RestCall[]) => calls.find((c) => /\/callback$/.test(c.path))!;
const editOf = (calls: RestCall[]) => calls.find((c) => c.method === 'PATCH' && c.path.endsWith('/messages/@original'));

async function run(name: string, options: Option[], user: (typeof USERS)[keyof typeof USERS], channel: string = IDS.general) {
  const st = fake.command(name, options, user, channel);
  const calls = await answered(fake, st.token);
  return { st, calls, cb: callback(calls), edit: editOf(calls) };
}

describe('slash commands', () => {
  it('/corr a:BTC b:ETH window:48 is deferred at once, then answered with the right ρ and the chart attached', async () => {
    const { st, calls, cb, edit } = await run('corr', [str('a', 'BTC'), str('b', 'ETH'), str('window', '48')], USERS.alice);
    // Deferred first (type 5), publicly, within Discord's 3 s.
    expect(calls[0]).toBe(cb);
    expect(cb.json).toMatchObject({ type: 5 });
    expect(flagsOf(cb) & 64).toBe(0);
    expect(cb.at - st.dispatchedAt).toBeLessThan(3_000);
    // Then the answer edits @original, multipart with the PNG.
    expect(edit).toBeDefined();
    expect(edit!.files).toHaveLength(1);
    const file = edit!.files[0];
    expect(file.data.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    const embed = embedOf(edit!);
    expect(embed.image?.url).toBe(`attachment://${file.filename}`);
    expect(embed.title).toMatch(/^ℹ️ BTC \/ ETH: ρ [+-]\d\.\d{3}$/);

    // Expected ρ from the simulator's candles: the last 48 hourly log returns before the clock.
    const candles = await Promise.all(['BTC', 'ETH'].map((s) => t.market.fetchCandles(s, '1h', NOW - 300 * H, NOW)));
    const [a, b] = candles.map((c) => c.slice(-49));
    expect(a.map((c) => c.t)).toEqual(b.map((c) => c.t));
    const ret = (c: { c: number }[]) => c.slice(1).map((x, i) => Math.log(x.c / c[i].c));
    const expected = pearson(ret(a), ret(b));
    const shown = Number(embed.fields!.find((f) => f.name === 'ρ')!.value.split(' ')[0]);
    expect(Math.abs(shown - expected)).toBeLessThanOrEqual(0.0005 + 1e-9);
    expect(embed.fields!.find((f) => f.name === 'returns')!.value).toBe('48 × 1h');
    // The stored message shows the chart: Discord turned attachment:// into the file's URL.
    const original = fake.interactions.get(st.token)!.original!;
    expect((original.embeds[0].image as { url: string }).url).toBe(original.attachments[0].url);
  });

  it('an error to a public command is shown only to the caller', async () => {
    const { cb, calls } = await run('corr', [str('a', 'BTC'), str('b', 'BTC')], USERS.alice);
    expect(flagsOf(cb) & 64).toBe(0);
    // The public "thinking" message is deleted and the error follows privately.
    expect(calls.some((c) => c.method === 'DELETE' && c.path.endsWith('/messages/@original'))).toBe(true);
    const follow = calls.find((c) => c.method === 'POST' && /^\/webhooks\/\d+\/[^/]+$/.test(c.path))!;
    expect(flagsOf(follow) & 64).toBe(64);
    expect(embedOf(follow).title).toBe('⚠️ Error · Cannot do that');
    expect(embedOf(follow).description).toContain('two different symbols');
  });
});

describe('autocomplete', () => {
  async function choices(command: string, options: Option[]) {
    const st = fake.autocomplete(command, options, USERS.alice);
    const cb = await waitFor(() => callsFor(fake, st.token).find((c) => /\/callback$/.test(c.path)), 3_000, 'the autocomplete answer');
    expect(cb.at - st.dispatchedAt).toBeLessThan(3_000);
    expect(cb.json).toMatchObject({ type: 8 });
    return (cb.json as { data: { choices: { name: string; value: string }[] } }).data.choices;
  }

  it('offers at most 25 listed symbols, matching the prefix', async () => {
    const all = await choices('corr', [str('a', '', true)]);
    expect(all).toHaveLength(25);
    for (const c of all) expect(UNIVERSE).toContain(c.value);
    const b = await choices('corr', [str('a', 'BTC'), str('b', 'b', true)]);
    expect(b.map((c) => c.value)).toEqual(['BNB', 'BTC']);
    expect(await choices('corr', [str('a', 'zz', true)])).toEqual([]);
  });

  it('offers basket names, and completes the last word of a symbol list', async () => {
    expect(await choices('basket', [sub('show', [str('name', 'MA', true)])])).toEqual([{ name: 'majors', value: 'majors' }]);
    const list = await choices('basket', [sub('add', [str('name', 'majors'), str('symbols', 'SOL, av', true)])]);
    expect(list).toEqual([{ name: 'SOL, AVAX', value: 'SOL, AVAX' }]);
  });
});

describe('admin commands', () => {
  const create = [sub('create', [str('name', 'defi'), str('symbols', 'BTC ETH')])];

  it('are refused, privately, to members without Manage Server or an admin role, and change nothing', async () => {
    const auditBefore = (await t.store.listAudit()).length;
    for (const user of [USERS.alice, USERS.dave]) {
      const { cb, edit } = await run('basket', create, user);
      expect(flagsOf(cb) & 64).toBe(64); // admin-only: deferred privately
      expect(embedOf(edit!).title).toBe('⚠️ Error · Not allowed');
    }
    expect(await t.store.getBasket('defi')).toBeUndefined();
    expect((await t.store.listAudit()).length).toBe(auditBefore);
  });

  it('are applied for a member holding an admin role (by name) or Manage Server', async () => {
    const { cb, edit } = await run('basket', create, USERS.bob);
    expect(flagsOf(cb) & 64).toBe(64);
    expect(embedOf(edit!).title).toBe('🟢 OK · Created basket defi');
    expect(await t.store.getBasket('defi')).toMatchObject({ symbols: ['BTC', 'ETH'], createdBy: `discord:${USERS.bob.id}` });
    const del = await run('basket', [sub('delete', [str('name', 'defi')])], USERS.carol);
    expect(embedOf(del.edit!).title).toBe('🟢 OK · Deleted basket defi');
    expect(await t.store.getBasket('defi')).toBeUndefined();
  });

  it('subscribe channels only for admins', async () => {
    const refused = await run('alerts', [sub('subscribe', [str('basket', 'majors')])], USERS.dave, IDS.general);
    expect(embedOf(refused.edit!).title).toBe('⚠️ Error · Not allowed');
    const a = await run('alerts', [sub('subscribe', [str('basket', 'majors')])], USERS.carol, IDS.alerts);
    expect(embedOf(a.edit!).title).toBe('🟢 OK · Subscribed to majors');
    const b = await run('alerts', [sub('subscribe', [str('basket', 'majors')])], USERS.bob, IDS.alerts2);
    expect(embedOf(b.edit!).title).toBe('🟢 OK · Subscribed to majors');
    const subs = await t.store.listSubscriptions('majors');
    expect(subs.map((s) => `${s.platform}:${s.channelId}`).sort()).toEqual([`discord:${IDS.alerts}`, `discord:${IDS.alerts2}`]);
  });
});

describe('alerts', () => {
  const channels = [IDS.alerts, IDS.alerts2];
  const postsTo = (ch: string) => fake.callsTo(new RegExp(`^POST /channels/${ch}/messages$`));
  const watcher = () =>
    new Watcher({ store: t.store, market: t.market, config: t.runtime.config, clock: t.clock, log: t.log, notifiers: [adapter.notifier], renderAlert: (r) => renderAlertWithChart(t.store, r) });
  const firing: Record<string, FakeMessage> = {};
  /** A click is answered with a private follow-up, after the message edit when there is one. */
  const clicked = (token: string) => waitFor(() => (callsFor(fake, token).some((c) => c.method === 'POST' && /^\/webhooks\//.test(c.path)) ? callsFor(fake, token) : undefined), 15_000, 'the answer to a click');

  it('a watcher tick posts the alert once to each subscribed channel, with embed, chart and buttons', async () => {
    const report = await watcher().tick(NOW);
    expect(report!.baskets[0].notifications).toEqual(['firing']);
    expect(report!.delivery).toMatchObject({ sent: 2, failed: 0 });
    const record = (await t.store.getNotification('majors:1:firing'))!;
    for (const ch of channels) {
      const posts = postsTo(ch);
      expect(posts).toHaveLength(1);
      const post = posts[0];
      expect(post.files).toHaveLength(1);
      expect(post.files[0].data.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
      expect(embedOf(post).image?.url).toBe(`attachment://${post.files[0].filename}`);
      expect(embedOf(post).title).toContain('majors');
      const buttons = (post.json as { components: { components: { custom_id: string; label: string }[] }[] }).components.flatMap((r) => r.components);
      expect(buttons.map((b) => [b.custom_id, b.label])).toEqual([
        ['ack|majors:1:firing', 'Acknowledge'],
        ['snooze|majors|1h', 'Snooze 1h'],
        ['snooze|majors|4h', 'Snooze 4h'],
        ['snooze|majors|24h', 'Snooze 24h'],
      ]);
      expect(post.json).toMatchObject({ nonce: alertNonce(record.id, ch), enforce_nonce: true, allowed_mentions: { parse: [] } });
      const [msg] = fake.messagesIn(ch);
      firing[ch] = msg;
      expect(record.deliveries[`discord:${ch}`]).toMatchObject({ status: 'sent', attempts: 1, messageRef: `${ch}/${msg.id}` });
    }
  });

  it('a restart does not post it again', async () => {
    await adapter.stop();
    await t.store.close();
    await t.store.open([]);
    adapter = await startDiscordAdapter(t.runtime, discordEnv(fake), OPTS);
    const report = await watcher().tick(NOW);
    expect(report!.delivery).toMatchObject({ sent: 0, failed: 0 });
    for (const ch of channels) expect(postsTo(ch)).toHaveLength(1);
  });

  it('Snooze from a member who is not an admin is refused and changes nothing', async () => {
    const msg = firing[IDS.alerts];
    const st = fake.click(msg, 'snooze|majors|1h', USERS.alice);
    const calls = await clicked(st.token);
    expect(callback(calls).json).toMatchObject({ type: 6 });
    expect(editOf(calls)).toBeUndefined();
    const follow = calls.find((c) => c.method === 'POST' && /^\/webhooks\//.test(c.path))!;
    expect(flagsOf(follow) & 64).toBe(64);
    expect(embedOf(follow).title).toBe('⚠️ Error · Not allowed');
    const rt = await t.store.getRuntime('majors');
    expect(parseAlertState(rt!.alertState).snoozedUntil ?? 0).toBeLessThanOrEqual(NOW);
  });

  it('Acknowledge updates the message (who and when) and the store', async () => {
    const msg = firing[IDS.alerts];
    const imageBefore = (msg.embeds[0].image as { url: string }).url;
    const st = fake.click(msg, 'ack|majors:1:firing', USERS.alice);
    const calls = await clicked(st.token);
    const edit = editOf(calls)!;
    const ack = embedOf(edit).fields!.find((f) => f.name === 'Acknowledged')!;
    expect(ack.value).toContain(`<@${USERS.alice.id}>`);
    expect(ack.value).toMatch(new RegExp(`<t:${Math.floor(NOW / 1000)}:f>`));
    const buttons = (edit.json as { components: { components: { custom_id: string; disabled?: boolean; label: string }[] }[] }).components.flatMap((r) => r.components);
    expect(buttons.find((b) => b.custom_id === 'ack|majors:1:firing')).toMatchObject({ disabled: true, label: 'Acknowledged' });
    expect(buttons.filter((b) => b.custom_id.startsWith('snooze')).every((b) => !b.disabled)).toBe(true);
    // The message itself changed, chart still shown.
    expect(msg.embeds[0].fields).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Acknowledged' })]));
    expect((msg.embeds[0].image as { url: string }).url).toBe(imageBefore);
    expect((await t.store.getNotification('majors:1:firing'))!.acknowledged).toMatchObject({ by: 'alice', platform: 'discord', at: NOW });
  });

  it('Snooze 4h from an admin snoozes the basket and says so on the message', async () => {
    const st = fake.click(firing[IDS.alerts2], 'snooze|majors|4h', USERS.bob);
    const calls = await clicked(st.token);
    const edit = editOf(calls)!;
    expect(embedOf(edit).fields!.find((f) => f.name === 'Snoozed')!.value).toContain(`<@${USERS.bob.id}>`);
    const rt = await t.store.getRuntime('majors');
    expect(parseAlertState(rt!.alertState).snoozedUntil).toBe(NOW + 4 * H);
  });

  const pending = (extra: Partial<NotificationRecord> & Pick<NotificationRecord, 'id' | 'kind'>, targets: string[] = channels): NotificationRecord => ({
    basket: 'majors',
    episode: 1,
    at: NOW,
    createdAt: NOW,
    payload: { basket: 'majors', symbols: ['BTC', 'ETH', 'SOL'], timeframe: '1h', regime: 'calm', avgCorrelation: 0.21, z: 0.4, durationMs: 6 * H, peakAvgCorrelation: 0.81, startedAt: NOW - 6 * H },
    deliveries: Object.fromEntries(targets.map((ch) => [`discord:${ch}`, { status: 'pending' as const, attempts: 0 }])),
    ...extra,
  });
  // No backoff between rounds here: these tests are about what Discord answers (the outbox's waits: fanout.test.ts).
  const deliver = () => deliverPending(t.store, [adapter.notifier], (r) => renderAlertWithChart(t.store, r), t.log, NOW, undefined, { maxAgeMs: 3_600_000, firstRetryMs: 0 });
  const titled = (ch: string, text: string) => fake.messagesIn(ch).filter((m) => String(m.embeds[0]?.title ?? '').includes(text));

  it('a resolved alert replies to the firing message in each channel', async () => {
    await t.store.addNotification(pending({ id: 'majors:1:resolved', kind: 'resolved' }));
    expect(await deliver()).toMatchObject({ sent: 2, failed: 0 });
    for (const ch of channels) {
      const [resolved] = titled(ch, 'resolved');
      expect(resolved.message_reference).toMatchObject({ message_id: firing[ch].id });
      expect(resolved.components).toEqual([]);
    }
  });

  it('while Discord is unreachable alerts stay pending; they are delivered once when it is back', async () => {
    await t.store.addNotification(pending({ id: `majors:1:stale:${NOW}`, kind: 'stale' }));
    fake.restDown = true;
    try {
      expect(await deliver()).toMatchObject({ sent: 0, failed: 2 });
    } finally {
      fake.restDown = false;
    }
    const rec = (await t.store.getNotification(`majors:1:stale:${NOW}`))!;
    for (const ch of channels) expect(rec.deliveries[`discord:${ch}`]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await deliver()).toMatchObject({ sent: 2, failed: 0 });
    expect(await deliver()).toMatchObject({ sent: 0, failed: 0 });
    for (const ch of channels) expect(titled(ch, 'market data is missing')).toHaveLength(1);
  });

  it('a post whose answer was lost is retried without a second message (nonce)', async () => {
    await t.store.addNotification(pending({ id: `majors:1:recovered:${NOW}`, kind: 'recovered' }));
    fake.failNext(new RegExp(`^POST /channels/${IDS.alerts}/messages$`), 1, 'lose-answer');
    expect(await deliver()).toMatchObject({ sent: 1, failed: 1 });
    expect(await deliver()).toMatchObject({ sent: 1, failed: 0 });
    expect(postsTo(IDS.alerts).filter((c) => (c.json as { nonce?: string }).nonce === alertNonce(`majors:1:recovered:${NOW}`, IDS.alerts))).toHaveLength(2);
    for (const ch of channels) expect(titled(ch, 'market data is back')).toHaveLength(1);
  });

  it('a 429 is waited out for retry_after and the alert is posted once', async () => {
    const id = `majors:1:stale:${NOW + 1}`;
    await t.store.addNotification(pending({ id, kind: 'stale', at: NOW + 1 }, [IDS.alerts]));
    fake.failNext(new RegExp(`^POST /channels/${IDS.alerts}/messages$`), 1, { status: 429, retryAfterSec: 0.4 });
    expect(await deliver()).toMatchObject({ sent: 1, failed: 0 });
    const tries = postsTo(IDS.alerts).filter((c) => (c.json as { nonce?: string }).nonce === alertNonce(id, IDS.alerts));
    expect(tries.map((c) => c.status)).toEqual([429, 200]);
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(400 - 5);
    expect(titled(IDS.alerts, 'market data is missing')).toHaveLength(2);
    expect(t.logLines.some((l) => l.includes('discord answered 429') && l.includes('/channels/:id/messages'))).toBe(true);
  });
});

describe('delivery errors', () => {
  it('an unknown channel is not worth retrying; a 503 is', async () => {
    const record = { id: 'x:1:firing', basket: 'x', episode: 1, kind: 'firing' as const, at: NOW, createdAt: NOW, payload: {}, deliveries: {} };
    const gone = await adapter.notifier.send('1100000000000000999', { record, reply: { title: 't' } });
    expect(gone).toMatchObject({ ok: false, retryable: false });
    expect(!gone.ok && gone.error).toMatch(/does not exist or the bot cannot see it/);
    fake.failNext(new RegExp(`^POST /channels/${IDS.alerts}/messages$`), 1, { status: 503 });
    expect(await adapter.notifier.send(IDS.alerts, { record, reply: { title: 't' } })).toMatchObject({ ok: false, retryable: true });
  });
});

describe('gateway', () => {
  it('a lost connection is resumed (no new IDENTIFY), an interaction sent meanwhile is replayed and answered, the next command works', async () => {
    const identifies = () => fake.frames.filter((f) => f.dir === 'in' && f.op === 2).length;
    const before = identifies();
    const mark = Date.now();
    fake.dropGateway();
    const during = fake.command('help', [str('command', 'corr')], USERS.alice);
    const resume = await waitFor(() => fake.frames.find((f) => f.dir === 'in' && f.op === 6 && f.at >= mark), 10_000, 'RESUME (op 6)');
    expect(resume.d).toMatchObject({ token: TOKEN, session_id: expect.any(String), seq: expect.any(Number) });
    await answered(fake, during.token);
    const after = await run('regime', [str('basket', 'majors')], USERS.alice);
    expect(embedOf(after.edit!).title).toContain('majors');
    expect(identifies()).toBe(before);
    expect(fake.frames.some((f) => f.dir === 'out' && f.t === 'RESUMED' && f.at >= mark)).toBe(true);
  });
});

describe('secrets', () => {
  it('the token never appears in the log', () => {
    expect(t.logLines.length).toBeGreaterThan(10);
    expect(t.logLines.join('\n')).not.toContain(TOKEN);
  });
});
