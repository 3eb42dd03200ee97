/**
 * Discord with several replicas on one PostgreSQL store (issue 13): one gateway session for the bot, held by the replica
 * holding the advisory lock; alerts posted from any replica; the gateway moves to another replica within a bounded time
 * when the holder's database session dies. Real discord.js against the fake Discord, real PostgreSQL.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatAdapters } from '../../../src/app/chat-adapters.js';
import { startDiscordReplica, type DiscordReplica } from '../../../src/app/discord-gateway.js';
import { chooseStore } from '../../../src/app/store.js';
import { parseConfig } from '../../../src/config/load.js';
import { FakeDiscord, IDS, waitFor } from '../../fakes/fake-discord.js';
import { postgresForFile } from '../../helpers/postgres.js';
import { answered, discordEnv, makeRuntime, NOW, TOKEN, USERS } from './helpers.js';

const pgServer = await postgresForFile();

describe.skipIf(!pgServer.server)(`Discord on replicas${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  let fake: FakeDiscord;
  let url: string;
  let admin: pg.Client;
  const replicas: DiscordReplica[] = [];

  beforeAll(async () => {
    fake = await new FakeDiscord({ token: TOKEN, heartbeatIntervalMs: 500 }).start();
    url = pgServer.server!.url(await pgServer.server!.createDatabase('gateway'));
    admin = new pg.Client({ connectionString: pgServer.server!.url('postgres') });
    await admin.connect();
  });
  afterAll(async () => {
    for (const r of replicas) await r.stop().catch(() => undefined);
    await admin?.end();
    await fake?.close();
  });

  async function replica(retryMs = 100): Promise<{ replica: DiscordReplica; logLines: string[] }> {
    const t = await makeRuntime();
    const r = await startDiscordReplica(t.runtime, discordEnv(fake), t.log, { url }, { retryMs, checkMs: 300, warmupMs: 100, restRetries: 0 });
    replicas.push(r);
    return { replica: r, logLines: t.logLines };
  }

  const alert = (n: number) => ({
    record: { id: `majors:${n}:firing`, basket: 'majors', episode: n, kind: 'firing' as const, at: NOW, createdAt: NOW, payload: {}, deliveries: {} },
    reply: { title: `alert ${n}` },
  });

  it('one gateway session across replicas, alerts from any of them, and failover when the holder\'s session dies', async () => {
    // A tries the lock again less often than B once it has lost it, so B is the one that takes over (a holder whose
    // connection died but which lives may take the lock back first: any one replica may run the gateway).
    const a = await replica(800);
    const b = await replica();
    expect(a.replica.holdsGateway()).toBe(true);
    expect(b.replica.holdsGateway()).toBe(false);
    expect(b.logLines.join('\n')).toContain('discord gateway: another replica holds it');
    // B keeps trying, in vain: still one session.
    await waitFor(() => b.replica.lock.attempts >= 5, 5_000, 'B trying the lock');
    expect(fake.openGateways).toBe(1);
    expect(fake.identifies).toBe(1);

    // Commands are answered (by A, the one connected).
    await answered(fake, fake.command('help', [], USERS.alice).token);

    // Both post alerts; B over REST, without a gateway session of its own.
    expect(await a.replica.notifier.send(IDS.alerts, alert(1))).toMatchObject({ ok: true });
    expect(await b.replica.notifier.send(IDS.alerts, alert(2))).toMatchObject({ ok: true });
    expect(fake.messagesIn(IDS.alerts).map((m) => (m.embeds as { title?: string }[])[0]?.title)).toEqual(expect.arrayContaining([expect.stringContaining('alert 1'), expect.stringContaining('alert 2')]));
    expect(fake.identifies).toBe(1);

    // A's database session dies (its host or its network gone): A stops its gateway, B starts one.
    const held = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = 'corrwatch discord gateway' AND datname = $1 AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)`,
      [new URL(url).pathname.slice(1)],
    );
    expect(held.rows).toHaveLength(1);
    const killedAt = Date.now();
    await admin.query('SELECT pg_terminate_backend($1)', [held.rows[0].pid]);
    await waitFor(() => b.replica.holdsGateway() && !a.replica.holdsGateway() && fake.openGateways === 1 && fake.identifies === 2, 10_000, 'the gateway moving to B');
    const failoverMs = Date.now() - killedAt;
    expect(failoverMs).toBeLessThan(5_000);
    expect(a.logLines.join('\n')).toContain('lost the lock on the Discord gateway: stopping it here');
    expect(b.logLines.join('\n')).toContain('took the lock on the Discord gateway: this replica runs it now');

    // Commands are answered again (by B now), and A, without the gateway, still posts alerts.
    await answered(fake, fake.command('help', [], USERS.alice).token);
    expect(await a.replica.notifier.send(IDS.alerts, alert(3))).toMatchObject({ ok: true });
    expect(fake.openGateways).toBe(1);
    expect(fake.identifies).toBe(2);

    // B stopping (a deploy) hands the gateway back to A.
    await b.replica.stop();
    await waitFor(() => a.replica.holdsGateway() && fake.openGateways === 1 && fake.identifies === 3, 10_000, 'the gateway moving back to A');
    console.log(`[discord replicas] gateway failover after the holder's session died: ${failoverMs} ms`);
  });

  it('corrwatch start takes this path when the store is PostgreSQL (startChatAdapters with the store choice)', async () => {
    const own = pgServer.server!.url(await pgServer.server!.createDatabase('gateway_start'));
    const t = await makeRuntime();
    const identified = fake.identifies;
    const started = await startChatAdapters(t.runtime, discordEnv(fake), t.log, chooseStore(parseConfig({}), { DATABASE_URL: own }));
    try {
      expect(started.map((s) => s.name)).toEqual(['discord']);
      expect(t.logLines.join('\n')).toContain('discord gateway: this replica holds it (PostgreSQL advisory lock)');
      expect(fake.identifies).toBe(identified + 1);
    } finally {
      for (const s of started) await s.stop();
    }
  });
});
