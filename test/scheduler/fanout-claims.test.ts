import { afterEach, describe, expect, it } from 'vitest';
import { deliverPending } from '../../src/alerts/fanout.js';
import type { AlertMessage, Notifier, NotifyResult } from '../../src/alerts/notifier.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import type { NotificationRecord } from '../../src/store/types.js';
import { postgresForFile } from '../helpers/postgres.js';
import { capturingLogger } from './fakes.js';

// The outbox on a store several replicas deliver from (issue 13): deliverPending claims each delivery before it writes
// it (PostgresStore.claimDelivery), so concurrent rounds of several replicas send each notification once, and a round
// whose process died is taken over when its claim lapses, the platform asked first (findSent) since the delivery is
// marked in flight.

const pgServer = await postgresForFile();

/** A chat platform shared by the replicas: the messages posted per channel, each tagged with its alert id. */
class Platform {
  readonly posted: { channel: string; id: string; ref: string }[] = [];
  /** Called after a message is posted, before the answer goes back (a test stops the replica there). */
  afterPost: (id: string) => Promise<void> = async () => undefined;
  /** Called before posting. */
  beforePost: (id: string) => Promise<void> = async () => undefined;

  notifier(): Notifier & { finds: number } {
    return notifierOn(this);
  }
}

/** A replica's notifier posting to the shared platform, and looking messages up there (Notifier.findSent). */
function notifierOn(platform: Platform): Notifier & { finds: number } {
  const notifier = {
    platform: 'slack' as const,
    finds: 0,
    async send(channel: string, { record }: AlertMessage): Promise<NotifyResult> {
      await platform.beforePost(record.id);
      // A round trip to the platform: rounds of other replicas run meanwhile.
      await new Promise((r) => setTimeout(r, 2));
      const ref = `${channel}/${platform.posted.length + 1}`;
      platform.posted.push({ channel, id: record.id, ref });
      await platform.afterPost(record.id);
      return { ok: true, messageRef: ref };
    },
    async findSent(channel: string, { record }: AlertMessage) {
      notifier.finds++;
      return platform.posted.find((m) => m.channel === channel && m.id === record.id)?.ref;
    },
  };
  return notifier;
}

function record(id: string, targets: string[]): NotificationRecord {
  const [basket, episode, kind] = id.split(':');
  return {
    id,
    basket,
    episode: Number(episode),
    kind: kind as NotificationRecord['kind'],
    at: 1_700_000_000_000,
    createdAt: Date.now(),
    payload: { basket, regime: 'converging' },
    deliveries: Object.fromEntries(targets.map((t) => [t, { status: 'pending' as const, attempts: 0 }])),
  };
}

const render = async (r: NotificationRecord) => ({ title: r.id });

