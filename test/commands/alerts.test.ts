import { beforeEach, describe, expect, it } from 'vitest';
import { parseAlertState } from '../../src/alerts/policy.js';
import type { NotificationRecord } from '../../src/store/types.js';
import { ADMIN, DISCORD_ADMIN, HOUR, NOW, USER, expectOk, expectUserError, makeEnv, storeSnapshot, type TestEnv } from './helpers.js';
import { iso } from './reference.js';
import { formatDateTime } from '../../src/domain/timezone.js';

/** A time as the tables show it (the display zone, UTC here). */
const shown = (ms: number) => formatDateTime(ms);

async function refusedWithoutChange(env: TestEnv, line: string, pattern: RegExp | string): Promise<void> {
  const before = await storeSnapshot(env.store);
  expectUserError(await env.rt.run(ADMIN, line), pattern);
  expect(await storeSnapshot(env.store), line).toBe(before);
}

async function snoozedUntil(env: TestEnv, basket = 'majors'): Promise<number | null> {
  const rt = await env.store.getRuntime(basket);
  return rt ? parseAlertState(rt.alertState).snoozedUntil : null;
}

describe('alerts subscribe / unsubscribe', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await makeEnv();
  });

  it('subscribes the channel typed in, once, and audits it', async () => {
    const r = await env.rt.run(ADMIN, 'alerts subscribe majors');
    expectOk(r);
    expect(r.reply.title).toBe('Subscribed to majors');
    expect(await env.store.listSubscriptions('majors')).toEqual([{ basket: 'majors', platform: 'slack', channelId: 'C0GENERAL', createdAt: NOW, createdBy: 'UADMIN01' }]);
    expect(await env.store.listAudit()).toEqual([
      { at: NOW, platform: 'slack', userId: 'UADMIN01', action: 'alerts.subscribe', basket: 'majors', details: { channel: 'slack:C0GENERAL' } },
    ]);
    // again: nothing new, said privately
    const again = await env.rt.run(ADMIN, 'alerts subscribe majors');
    expectOk(again);
    expect(again.reply.title).toBe('Already subscribed');
    expect(again.reply.ephemeral).toBe(true);
    expect(await env.store.listSubscriptions()).toHaveLength(1);
    expect(await env.store.listAudit()).toHaveLength(1);
  });

  it('takes a named channel as Slack and Discord write it', async () => {
    expectOk(await env.rt.run(ADMIN, 'alerts subscribe majors <#C0TRADING|trading>'));
    expectOk(await env.rt.run(DISCORD_ADMIN, 'alerts subscribe majors <#1300000000000000009>'));
    const subs = (await env.store.listSubscriptions('majors')).map((s) => `${s.platform}:${s.channelId}`);
    expect(subs.sort()).toEqual(['discord:1300000000000000009', 'slack:C0TRADING']);
    expectOk(await env.rt.run(ADMIN, 'alerts unsubscribe majors <#C0TRADING|trading>'));
    expect((await env.store.listSubscriptions('majors')).map((s) => s.channelId)).toEqual(['1300000000000000009']);
    expect((await env.store.listAudit())[0]).toMatchObject({ action: 'alerts.unsubscribe', basket: 'majors', details: { channel: 'slack:C0TRADING' } });
  });

  it('the reply names the channel when another one is given, rather than saying "this channel"', async () => {
    const r = await env.rt.run(ADMIN, 'alerts subscribe majors <#C0TRADING|trading>');
    expectOk(r);
    expect(r.reply.text).toContain('C0TRADING');
    expect(r.reply.text).not.toContain('this channel');
  });

  it('unsubscribe refuses a channel that is not subscribed; unknown baskets get a suggestion', async () => {
    await refusedWithoutChange(env, 'alerts unsubscribe majors', 'this channel is not subscribed to majors');
    await refusedWithoutChange(env, 'alerts subscribe majrs', 'there is no basket "majrs"; did you mean majors?');
    await refusedWithoutChange(env, 'alerts subscribe', /^missing basket: .*\nusage: alerts subscribe BASKET \[CHANNEL\]/);
  });
});

describe('alerts snooze / unsnooze', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await makeEnv();
  });

  it('snooze sets the alert state until now + duration and audits it', async () => {
    const r = await env.rt.run(ADMIN, 'alerts snooze majors 4h');
    expectOk(r);
    const until = NOW + 4 * HOUR;
    expect(await snoozedUntil(env)).toBe(until);
    expect(r.reply.text).toContain('until 2024-03-01 16:30 UTC.');
    expect((await env.store.listAudit())[0]).toMatchObject({ userId: 'UADMIN01', action: 'alerts.snooze', basket: 'majors', details: { until: iso(until) } });
    // a second snooze replaces the first
    expectOk(await env.rt.run(ADMIN, 'alerts snooze majors 2d'));
    expect(await snoozedUntil(env)).toBe(NOW + 48 * HOUR);
  });

  it('snooze refuses more than 30 days and durations it cannot read', async () => {
    await refusedWithoutChange(env, 'alerts snooze majors 31d', 'snooze for at most 30d');
    await refusedWithoutChange(env, 'alerts snooze majors 4x', /^duration: expected a duration like 30m, 4h or 2d, got "4x"\nusage: alerts snooze BASKET DURATION/);
    await refusedWithoutChange(env, 'alerts snooze majors 0h', /duration: expected a duration/);
    await refusedWithoutChange(env, 'alerts snooze nosuch 4h', 'there is no basket "nosuch"');
    expectOk(await env.rt.run(ADMIN, 'alerts snooze majors 30d'));
  });

  it('unsnooze ends a snooze and audits it; refuses when not snoozed', async () => {
    await refusedWithoutChange(env, 'alerts unsnooze majors', 'majors is not snoozed');
    expectOk(await env.rt.run(ADMIN, 'alerts snooze majors 4h'));
    const r = await env.rt.run(ADMIN, 'alerts unsnooze majors');
    expectOk(r);
    expect(await snoozedUntil(env)).toBeNull();
    expect((await env.store.listAudit()).map((a) => a.action)).toEqual(['alerts.unsnooze', 'alerts.snooze']);
    expect((await env.store.listAudit())[0]).toMatchObject({ userId: 'UADMIN01', basket: 'majors' });
  });
});

