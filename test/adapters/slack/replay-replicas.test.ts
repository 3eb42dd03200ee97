import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/index.js';
import { createMarketSource } from '../../../src/market/source-factory.js';
import { PostgresStore } from '../../../src/store/postgres/index.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack.js';
import { postgresForFile } from '../../helpers/postgres.js';
import { BOT_TOKEN, commandBody, makeRuntime, postSigned, slackEnv, type TestRuntime } from './helpers.js';

// Replicas behind a load balancer (issue 13): a signed Slack request replayed to another replica than the one that
// answered it is refused too (Store.firstSeen on the shared PostgreSQL store, migration 4). The replay guard of one
// process alone is tested in adapter.test.ts.

const pgServer = await postgresForFile();

describe.skipIf(!pgServer.server)(`Slack replay guard across replicas${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  let fake: FakeSlack;
  const stores: PostgresStore[] = [];
  const adapters: SlackAdapter[] = [];
  const rts: TestRuntime[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack({ token: BOT_TOKEN });
    const db = pgServer.server!.url(await pgServer.server!.createDatabase('slack_replicas'));
    for (let r = 0; r < 2; r++) {
      const store = new PostgresStore({ url: db }, { migrate: true });
      await store.open([]);
      stores.push(store);
      const rt = await makeRuntime(createMarketSource('sim:1'), { now: Date.now() });
      rts.push(rt);
      // The replica's runtime on the shared store (as `corrwatch start` builds it with DATABASE_URL).
      const adapter = await startSlackAdapter({ ...rt.runtime, store }, slackEnv(fake.baseUrl), { host: '127.0.0.1', port: 0 });
      adapters.push(adapter);
      urls.push(`http://127.0.0.1:${adapter.port}/slack/events`);
    }
  }, 60_000);

  afterAll(async () => {
    for (const a of adapters) await a.stop();
    for (const s of stores) await s.close();
    await fake?.close();
  });

  it('a request answered by one replica and replayed to the other is refused (401, logged); a new one is answered by either', async () => {
    const body = commandBody('help', { responseUrl: fake.responseUrl('first') });
    const ts = Math.floor(Date.now() / 1000);
    expect((await postSigned(urls[0], body, { ts })).status).toBe(200);
    expect((await postSigned(urls[1], body, { ts })).status).toBe(401);
    expect((await postSigned(urls[0], body, { ts })).status).toBe(401);
    expect(rts[1].lines.some((l) => l.includes('already used (a replay)'))).toBe(true);
    await fake.waitFor('the answer to the first request', () => fake.calls.find((c) => c.responseId === 'first'), 20_000);
    expect(fake.calls.filter((c) => c.responseId === 'first')).toHaveLength(1);
    const other = commandBody('help', { responseUrl: fake.responseUrl('second') });
    expect((await postSigned(urls[1], other)).status).toBe(200);
    await fake.waitFor('the answer to the second request', () => fake.calls.find((c) => c.responseId === 'second'), 20_000);
  });

  it('when the shared check fails (the database down), a request is answered on the replica own check, and that is logged', async () => {
    const rt = await makeRuntime(createMarketSource('sim:1'), { now: Date.now() });
    const failing = {
      listBaskets: () => rt.runtime.store.listBaskets(),
      firstSeen: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
    };
    const adapter = await startSlackAdapter({ ...rt.runtime, store: failing }, slackEnv(fake.baseUrl), { host: '127.0.0.1', port: 0 });
    try {
      const url = `http://127.0.0.1:${adapter.port}/slack/events`;
      const body = commandBody('help', { responseUrl: fake.responseUrl('down') });
      const ts = Math.floor(Date.now() / 1000);
      expect((await postSigned(url, body, { ts })).status).toBe(200);
      // this replica's own guard still refuses a replay to it
      expect((await postSigned(url, body, { ts })).status).toBe(401);
      await fake.waitFor('the answer while the database is down', () => fake.calls.find((c) => c.responseId === 'down'), 20_000);
      expect(rt.lines.some((l) => l.includes("could not check the request against the other replicas'"))).toBe(true);
    } finally {
      await adapter.stop();
    }
  });
});