describe.skipIf(!pgServer.server)(`deliverPending with delivery claims (PostgreSQL)${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  const opened: PostgresStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
  });

  async function replicas(n: number): Promise<PostgresStore[]> {
    const url = pgServer.server!.url(await pgServer.server!.createDatabase('fanout_claims'));
    const stores = Array.from({ length: n }, () => new PostgresStore({ url }, { migrate: true }));
    for (const s of stores) {
      opened.push(s);
      await s.open([]);
    }
    return stores;
  }

  it('rounds of three replicas at once send every delivery exactly once', async () => {
    const stores = await replicas(3);
    const ids = Array.from({ length: 30 }, (_, i) => `b${i % 5}:${i}:firing`);
    for (const id of ids) await stores[0].addNotification(record(id, ['slack:C1', 'slack:C2']));
    const platform = new Platform();
    const log = capturingLogger();
    // Each replica runs rounds until the outbox is empty, all three at once.
    const reports = await Promise.all(
      stores.map(async (store, k) => {
        const notifier = platform.notifier();
        let sent = 0;
        while ((await store.pendingNotifications()).length > 0) {
          sent += (await deliverPending(store, [notifier], render, log, Date.now(), undefined, undefined, { owner: `replica${k}`, leaseMs: 60_000 })).sent;
        }
        return sent;
      }),
    );
    const posted = platform.posted.map((m) => `${m.id} ${m.channel}`).sort();
    expect(posted).toEqual(ids.flatMap((id) => [`${id} C1`, `${id} C2`]).sort());
    expect(reports.reduce((a, b) => a + b, 0)).toBe(60);
    // The work was shared (the rounds interleave on every delivery, each taking what the others did not hold).
    expect(reports.filter((r) => r > 0).length).toBeGreaterThan(1);
    for (const id of ids) for (const d of Object.values((await stores[1].getNotification(id))!.deliveries)) expect(d.status).toBe('sent');
  });

  it('a replica that dies after posting, before recording it: another takes the delivery once the claim lapses and finds it on the platform', async () => {
    const [dying, other] = await replicas(2);
    await dying.addNotification(record('b:1:firing', ['slack:C1']));
    const platform = new Platform();
    const log = capturingLogger();
    // The dying replica posts, then never hears back (its process is gone: the round is left hanging).
    let posted!: () => void;
    const postedOnce = new Promise<void>((r) => (posted = r));
    platform.afterPost = () => {
      posted();
      return new Promise<void>(() => undefined);
    };
    void deliverPending(dying, [platform.notifier()], render, log, Date.now(), undefined, undefined, { owner: 'dying', leaseMs: 400 });
    await postedOnce;
    // Its process is gone: its connections close with it, and nothing renews its claim any more.
    await dying.close();
    platform.afterPost = async () => undefined;
    const notifier = platform.notifier();
    // While the claim holds, the other replica leaves the delivery alone.
    expect(await deliverPending(other, [notifier], render, log, Date.now(), undefined, undefined, { owner: 'other', leaseMs: 60_000 })).toMatchObject({ sent: 0, failed: 0 });
    expect(notifier.finds).toBe(0);
    // After the lease, it takes it over: in flight, so it asks the platform, finds the message and does not post again.
    let report;
    for (const deadline = Date.now() + 10_000; !(report && report.sent > 0); ) {
      if (Date.now() > deadline) throw new Error('the claim never lapsed');
      await new Promise((r) => setTimeout(r, 50));
      report = await deliverPending(other, [notifier], render, log, Date.now(), undefined, undefined, { owner: 'other', leaseMs: 60_000 });
    }
    expect(notifier.finds).toBe(1);
    expect(platform.posted).toHaveLength(1);
    expect((await other.getNotification('b:1:firing'))!.deliveries['slack:C1']).toMatchObject({ status: 'sent', messageRef: platform.posted[0].ref });
    expect(log.lines.some((l) => l.msg.includes('found on the platform'))).toBe(true);
  });

  it('a replica that dies before posting: the delivery is posted once by another after the claim lapses', async () => {
    const [dying, other] = await replicas(2);
    await dying.addNotification(record('b:2:firing', ['slack:C1']));
    const platform = new Platform();
    const log = capturingLogger();
    let reached!: () => void;
    const beforePost = new Promise<void>((r) => (reached = r));
    platform.beforePost = () => {
      reached();
      return new Promise<void>(() => undefined);
    };
    void deliverPending(dying, [platform.notifier()], render, log, Date.now(), undefined, undefined, { owner: 'dying', leaseMs: 300 });
    await beforePost;
    await dying.close();
    platform.beforePost = async () => undefined;
    const notifier = platform.notifier();
    for (const deadline = Date.now() + 10_000; platform.posted.length === 0; ) {
      if (Date.now() > deadline) throw new Error('the claim never lapsed');
      await new Promise((r) => setTimeout(r, 50));
      await deliverPending(other, [notifier], render, log, Date.now(), undefined, undefined, { owner: 'other', leaseMs: 60_000 });
    }
    expect(notifier.finds).toBe(1);
    expect(platform.posted.map((m) => m.id)).toEqual(['b:2:firing']);
    expect((await other.getNotification('b:2:firing'))!.deliveries['slack:C1']).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a send slower than the lease keeps its claim (renewed while it runs): another replica never takes it, the alert is posted once', async () => {
    const [slow, other] = await replicas(2);
    await slow.addNotification(record('b:3:firing', ['slack:C1']));
    const platform = new Platform();
    const log = capturingLogger();
    let reached!: () => void;
    const sending = new Promise<void>((r) => (reached = r));
    let finish!: () => void;
    const held = new Promise<void>((r) => (finish = r));
    platform.beforePost = () => {
      reached();
      return held; // a platform answering 429 for a while, say
    };
    const leaseMs = 600;
    const round = deliverPending(slow, [platform.notifier()], render, log, Date.now(), undefined, undefined, { owner: 'slow', leaseMs });
    await sending;
    const claimedAt = Date.now();
    platform.beforePost = async () => undefined;
    const notifier = platform.notifier();
    // Well past the first lease (three times it), the other replica still finds the delivery held.
    let tries = 0;
    while (Date.now() - claimedAt < 3 * leaseMs) {
      await new Promise((r) => setTimeout(r, 100));
      expect(await deliverPending(other, [notifier], render, log, Date.now(), undefined, undefined, { owner: 'other', leaseMs: 60_000 })).toMatchObject({ sent: 0 });
      tries++;
    }
    expect(tries).toBeGreaterThan(10);
    expect(notifier.finds).toBe(0);
    finish();
    expect(await round).toMatchObject({ sent: 1 });
    expect(platform.posted.map((m) => m.id)).toEqual(['b:3:firing']);
    expect(log.lines.some((l) => l.msg.includes('lapsed'))).toBe(false);
  });
});