describe('alerts status / history (anyone)', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await makeEnv();
  });

  it('status: phase, snooze and whether this channel is subscribed, per basket', async () => {
    let r = await env.rt.run(USER, 'alerts status');
    expectOk(r);
    expect(r.reply.data).toEqual([{ basket: 'majors', phase: 'inactive', stale: false, regime: null, snoozedUntil: null, subscribedHere: false, lastError: null }]);
    expectOk(await env.rt.run(ADMIN, 'alerts subscribe majors'));
    expectOk(await env.rt.run(ADMIN, 'alerts snooze majors 4h'));
    r = await env.rt.run(USER, 'alerts status');
    expect(r.reply.data).toMatchObject([{ basket: 'majors', phase: 'inactive', snoozedUntil: iso(NOW + 4 * HOUR), subscribedHere: true }]);
    expect(r.reply.text).toMatch(/majors\s+inactive\s+-\s+-\s+2024-03-01 16:30 UTC\s+yes/);
    // from another channel: not subscribed there
    const elsewhere = await env.rt.run({ ...USER, channelId: 'C0OTHER' }, 'alerts status');
    expect(elsewhere.reply.data).toMatchObject([{ subscribedHere: false }]);
  });

  it('history lists the recent alerts newest first with deliveries and acknowledgement; limit caps them', async () => {
    let r = await env.rt.run(USER, 'alerts history majors');
    expectOk(r);
    expect(r.reply.title).toBe('No alerts yet for majors');
    const rec = (episode: number, kind: NotificationRecord['kind'], at: number, avg: number): NotificationRecord => ({
      id: `majors:${episode}:${kind}`,
      basket: 'majors',
      episode,
      kind,
      at,
      createdAt: at,
      payload: { avgCorrelation: avg },
      deliveries: { 'slack:C0GENERAL': { status: 'sent', attempts: 1 }, 'discord:1300000000000000001': { status: 'failed', attempts: 3 } },
    });
    await env.store.addNotification(rec(1, 'firing', NOW - 10 * HOUR, 0.71));
    await env.store.addNotification(rec(1, 'resolved', NOW - 2 * HOUR, 0.42));
    await env.store.acknowledge('majors:1:firing', { by: 'ada', platform: 'slack', at: NOW - 9 * HOUR });
    r = await env.rt.run(USER, 'alerts history majors');
    expectOk(r);
    expect(r.reply.title).toBe('Alerts for majors');
    // Each row starts with the alert's id, which `alerts ack alert:<id>` takes.
    const lines = r.reply.text!.split('\n').filter((l) => l.startsWith('majors:'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^majors:1:resolved\\s+${shown(NOW - 2 * HOUR)}\\s+resolved\\s+\\+0\\.420\\s+1/2\\s+-$`));
    expect(lines[1]).toMatch(new RegExp(`^majors:1:firing\\s+${shown(NOW - 10 * HOUR)}\\s+firing\\s+\\+0\\.710\\s+1/2\\s+ada$`));
    const one = await env.rt.run(USER, 'alerts history majors limit:1');
    expect((one.reply.data as NotificationRecord[]).map((x) => x.id)).toEqual(['majors:1:resolved']);
    expectUserError(await env.rt.run(USER, 'alerts history majors limit:many'), /limit: expected a whole number, got "many"/);
    expectUserError(await env.rt.run(USER, 'alerts history majrs'), 'there is no basket "majrs"; did you mean majors?');
  });
});

describe('alerts outbox', () => {
  it('lists deliveries pending or given up (not the sent ones), with attempts and the last error; says so when empty', async () => {
    const env = await makeEnv();
    const empty = await env.rt.run(USER, 'alerts outbox');
    expectOk(empty);
    expect(empty.reply.title).toBe('The outbox is empty');
    const rec = (id: string, deliveries: NotificationRecord['deliveries']): NotificationRecord => ({
      id,
      basket: 'majors',
      episode: 1,
      kind: 'firing',
      at: NOW - HOUR,
      createdAt: NOW,
      payload: {},
      deliveries,
    });
    await env.store.addNotification(
      rec('majors:1:firing', {
        'slack:C1': { status: 'sent', attempts: 1, lastAttemptAt: NOW },
        'slack:C2': { status: 'pending', attempts: 2, lastAttemptAt: NOW, error: 'rate_limited' },
        'discord:D1': { status: 'failed', attempts: 1, lastAttemptAt: NOW, error: 'Unknown Channel' },
      }),
    );
    const r = await env.rt.run(USER, 'alerts outbox');
    expectOk(r);
    expect(r.reply.title).toBe('Outbox: 1 pending, 1 given up');
    expect(r.reply.data).toEqual([
      { id: 'majors:1:firing', target: 'slack:C2', status: 'pending', attempts: 2, lastAttemptAt: iso(NOW), error: 'rate_limited' },
      { id: 'majors:1:firing', target: 'discord:D1', status: 'given up', attempts: 1, lastAttemptAt: iso(NOW), error: 'Unknown Channel' },
    ]);
    expect(r.reply.text).toContain('rate_limited');
    expect(r.reply.text).not.toContain('slack:C1');
  });
});
