import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ADMIN, DISCORD_ADMIN, DISCORD_USER, NOW, USER, capturingLogger, expectOk, expectUserError, makeEnv, storeSnapshot, type TestEnv } from './helpers.js';

// `audit [--limit N] [--basket NAME]` (issue 14): who changed what, when, from which platform, newest first.

describe('audit', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await makeEnv();
    expectOk(await env.rt.run(ADMIN, 'basket create defi UNI AAVE'));
    expectOk(await env.rt.run(DISCORD_ADMIN, 'basket set majors window 100'));
    expectOk(await env.rt.run(ADMIN, 'alerts snooze defi 4h'));
  });

  it('is refused to non-admins, privately, on every platform, and logged; nothing is read or changed', async () => {
    const log = capturingLogger();
    const own = await makeEnv({ log });
    const before = await storeSnapshot(own.store);
    for (const who of [USER, DISCORD_USER]) {
      for (const line of ['audit', 'audit --limit 5 --basket majors', '/corr audit']) {
        const r = await own.rt.run(who, line);
        expect(r.outcome, line).toBe('refused');
        expect(r.reply.ephemeral).toBe(true);
        expect(r.reply.text).toContain('`audit` is for corrwatch admins only');
        expect(r.reply.data).toBeUndefined();
      }
    }
    expect(await storeSnapshot(own.store)).toBe(before);
    expect(log.entries.filter((e) => e.msg === 'refused admin-only command' && e.ctx?.command === 'audit')).toHaveLength(6);
    // non-admins are not shown it in help
    expect((await own.rt.run(USER, 'help all')).reply.text).not.toMatch(/^audit/m);
  });

  it('lists who changed what, when and from which platform, newest first, as a private table with the bound named', async () => {
    const r = await env.rt.run(ADMIN, 'audit');
    expectOk(r);
    expect(r.reply.ephemeral).toBe(true);
    expect(r.reply.data).toEqual([
      { at: '2024-03-01T12:30:00Z', platform: 'slack', userId: 'UADMIN01', action: 'alerts.snooze', basket: 'defi', details: { until: '2024-03-01T16:30:00Z' } },
      { at: '2024-03-01T12:30:00Z', platform: 'discord', userId: DISCORD_ADMIN.userId, action: 'basket.set', basket: 'majors', details: expect.objectContaining({ key: 'window' }) },
      { at: '2024-03-01T12:30:00Z', platform: 'slack', userId: 'UADMIN01', action: 'basket.create', basket: 'defi', details: expect.any(Object) },
    ]);
    const lines = r.reply.text!.split('\n');
    expect(lines[1]).toMatch(/^when\s+platform\s+user\s+action\s+basket\s+details$/);
    expect(lines[2]).toMatch(/^2024-03-01T12:30:00Z\s+slack\s+UADMIN01\s+alerts\.snooze\s+defi\s+until=2024-03-01T16:30:00Z$/);
    expect(r.reply.footer).toContain(`the log keeps the newest ${env.config.store.maxAudit} entries (store.maxAudit)`);
  });

  it('--limit and --basket narrow it (named options in chat too); a limit past store.maxAudit says the bound', async () => {
    const one = await env.rt.run(ADMIN, 'audit --limit 1');
    expect((one.reply.data as { action: string }[]).map((e) => e.action)).toEqual(['alerts.snooze']);
    const defi = await env.rt.run(DISCORD_ADMIN, 'audit basket:defi');
    expect((defi.reply.data as { action: string }[]).map((e) => e.action)).toEqual(['alerts.snooze', 'basket.create']);
    expectUserError(await env.rt.run(ADMIN, `audit --limit ${env.config.store.maxAudit + 1}`), `limit: expected 1 to ${env.config.store.maxAudit} (the log keeps the newest ${env.config.store.maxAudit} entries: store.maxAudit in the config)`);
    expectUserError(await env.rt.run(ADMIN, 'audit --limit 0'), 'limit: expected 1 to');
  });

  it('an empty log, or a basket nobody changed, says so (and suggests a basket name for a typo)', async () => {
    const fresh = await makeEnv();
    const r = await fresh.rt.run(ADMIN, 'audit');
    expectOk(r);
    expect(r.reply.title).toBe('No audit entries');
    expect(r.reply.data).toEqual([]);
    const typo = await env.rt.run(ADMIN, 'audit --basket majros');
    expect(typo.reply.text).toBe('Nobody has changed anything of majros yet (there is no basket "majros" now; did you mean majors?).');
  });

  it('a chat table shows at most 50 rows and says how to get the rest; the help names the bound', async () => {
    const big = await makeEnv({ config: { ...loadConfig({}), store: { ...loadConfig({}).store, maxAudit: 100 } } });
    for (let i = 0; i < 60; i++) await big.store.appendAudit({ at: NOW - (59 - i) * 60_000, platform: 'slack', userId: 'U1', action: 'basket.set', basket: 'majors', details: { i } });
    const r = await big.rt.run(ADMIN, 'audit --limit 60');
    expect(r.reply.data).toHaveLength(60);
    expect(r.reply.text!.split('\n').filter((l) => l.startsWith('20'))).toHaveLength(50);
    expect(r.reply.text).toContain('The newest 50 of 60 shown; `export audit --limit 60`');
    const help = await big.rt.run(ADMIN, 'help audit');
    expect(help.reply.text).toContain('store.maxAudit');
    expect(help.reply.text).toContain('admins only');
  });
});
