import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import type { CommandSpec } from '../../commands/types.js';
import { offeredOn } from '../../commands/usage.js';
import { parseAlertState } from '../../src/alerts/policy.js';
import type { Invocation } from '../../src/domain/invocation.js';
import { ADMIN, DISCORD_ADMIN, DISCORD_USER, USER, capturingLogger, expectOk, makeEnv, storeSnapshot, type TestEnv } from './helpers.js';

interface Case {
  line: string;
  /** Brings the store to a state where the command has something to do (run as an admin). */
  setup?: string;
  /** Asserts the admin's run changed the store as it should. */
  changed: (env: TestEnv) => Promise<void>;
}

const snoozedUntil = async (env: TestEnv) => {
  const rt = await env.store.getRuntime('majors');
  return rt ? parseAlertState(rt.alertState).snoozedUntil : null;
};

/** Every command that changes baskets or alerting: admins only. */
const ADMIN_ONLY: Record<string, Case> = {
  'basket create': { line: 'basket create l1s SOL AVAX', changed: async (env) => expect((await env.store.getBasket('l1s'))?.symbols).toEqual(['SOL', 'AVAX']) },
  'basket add': { line: 'basket add majors DOGE', changed: async (env) => expect((await env.store.getBasket('majors'))!.symbols).toContain('DOGE') },
  'basket remove': { line: 'basket remove majors XRP', changed: async (env) => expect((await env.store.getBasket('majors'))!.symbols).not.toContain('XRP') },
  'basket delete': { line: 'basket delete majors', changed: async (env) => expect(await env.store.getBasket('majors')).toBeUndefined() },
  'basket set': { line: 'basket set majors enterz 2.5', changed: async (env) => expect((await env.store.getBasket('majors'))!.thresholds.enterZ).toBe(2.5) },
  'alerts subscribe': { line: 'alerts subscribe majors', changed: async (env) => expect(await env.store.listSubscriptions('majors')).toHaveLength(1) },
  'alerts unsubscribe': {
    line: 'alerts unsubscribe majors',
    setup: 'alerts subscribe majors',
    changed: async (env) => expect(await env.store.listSubscriptions('majors')).toHaveLength(0),
  },
  'alerts snooze': { line: 'alerts snooze majors 4h', changed: async (env) => expect(await snoozedUntil(env)).not.toBeNull() },
  // Ending a snooze undoes an admin's decision and is written to the audit log as an admin change.
  'alerts unsnooze': { line: 'alerts unsnooze majors', setup: 'alerts snooze majors 4h', changed: async (env) => expect(await snoozedUntil(env)).toBeNull() },
};

/** Admin-only commands that only read (the audit log): refused to others the same way; an admin's run changes nothing. */
const ADMIN_ONLY_READS: Record<string, string> = { audit: 'audit', 'export audit': 'export audit' };

function adminOnlyInRegistry(specs: CommandSpec[], prefix = ''): string[] {
  return specs
    .filter((s) => offeredOn(s, 'chat'))
    .flatMap((s) => (s.subcommands ? adminOnlyInRegistry(s.subcommands, `${prefix}${s.name} `) : s.adminOnly ? [`${prefix}${s.name}`] : []));
}

describe('admin-only commands', () => {
  it('every admin-only command offered in chat is covered here', () => {
    const registry = adminOnlyInRegistry(commands);
    expect(registry.length).toBeGreaterThan(0);
    for (const name of registry) expect([...Object.keys(ADMIN_ONLY), ...Object.keys(ADMIN_ONLY_READS)], name).toContain(name);
  });

  for (const [command, line] of Object.entries(ADMIN_ONLY_READS)) {
    it(`${command}: refused privately (and logged) to non-admins on both platforms; an admin's run changes nothing`, async () => {
      const log = capturingLogger();
      const env = await makeEnv({ log });
      expectOk(await env.rt.run(ADMIN, 'basket set majors enterz 2.5'));
      const before = await storeSnapshot(env.store);
      for (const user of [USER, DISCORD_USER]) {
        const r = await env.rt.run(user, line);
        expect(r.outcome).toBe('refused');
        expect(r.command).toBe(command);
        expect(r.reply.ephemeral).toBe(true);
        expect(r.reply.text).toContain(`\`${command}\` is for corrwatch admins only`);
        expect(r.reply.data).toBeUndefined();
        expect(r.reply.attachment).toBeUndefined();
        expect(log.entries.find((e) => e.msg === 'refused admin-only command' && e.ctx?.user === user.userId)?.ctx).toMatchObject({ command, platform: user.platform });
      }
      expectOk(await env.rt.run(ADMIN, line));
      expect(await storeSnapshot(env.store)).toBe(before);
    });
  }

  const users: [string, Invocation, Invocation][] = [
    ['slack', USER, ADMIN],
    ['discord', DISCORD_USER, DISCORD_ADMIN],
  ];

  for (const [command, c] of Object.entries(ADMIN_ONLY)) {
    describe(command, () => {
      for (const [platform, user, admin] of users) {
        it(`a ${platform} non-admin is refused privately, the refusal is logged, and nothing changes`, async () => {
          const log = capturingLogger();
          const env = await makeEnv({ log });
          if (c.setup) expectOk(await env.rt.run(admin, c.setup));
          const before = await storeSnapshot(env.store);
          const r = await env.rt.run(user, c.line);
          expect(r.outcome).toBe('refused');
          expect(r.command).toBe(command);
          expect(r.reply.ephemeral).toBe(true);
          expect(r.reply.severity).toBe('error');
          expect(r.reply.text).toContain(`\`${command}\` is for corrwatch admins only`);
          expect(await storeSnapshot(env.store)).toBe(before);
          const warn = log.entries.find((e) => e.level === 'warn' && e.msg === 'refused admin-only command');
          expect(warn?.ctx).toMatchObject({ command, platform, user: user.userId, channel: user.channelId });
        });
      }

      it('an admin runs it: the store changes and the audit log names the admin', async () => {
        const env = await makeEnv();
        if (c.setup) expectOk(await env.rt.run(ADMIN, c.setup));
        const auditBefore = (await env.store.listAudit()).length;
        const r = await env.rt.run(ADMIN, c.line);
        expectOk(r);
        expect(r.command).toBe(command);
        await c.changed(env);
        const audit = await env.store.listAudit();
        expect(audit).toHaveLength(auditBefore + 1);
        expect(audit[0]).toMatchObject({ platform: 'slack', userId: ADMIN.userId, action: command.replace(' ', '.') });
      });
    });
  }

  it('a non-admin is refused before the arguments are even read', async () => {
    const env = await makeEnv();
    const r = await env.rt.run(USER, 'basket create');
    expect(r.outcome).toBe('refused');
    expect(r.reply.text).not.toContain('missing');
  });

  it('a non-admin may still read the help of an admin-only command', async () => {
    const env = await makeEnv();
    const r = await env.rt.run(USER, 'basket create --help');
    expectOk(r);
    expect(r.reply.text).toContain('usage: basket create NAME SYMBOLS...');
    expect(r.reply.text).toContain('admins only');
  });

  it('the read-only commands are open to non-admins', async () => {
    const env = await makeEnv();
    for (const line of ['basket list', 'basket show majors', 'alerts status', 'alerts history majors', 'help']) {
      const r = await env.rt.run(DISCORD_USER, line);
      expect(r.outcome, line).toBe('ok');
    }
  });
});
