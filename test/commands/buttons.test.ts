import { beforeEach, describe, expect, it } from 'vitest';
import { alertActions } from '../../src/alerts/alert-reply.js';
import { parseAlertState } from '../../src/alerts/policy.js';
import { createRuntime } from '../../src/app/runtime.js';
import type { NotificationRecord } from '../../src/store/types.js';
import { ADMIN, DISCORD_USER, HOUR, NOW, USER, capturingLogger, expectOk, makeEnv, storeSnapshot, type TestEnv } from './helpers.js';

/**
 * Alert buttons (Acknowledge, Snooze 1h/4h/24h) run the command they stand for through the same dispatch as a
 * typed command: the same permission check and refusal, the same audit entry, the same command metric.
 */
const firing: NotificationRecord = {
  id: 'majors:1:firing',
  basket: 'majors',
  episode: 1,
  kind: 'firing',
  at: NOW - HOUR,
  createdAt: NOW,
  payload: { avgCorrelation: 0.8 },
  deliveries: { 'slack:C0GENERAL': { status: 'sent', attempts: 1 } },
};

const snoozedUntil = async (env: TestEnv) => {
  const rt = await env.store.getRuntime('majors');
  return rt ? parseAlertState(rt.alertState).snoozedUntil : null;
};

describe('alert buttons dispatch the alerts commands', () => {
  let env: TestEnv;
  let log: ReturnType<typeof capturingLogger>;
  beforeEach(async () => {
    log = capturingLogger();
    env = await makeEnv({ log });
    await env.store.addNotification(firing);
  });

  it('Acknowledge (anyone): the record is acknowledged, the audit entry and the log line are written once', async () => {
    const r = await env.rt.handleAction(USER, `ack|${firing.id}`);
    expectOk(r);
    expect(r.command).toBe('alerts ack');
    expect(r.reply).toMatchObject({ title: 'Acknowledged', ephemeral: true });
    expect(r.acknowledged).toEqual({ by: 'bob', platform: 'slack', at: NOW });
    expect((await env.store.getNotification(firing.id))!.acknowledged).toEqual({ by: 'bob', platform: 'slack', at: NOW });
    expect(await env.store.listAudit()).toEqual([{ at: NOW, platform: 'slack', userId: USER.userId, action: 'alert.acknowledge', basket: 'majors', details: { id: firing.id } }]);
    expect(log.entries.filter((e) => e.msg === 'admin change')).toHaveLength(1);
  });

  it('Acknowledge of an alert that is gone: a private user error, nothing audited', async () => {
    const r = await env.rt.handleAction(USER, 'ack|majors:9:firing');
    expect(r.outcome).toBe('user_error');
    expect(r.reply.ephemeral).toBe(true);
    expect(r.reply.text).toContain('there is no alert majors:9:firing');
    expect(r.acknowledged).toBeUndefined();
    expect(await env.store.listAudit()).toEqual([]);
  });

  it('the typed command does the same as the button (same audit entry)', async () => {
    expectOk(await env.rt.run(USER, `alerts ack alert:${firing.id}`));
    expect(await env.store.listAudit()).toEqual([{ at: NOW, platform: 'slack', userId: USER.userId, action: 'alert.acknowledge', basket: 'majors', details: { id: firing.id } }]);
  });

  it.each([
    ['slack', USER],
    ['discord', DISCORD_USER],
  ])('Snooze from a %s non-admin is refused like `alerts snooze`: privately, logged, nothing changes', async (platform, user) => {
    const before = await storeSnapshot(env.store);
    const r = await env.rt.handleAction(user, 'snooze|majors|1h');
    const typed = await env.rt.run(user, 'alerts snooze majors 1h');
    expect(r.outcome).toBe('refused');
    expect(r.command).toBe('alerts snooze');
    expect(r.reply).toEqual(typed.reply);
    expect(r.reply.ephemeral).toBe(true);
    expect(await storeSnapshot(env.store)).toBe(before);
    const refusals = log.entries.filter((e) => e.level === 'warn' && e.msg === 'refused admin-only command');
    expect(refusals).toHaveLength(2);
    expect(refusals[0].ctx).toMatchObject({ command: 'alerts snooze', platform, user: user.userId });
  });

  it('Snooze from an admin snoozes the basket and writes the same audit entry as `alerts snooze`', async () => {
    const r = await env.rt.handleAction(ADMIN, 'snooze|majors|4h');
    expectOk(r);
    expect(r.reply.ephemeral).toBe(true);
    expect(await snoozedUntil(env)).toBe(NOW + 4 * HOUR);
    expectOk(await env.rt.run(ADMIN, 'alerts snooze majors 4h'));
    const [typed, clicked] = await env.store.listAudit();
    expect(clicked).toEqual({ at: NOW, platform: 'slack', userId: ADMIN.userId, action: 'alerts.snooze', basket: 'majors', details: { until: '2024-03-01T16:30:00Z' } });
    expect(typed).toEqual(clicked);
    expect(log.entries.filter((e) => e.msg === 'admin change')).toHaveLength(2);
  });

  it('every button under an alert has the outcome its command has, for admins and non-admins', async () => {
    for (const who of [USER, ADMIN]) {
      for (const action of alertActions(firing)) {
        const clicked = await makeEnv();
        await clicked.store.addNotification(firing);
        const typed = await makeEnv();
        await typed.store.addNotification(firing);
        const [kind, ...rest] = action.id.split('|');
        const line = kind === 'ack' ? `alerts ack alert:${rest.join('|')}` : `alerts snooze ${rest.join(' ')}`;
        const byButton = await clicked.rt.handleAction(who, action.id);
        const byCommand = await typed.rt.run(who, line);
        expect(byButton.outcome, `${who.userName} ${action.id}`).toBe(byCommand.outcome);
        expect(byButton.outcome, `${who.userName} ${action.id}`).toBe(action.adminOnly && !who.isAdmin ? 'refused' : 'ok');
        expect(await storeSnapshot(clicked.store)).toBe(await storeSnapshot(typed.store));
      }
    }
  });

  it('a click counts in the command metric as the alerts command', async () => {
    const seen: string[] = [];
    const rt = createRuntime({ ...env, version: 'test', onCommand: (command, platform, outcome) => void seen.push(`${command} ${platform} ${outcome}`) });
    await rt.handleAction(USER, `ack|${firing.id}`);
    await rt.handleAction(USER, 'snooze|majors|1h');
    expect(seen).toEqual(['alerts slack ok', 'alerts slack refused']);
  });

  it('an unknown button is a private user error and runs nothing', async () => {
    const before = await storeSnapshot(env.store);
    const r = await env.rt.handleAction(ADMIN, 'launch|missiles');
    expect(r).toMatchObject({ outcome: 'user_error', reply: { title: 'Unknown button', ephemeral: true } });
    expect(await storeSnapshot(env.store)).toBe(before);
  });
});
