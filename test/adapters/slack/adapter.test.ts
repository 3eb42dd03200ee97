import { readFileSync } from 'node:fs';
import { healthOf } from '../../../src/ops/health.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/index.js';
import { normalizeApiUrl } from '../../../src/adapters/slack/env.js';
import { createMarketSource } from '../../../src/market/source-factory.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../../fakes/fake-slack.js';
import {
  ADMIN,
  BOT_TOKEN,
  blocksText,
  commandBody,
  commandPayload,
  HOUR,
  makeRuntime,
  pearson,
  PNG_SIGNATURE,
  postSigned,
  PriceFile,
  SIGNING_SECRET,
  slackEnv,
  tempDir,
  USER,
  type TestRuntime,
} from './helpers.js';

let fake: FakeSlack;
let adapter: SlackAdapter;
let rt: TestRuntime;
let prices: PriceFile;
let url: string;
let seq = 0;

/** Send a signed /corr command and wait for the answer posted to its response_url. */
async function corr(text: string, opts: { user?: string; channel?: string } = {}): Promise<{ ackMs: number; answer: FakeSlackCall; id: string }> {
  const id = `cmd-${++seq}`;
  const res = await postSigned(url, commandBody(text, { ...opts, responseUrl: fake.responseUrl(id) }));
  expect(res.status).toBe(200);
  const answer = await fake.waitFor(`the answer to "${text}"`, () => fake.calls.find((c) => c.method === 'response_url' && c.responseId === id), 20_000);
  return { ackMs: res.ms, answer, id };
}

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN, notInChannel: ['C0PRIVATE'] });
  prices = new PriceFile(join(tempDir(), 'prices.csv'), ['AAA', 'BBB', 'CCC', 'DDD'], 42);
  // The default window (7d of 1h bars) sees only the correlated stretch, the full file a much weaker one.
  prices.append(300, 0.05).append(200, 0.6);
  rt = await makeRuntime(createMarketSource(`csv:${prices.path}`), {
    now: prices.lastBarAt + HOUR + 60_000,
    baskets: { majors: { symbols: ['AAA', 'BBB', 'CCC'], timeframe: '1h', window: 24, baseline: 240 } },
    lastTickAt: () => '2024-01-21T20:01:00Z',
    // /healthz and /metrics answer from runtime.ops: a watcher whose last tick completed 30 s ago, hourly schedule.
    ops: {
      health: () => healthOf({ now: 1_000_000, startedAt: 0, lastCompletedAt: 970_000, periodMs: 3_600_000, version: '9.9.9-test', lastTickAt: '2024-01-21T20:01:00Z' }),
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'corrwatch_ticks_total{outcome="ok"} 7\n' }),
    },
  });
  // Posts into one channel are spaced less than in production (1 s) to keep the suite short; alerts.test.ts checks the 1 s default.
  adapter = await startSlackAdapter(rt.runtime, slackEnv(fake.baseUrl), { host: '127.0.0.1', port: 0, channelIntervalMs: 200, fileSettleMs: 20 });
  url = `http://127.0.0.1:${adapter.port}/slack/events`;
});

afterAll(async () => {
  await adapter?.stop();
  await fake?.close();
});

