import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, DISCORD_USER, USER, expectOk, expectUserError, makeEnv, type TestEnv } from './helpers.js';

/** The `usage — summary` lines of a help text (not the examples). */
function commandLines(text: string): string[] {
  return text.split('\n').filter((l) => l.includes(' — '));
}

describe('help', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await makeEnv();
  });

  it('a non-admin sees only the commands they may run', async () => {
    const r = await env.rt.run(USER, 'help');
    expectOk(r);
    expect(r.reply.ephemeral).toBe(true);
    const lines = commandLines(r.reply.text!);
    const names = lines.map((l) => l.split(' — ')[0]);
    expect(names.some((n) => n.startsWith('corr A B'))).toBe(true);
    expect(names.some((n) => n.startsWith('matrix '))).toBe(true);
    expect(names.some((n) => n.startsWith('compare A B'))).toBe(true);
    expect(names.some((n) => n.startsWith('regime'))).toBe(true);
    expect(names).toContain('basket list');
    expect(names).toContain('basket show NAME');
    expect(names).toContain('alerts status');
    expect(r.reply.text).not.toContain('basket create');
    expect(r.reply.text).not.toContain('basket delete');
    expect(r.reply.text).not.toContain('alerts subscribe');
    expect(r.reply.text).not.toContain('alerts snooze');
    expect(r.reply.text).not.toContain('(admin)');
    expect(r.reply.text).toContain('help <command> for details.');
  });

  it('an admin also sees the admin commands, marked (admin)', async () => {
    const r = await env.rt.run(ADMIN, 'help');
    expectOk(r);
    const lines = commandLines(r.reply.text!);
    expect(lines.find((l) => l.startsWith('basket create NAME SYMBOLS...'))).toMatch(/\(admin\)$/);
    expect(lines.find((l) => l.startsWith('alerts subscribe BASKET'))).toMatch(/\(admin\)$/);
    expect(lines.find((l) => l.startsWith('basket set NAME KEY VALUE'))).toMatch(/\(admin\)$/);
    expect(lines.find((l) => l.startsWith('basket list'))).not.toMatch(/\(admin\)$/);
  });

  it('CLI-only commands and options are not offered in chat, to anyone', async () => {
    for (const who of [USER, ADMIN]) {
      const text = (await env.rt.run(who, 'help')).reply.text!;
      const names = commandLines(text).map((l) => l.split(' ')[0]);
      expect(names).not.toContain('backtest');
      expect(names).not.toContain('start');
      expect(names).not.toContain('store');
      expect(text).not.toMatch(/--json|--source|--chart|json:|source:|chart:/);
    }
    expectUserError(await env.rt.run(ADMIN, 'help backtest'), 'unknown command "backtest"');
    expectUserError(await env.rt.run(ADMIN, 'backtest --basket majors'), 'backtest is only available on the command line');
    // CLI-only commands typed in chat say where they run; nothing is started or moved.
    for (const line of ['start', 'start --schedule "* * * * *"', 'store move-aside']) {
      const r = await env.rt.run(ADMIN, line);
      expect(r.outcome, line).toBe('user_error');
      expect(r.reply.text, line).toMatch(/is only available on the command line/);
    }
  });

  it('help corr: usage, every argument with what it takes and its default, examples', async () => {
    const r = await env.rt.run(DISCORD_USER, 'help corr');
    expectOk(r);
    expect(r.reply.title).toBe('help: corr');
    const text = r.reply.text!;
    expect(text.split('\n')[0]).toBe('usage: corr A B [WINDOW] [METHOD] [at:AT] [timeframe:TIMEFRAME] [calendar:CALENDAR]');
    const arg = (label: string) => text.split('\n').find((l) => l.trimStart().startsWith(label + ' '));
    expect(arg('A')).toMatch(/first asset \(a symbol like BTC or ETH\/BTC\) \[required\]$/);
    expect(arg('B')).toMatch(/\[required\]$/);
    expect(arg('WINDOW')).toMatch(/a bar count like 168, a duration like 7d, or "all"\) \[default: auto/);
    expect(arg('METHOD')).toMatch(/\(pearson \| spearman\) \[default: pearson\]$/);
    expect(arg('at:')).toMatch(/\[default: the latest closed bar\]$/);
    expect(arg('timeframe:')).toMatch(/\[default: 1h/);
    expect(arg('calendar:')).toMatch(/\(continuous \| weekdays \| data\) \[default: inferred/);
    expect(text).toMatch(/examples:\n {2}corr BTC ETH\n {2}corr BTC ETH 30d/);
    expect(text).not.toMatch(/--json|source|chart/);
    // the same help from `corr --help` and `/corr help corr`
    expect((await env.rt.run(USER, 'corr --help')).reply.text).toBe(text);
    expect((await env.rt.run(USER, '/corr help corr')).reply.text).toBe(text);
  });

  it('help of a command with subcommands lists those the caller may run', async () => {
    const user = commandLines((await env.rt.run(USER, 'help basket')).reply.text!).map((l) => l.split(' — ')[0]);
    expect(user).toEqual(['basket list', 'basket show NAME']);
    const admin = commandLines((await env.rt.run(ADMIN, 'help basket')).reply.text!).map((l) => l.split(' ')[1]);
    expect(admin).toEqual(['list', 'show', 'create', 'add', 'remove', 'delete', 'set']);
    // a bare `basket` is its help
    expect((await env.rt.run(USER, 'basket')).reply.text).toBe((await env.rt.run(USER, 'help basket')).reply.text);
  });

  it("a non-admin's help does not suggest admin-only commands in its examples either", async () => {
    // help.ts: "shows only what the caller may run". The examples of `basket` and `alerts` include
    // `basket create ...`, `alerts subscribe ...` and `alerts snooze ...`, which a non-admin would be refused.
    const basket = (await env.rt.run(USER, 'help basket')).reply.text!;
    expect(basket).not.toContain('basket create');
    const alerts = (await env.rt.run(USER, 'help alerts')).reply.text!;
    expect(alerts).not.toContain('alerts subscribe');
    expect(alerts).not.toContain('alerts snooze');
  });

  it('help for an unknown command suggests the nearest', async () => {
    expectUserError(await env.rt.run(USER, 'help regim'), 'unknown command "regim"; did you mean regime?');
  });

  it('an empty line is the overview', async () => {
    const r = await env.rt.run(USER, '');
    expectOk(r);
    expect(r.reply.text).toBe((await env.rt.run(USER, 'help')).reply.text);
  });
});
