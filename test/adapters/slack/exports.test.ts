import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/index.js';
import { createMarketSource } from '../../../src/market/source-factory.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../../fakes/fake-slack.js';
import { ADMIN, BOT_TOKEN, commandBody, HOUR, makeRuntime, postSigned, PriceFile, slackEnv, tempDir, USER, type TestRuntime } from './helpers.js';

let fake: FakeSlack;
let adapter: SlackAdapter;
let rt: TestRuntime;
let url: string;
let seq = 0;

async function send(text: string, opts: { user?: string; channel?: string } = {}): Promise<FakeSlackCall> {
  const id = `export-${++seq}`;
  const res = await postSigned(url, commandBody(text, { ...opts, responseUrl: fake.responseUrl(id) }));
  expect(res.status).toBe(200);
  return fake.waitFor(`the answer to "${text}"`, () => fake.calls.find((c) => c.method === 'response_url' && c.responseId === id), 20_000);
}

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN, notInChannel: ['C0PRIVATE'] });
  const prices = new PriceFile(join(tempDir(), 'prices.csv'), ['AAA', 'BBB', 'CCC'], 7);
  prices.append(300, 0.4);
  rt = await makeRuntime(createMarketSource(`csv:${prices.path}`), { now: prices.lastBarAt + HOUR + 60_000 });
  adapter = await startSlackAdapter(rt.runtime, slackEnv(fake.baseUrl), { host: '127.0.0.1', port: 0, channelIntervalMs: 0 });
  url = `http://127.0.0.1:${adapter.port}/slack/events`;
});

afterAll(async () => {
  await adapter?.stop();
  await fake?.close();
});

/** The files shared into a channel whose name ends in .csv, newest last. */
const csvFiles = (channel: string) => [...fake.files.values()].filter((f) => f.channel === channel && f.filename.endsWith('.csv') && f.completed);

describe('/corr export in Slack (issue 14)', () => {
  it('export matrix: the CSV is uploaded and shared in the channel with the answer; parsed back it equals the matrix the answer holds', async () => {
    const answer = await send('export matrix AAA BBB CCC --window 60', { channel: 'C0GENERAL' });
    expect(answer.status).toBe(200);
    const file = await fake.waitFor('the CSV in the channel', () => csvFiles('C0GENERAL').at(-1));
    expect(file.comment).toMatch(/^📎 /);
    const rows = parse(file.bytes!.toString('utf8')) as string[][];
    expect(rows[0]).toEqual(['symbol', 'AAA', 'BBB', 'CCC']);
    const json = (await rt.runtime.run({ platform: 'slack', userId: USER, channelId: 'C0GENERAL', isAdmin: false }, 'matrix AAA BBB CCC --window 60')).reply.data as { matrix: number[][] };
    rows.slice(1).forEach((r, i) => r.slice(1).forEach((v, j) => expect(Number(v)).toBeCloseTo(json.matrix[i][j], 12)));
  });

  it('where the bot is not in the channel, the CSV goes to the caller\'s DM and the caller is told so, privately', async () => {
    await send('export matrix AAA BBB CCC --window 60', { channel: 'C0PRIVATE', user: ADMIN });
    const dm = await fake.waitFor('the CSV in the DM', () => csvFiles(`D${ADMIN}`).at(-1));
    expect(dm.bytes!.toString('utf8').split('\n')[0]).toBe('symbol,AAA,BBB,CCC');
    const note = await fake.waitFor('the private note', () =>
      fake.calls.find((c) => c.method === 'response_url' && c.body.response_type === 'ephemeral' && JSON.stringify(c.body).includes('could not be posted here')),
    );
    expect(JSON.stringify(note.body)).toContain('is in your direct messages with corrwatch');
  });
});