describe('slash command /corr', () => {
  it('acks within 3 s, answers in the channel with the right ρ, and the chart inside the answer (uploaded privately in three calls)', async () => {
    const { ackMs, answer } = await corr('AAA BBB');
    expect(ackMs).toBeLessThan(3000);
    expect(answer.body.response_type).toBe('in_channel');
    const text = blocksText(answer.body.blocks);

    // Expected ρ, independently: Pearson of the last N hourly log returns in the file.
    const n = Number(/(\d+) × 1h/.exec(text)?.[1]);
    expect(n).toBe(168);
    const closes = readFileSync(prices.path, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(1, 3).map(Number));
    const rets = (k: number) => closes.slice(-n - 1).slice(1).map((row, i) => Math.log(row[k] / closes[closes.length - n - 1 + i][k]));
    const rho = pearson(rets(0), rets(1));
    const full = pearson(
      closes.slice(1).map((r, i) => Math.log(r[0] / closes[i][0])),
      closes.slice(1).map((r, i) => Math.log(r[1] / closes[i][1])),
    );
    expect(Math.abs(rho - full)).toBeGreaterThan(0.1); // the check below can tell the window from the whole file
    const shown = `${rho >= 0 ? '+' : ''}${rho.toFixed(3)}`;
    expect(text).toContain(`AAA / BBB: ρ ${shown}`);

    const complete = fake.callsTo('files.completeUploadExternal').at(-1)!;
    // Private to the bot: shared nowhere, shown by the answer's image block.
    expect(complete.body.channel_id).toBeUndefined();
    const image = (answer.body.blocks as { type: string; slack_file?: { id: string }; alt_text?: string }[]).find((b) => b.type === 'image');
    expect(image?.slack_file).toEqual({ id: (complete.body.files as { id: string }[])[0].id });
    expect(image?.alt_text).toBeTruthy();
    const [get] = fake.callsTo('files.getUploadURLExternal');
    const [upload] = fake.callsTo('upload');
    expect(get.body.filename).toMatch(/\.png$/);
    expect(upload.bytes!.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(upload.bytes!.length).toBe(Number(get.body.length));
    expect((complete.body.files as { id: string }[])[0].id).toBe(upload.body.fileId);
    const order = fake.calls.map((c) => c.method).filter((m) => ['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal'].includes(m));
    expect(order).toEqual(['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
  });

  it('serves the other commands under /corr: matrix, regime, help', async () => {
    const matrix = await corr('matrix majors');
    expect(matrix.answer.body.response_type).toBe('in_channel');
    expect(blocksText(matrix.answer.body.blocks)).toMatch(/AAA/);
    const regime = await corr('regime majors');
    expect(blocksText(regime.answer.body.blocks)).toMatch(/majors/);
    const help = await corr('help');
    expect(help.answer.body.response_type).toBe('ephemeral');
    expect(blocksText(help.answer.body.blocks)).toContain('corr A B');
    const empty = await corr('');
    expect(blocksText(empty.answer.body.blocks)).toContain('corr A B');
  });

  it('answers user errors privately, without a chart', async () => {
    const uploads = fake.callsTo('files.completeUploadExternal').length;
    const { answer } = await corr('AAA ZZZ', { channel: 'C0ERRORS' });
    expect(answer.body.response_type).toBe('ephemeral');
    expect(blocksText(answer.body.blocks)).toMatch(/^⚠️ Error · /);
    expect(blocksText(answer.body.blocks)).toMatch(/ZZZ/);
    expect((answer.body.blocks as { type: string }[]).some((b) => b.type === 'image')).toBe(false);
    expect(fake.callsTo('files.completeUploadExternal')).toHaveLength(uploads);
  });

  it('refuses admin commands to non-admins privately and changes nothing; admins change the store', async () => {
    const refused = await corr('basket add majors DDD', { user: USER });
    expect(refused.answer.body.response_type).toBe('ephemeral');
    expect(blocksText(refused.answer.body.blocks)).toMatch(/admins only/);
    expect((await rt.store.getBasket('majors'))!.symbols).toEqual(['AAA', 'BBB', 'CCC']);
    expect(await rt.store.listAudit()).toEqual([]);

    const sub = await corr('alerts subscribe majors', { user: USER, channel: 'C0ALERTS' });
    expect(sub.answer.body.response_type).toBe('ephemeral');
    expect(await rt.store.listSubscriptions('majors')).toEqual([]);

    const done = await corr('basket add majors DDD', { user: ADMIN });
    expect(blocksText(done.answer.body.blocks)).toMatch(/DDD/);
    expect((await rt.store.getBasket('majors'))!.symbols).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
    const subscribed = await corr('alerts subscribe majors', { user: ADMIN, channel: 'C0ALERTS' });
    expect(blocksText(subscribed.answer.body.blocks)).toMatch(/Subscribed/);
    expect((await rt.store.listSubscriptions('majors')).map((s) => `${s.platform}:${s.channelId}`)).toEqual(['slack:C0ALERTS']);
    expect((await rt.store.listAudit()).map((a) => `${a.userId} ${a.action}`).sort()).toEqual([`${ADMIN} alerts.subscribe`, `${ADMIN} basket.add`]);
  });

  it('takes a channel mention as Slack escapes it (<#C123|name>)', async () => {
    const { answer } = await corr('alerts subscribe majors <#C0OTHER|other>', { user: ADMIN });
    expect(blocksText(answer.body.blocks)).toMatch(/Subscribed/);
    expect((await rt.store.listSubscriptions('majors')).map((s) => s.channelId)).toContain('C0OTHER');
  });

  it('shows the chart inside the answer even where the bot is not a member (the upload is shared nowhere)', async () => {
    const { answer, id } = await corr('AAA CCC', { channel: 'C0PRIVATE' });
    expect(answer.body.response_type).toBe('in_channel');
    expect((answer.body.blocks as { type: string }[]).filter((b) => b.type === 'image')).toHaveLength(1);
    expect(fake.calls.filter((c) => c.responseId === id)).toHaveLength(1);
  });

  it('sends the answer again when Slack refuses the just-uploaded chart, then without it and the chart next to it', async () => {
    // The first refusal (a file not processed yet) is retried with the image; a second one gives up on it.
    fake.setBehavior('response_url', { platformError: { error: 'invalid_blocks', times: 2 } });
    try {
      const id = `cmd-${++seq}`;
      expect((await postSigned(url, commandBody('AAA BBB', { channel: 'C0RETRY', responseUrl: fake.responseUrl(id) }))).status).toBe(200);
      const sent = await fake.waitFor('the answer without the image', () => fake.calls.filter((c) => c.responseId === id && c.status === 200)[0]);
      const tries = fake.calls.filter((c) => c.responseId === id);
      expect(tries.map((c) => c.status)).toEqual([404, 404, 200]);
      expect(tries.slice(0, 2).every((c) => (c.body.blocks as { type: string }[]).some((b) => b.type === 'image'))).toBe(true);
      expect((sent.body.blocks as { type: string }[]).some((b) => b.type === 'image')).toBe(false);
      await fake.waitFor('the chart shared in the channel', () => fake.callsTo('files.completeUploadExternal').find((c) => c.body.channel_id === 'C0RETRY'));
    } finally {
      fake.setBehavior('response_url', null);
    }
  });

  it('rejects bad signatures, stale timestamps and missing headers with 401 and no call to Slack', async () => {
    const before = fake.calls.length;
    const body = commandBody('AAA BBB', { responseUrl: fake.responseUrl('must-not-be-used') });
    const now = Math.floor(Date.now() / 1000);
    expect((await postSigned(url, body, { secret: 'not-the-signing-secret' })).status).toBe(401);
    expect((await postSigned(url, body, { signature: 'v0=' + '0'.repeat(64) })).status).toBe(401);
    expect((await postSigned(url, body, { ts: now - 10 * 60 })).status).toBe(401);
    expect((await postSigned(url, body, { omit: ['signature'] })).status).toBe(401);
    expect((await postSigned(url, body, { omit: ['timestamp'] })).status).toBe(401);
    expect((await postSigned(url, body, { omit: ['signature', 'timestamp'] })).status).toBe(401);
    // A good request afterwards is answered, and it is the only thing Slack saw.
    const { id } = await corr('help');
    expect(fake.calls.slice(before).map((c) => `${c.method}:${c.responseId ?? ''}`)).toEqual([`response_url:${id}`]);
    expect(rt.lines.some((l) => l.includes('SLACK_SIGNING_SECRET'))).toBe(true);
  });

  it('refuses a replayed signed request and one dated more than a minute ahead (401, logged); the original is answered once', async () => {
    const id = `replay-${++seq}`;
    const body = commandBody('help', { responseUrl: fake.responseUrl(id) });
    const ts = Math.floor(Date.now() / 1000);
    expect((await postSigned(url, body, { ts })).status).toBe(200);
    // The same body and headers again, as an attacker who saw the request would send them.
    expect((await postSigned(url, body, { ts })).status).toBe(401);
    const future = `future-${++seq}`;
    expect((await postSigned(url, commandBody('help', { responseUrl: fake.responseUrl(future) }), { ts: ts + 6 * 60 })).status).toBe(401);
    // Within the allowed clock skew: answered.
    const skewed = `skewed-${++seq}`;
    expect((await postSigned(url, commandBody('help', { responseUrl: fake.responseUrl(skewed) }), { ts: ts + 30 })).status).toBe(200);
    await fake.waitFor('the answer to the skewed request', () => fake.calls.find((c) => c.responseId === skewed), 20_000);
    expect(fake.calls.filter((c) => c.responseId === id)).toHaveLength(1);
    expect(fake.calls.some((c) => c.responseId === future)).toBe(false);
    expect(rt.lines.some((l) => l.includes('already used (a replay)'))).toBe(true);
    expect(rt.lines.some((l) => l.includes('dated more than a minute ahead'))).toBe(true);
  });

  it('answers GET /healthz and GET /metrics from runtime.ops on the same server as the slash command', async () => {
    const res = await fetch(`http://127.0.0.1:${adapter.port}/healthz`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: '9.9.9-test', lastTickAt: '2024-01-21T20:01:00Z', secondsSinceLastTick: 30, schedulePeriodSeconds: 3600 });
    const m = await fetch(`http://127.0.0.1:${adapter.port}/metrics`, { signal: AbortSignal.timeout(5000) });
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toContain('text/plain');
    expect(await m.text()).toContain('corrwatch_ticks_total{outcome="ok"} 7');
  });

  it('never logs the secrets', () => {
    expect(rt.lines.length).toBeGreaterThan(10);
    for (const l of rt.lines) {
      expect(l).not.toContain(BOT_TOKEN);
      expect(l).not.toContain(SIGNING_SECRET);
    }
  });
});

const opts = { host: '127.0.0.1', port: 0 };


describe('starting the Slack adapter', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await makeRuntime(createMarketSource('sim:1'), { now: Date.UTC(2024, 0, 1) });
  });

  it('names the missing or wrong env var', async () => {
    await expect(startSlackAdapter(rt.runtime, { SLACK_SIGNING_SECRET: SIGNING_SECRET }, opts)).rejects.toThrow(/SLACK_BOT_TOKEN is not set/);
    await expect(startSlackAdapter(rt.runtime, { SLACK_BOT_TOKEN: BOT_TOKEN }, opts)).rejects.toThrow(/SLACK_SIGNING_SECRET is not set/);
    await expect(startSlackAdapter(rt.runtime, { SLACK_BOT_TOKEN: 'xapp-1-abc', SLACK_SIGNING_SECRET: SIGNING_SECRET }, opts)).rejects.toThrow(/SLACK_BOT_TOKEN holds an app-level token/);
    await expect(startSlackAdapter(rt.runtime, slackEnv(fake.baseUrl, { SLACK_APP_TOKEN: 'xoxb-wrong' }), opts)).rejects.toThrow(/SLACK_APP_TOKEN must be an app-level token/);
    await expect(startSlackAdapter(rt.runtime, slackEnv('not a url'), opts)).rejects.toThrow(/SLACK_API_URL/);
    await expect(startSlackAdapter(rt.runtime, { ...slackEnv(fake.baseUrl), PORT: 'eighty' })).rejects.toThrow(/PORT/);
    // A secret too short to be Slack's (and to be redacted from logs safely): refused, its value never repeated.
    const short = startSlackAdapter(rt.runtime, { ...slackEnv(fake.baseUrl), SLACK_SIGNING_SECRET: 'abc' }, opts);
    await expect(short).rejects.toThrow(/^SLACK_SIGNING_SECRET is 3 characters long; Slack's signing secrets are 32: copy it again/);
    await expect(short).rejects.not.toThrow(/abc/);
  });

  it('says to check SLACK_BOT_TOKEN when Slack rejects it (invalid_auth), without printing it', async () => {
    const wrong = 'xoxb-not-the-right-token-123456';
    const err = await startSlackAdapter(rt.runtime, slackEnv(fake.baseUrl, { SLACK_BOT_TOKEN: wrong }), opts).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/Slack rejected SLACK_BOT_TOKEN \(invalid_auth\): check SLACK_BOT_TOKEN/);
    expect(err?.message).not.toContain(wrong);
    const auth = fake.callsTo('auth.test').at(-1)!;
    expect(auth.token).toBe(wrong);
    for (const l of rt.lines) expect(l).not.toContain(wrong);
  });

  it('says which URL it could not reach', async () => {
    const closed = await startFakeSlack();
    const base = closed.baseUrl;
    await closed.close();
    await expect(startSlackAdapter(rt.runtime, slackEnv(base), opts)).rejects.toThrow(new RegExp(`cannot reach the Slack Web API at ${base}/api/.*SLACK_API_URL`));
  });

  it('starts, serves /healthz before any tick, and stops', async () => {
    const adapter = await startSlackAdapter(rt.runtime, slackEnv(fake.baseUrl), opts);
    const res = await fetch(`http://127.0.0.1:${adapter.port}/healthz`, { signal: AbortSignal.timeout(5000) });
    // A runtime with no watcher behind it (no ops given) reports starting.
    expect(await res.json()).toEqual({ status: 'starting', version: '9.9.9-test', lastTickAt: null, secondsSinceLastTick: null, schedulePeriodSeconds: 0 });
    expect(adapter.notifier.platform).toBe('slack');
    await adapter.stop();
    await expect(fetch(`http://127.0.0.1:${adapter.port}/healthz`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
  });

  it('uses Socket Mode when SLACK_APP_TOKEN is set: acks over the socket, answers through response_url, serves /healthz', async () => {
    const adapter = await startSlackAdapter(rt.runtime, slackEnv(fake.baseUrl, { SLACK_APP_TOKEN: 'xapp-fake-token' }), opts);
    try {
      expect(fake.callsTo('apps.connections.open').at(-1)!.token).toBe('xapp-fake-token');
      expect(fake.sockets).toBe(1);
      const sent = Date.now();
      const envelope = fake.sendEnvelope('slash_commands', commandPayload('help', { responseUrl: fake.responseUrl('socket-help') }));
      const ack = await fake.waitFor('the ack', () => fake.calls.find((c) => c.method === 'socket_ack' && c.body.envelope_id === envelope), 3000);
      expect(ack.at - sent).toBeLessThan(3000);
      const answer = await fake.waitFor('the answer', () => fake.calls.find((c) => c.responseId === 'socket-help'));
      expect(blocksText(answer.body.blocks)).toContain('corr A B');
      const res = await fetch(`http://127.0.0.1:${adapter.port}/healthz`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
    } finally {
      await adapter.stop();
    }
    await fake.waitFor('the socket to close', () => fake.sockets === 0, 5000);
  });

  it('says to check SLACK_APP_TOKEN when Slack rejects it', async () => {
    const wrong = 'xapp-1-not-the-right-one';
    const err = await startSlackAdapter(rt.runtime, slackEnv(fake.baseUrl, { SLACK_APP_TOKEN: wrong }), opts).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/Slack rejected SLACK_APP_TOKEN \(invalid_auth\): check SLACK_APP_TOKEN/);
    expect(err?.message).not.toContain(wrong);
  });

  it('never logs the tokens, in either mode', () => {
    expect(rt.lines.some((l) => l.includes('slack adapter started'))).toBe(true);
    for (const l of rt.lines) {
      for (const secret of [BOT_TOKEN, SIGNING_SECRET, 'xapp-fake-token', 'xapp-1-not-the-right-one']) expect(l).not.toContain(secret);
    }
  });

  it('reads SLACK_API_URL as a host or an /api/ base', () => {
    expect(normalizeApiUrl('http://127.0.0.1:9')).toBe('http://127.0.0.1:9/api/');
    expect(normalizeApiUrl('https://slack-gov.com/api')).toBe('https://slack-gov.com/api/');
    expect(normalizeApiUrl('https://proxy.example/slack/api/')).toBe('https://proxy.example/slack/api/');
  });
});
