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
    const r = await env.rt.run(USER, 'help all');
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
    const r = await env.rt.run(ADMIN, 'help all');
    expectOk(r);
    const lines = commandLines(r.reply.text!);
    expect(lines.find((l) => l.startsWith('basket create NAME SYMBOLS...'))).toMatch(/\(admin\)$/);
    expect(lines.find((l) => l.startsWith('alerts subscribe BASKET'))).toMatch(/\(admin\)$/);
    expect(lines.find((l) => l.startsWith('basket set NAME KEY VALUE'))).toMatch(/\(admin\)$/);
    expect(lines.find((l) => l.startsWith('basket list'))).not.toMatch(/\(admin\)$/);
  });

  it('CLI-only commands and options are not offered in chat, to anyone', async () => {
    for (const who of [USER, ADMIN]) {
      const text = (await env.rt.run(who, 'help all')).reply.text!;
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
  it('/corr help in chat teaches: three commands with one example each, the baskets in the store, how to see all', async () => {
    const own = await makeEnv();
    expectOk(await own.rt.run(ADMIN, 'basket create defi UNI AAVE'));
    const r = await own.rt.run(USER, '/corr help');
    expectOk(r);
    expect(r.reply.ephemeral).toBe(true);
    const text = r.reply.text!;
    expect(commandLines(text).map((l) => l.trim().split(' ')[0])).toEqual(['corr', 'regime', 'matrix']);
    const examples = text.split('\n').filter((l) => l.trim().startsWith('e.g. ')).map((l) => l.trim().slice(5));
    expect(examples).toEqual(['corr BTC ETH 30d', 'regime majors', 'matrix majors']);
    expect(text).toContain('Baskets: majors, defi');
    expect(text).toContain('help all for every command');
    // every example runs as shown
    for (const e of examples) expectOk(await own.rt.run(USER, e));
    // a basket deleted is gone from it; with none, the examples need none
    expectOk(await own.rt.run(ADMIN, 'basket delete defi'));
    expect((await own.rt.run(USER, 'help')).reply.text).toContain('Baskets: majors\n');
    expectOk(await own.rt.run(ADMIN, 'basket delete majors'));
    const bare = (await own.rt.run(USER, 'help')).reply.text!;
    expect(bare).toContain('No baskets yet (an admin creates them).');
    expect(bare).toContain('e.g. matrix BTC ETH SOL');
    expect((await own.rt.run(ADMIN, 'help')).reply.text).toContain('No baskets yet: basket create NAME SYMBOLS...');
    // Discord's /help the same
    expect((await own.rt.run(DISCORD_USER, 'help')).reply.text).toBe(bare);
  });

  it('the full list is `help all` in chat; the console and the CLI show it for a bare help', async () => {
    const all = await env.rt.run(USER, 'help all');
    expect(all.reply.title).toBe('corrwatch commands');
    const consoleHelp = await env.rt.run({ platform: 'console', userId: 'console', channelId: 'console', isAdmin: false }, 'help');
    expect(consoleHelp.reply.text).toBe(all.reply.text);
  });

  it('unknown commands and subcommands suggest the nearest, typos with swapped letters included', async () => {
    expectUserError(await env.rt.run(USER, 'hepl'), 'unknown command "hepl"; did you mean help? Try: help');
    expectUserError(await env.rt.run(USER, 'basket lsit'), 'unknown basket subcommand "lsit"; did you mean list?');
    expectUserError(await env.rt.run(USER, 'alerts histroy majors'), 'unknown alerts subcommand "histroy"; did you mean history?');
    expectUserError(await env.rt.run(USER, 'matirx majors'), 'unknown command "matirx"; did you mean matrix?');
    expectUserError(await env.rt.run(USER, 'help forcast'), 'unknown command "forcast"; did you mean forecast? Try: help all');
    // one word that is neither a command nor a pair: said plainly, not "missing b"
    expectUserError(await env.rt.run(USER, 'xyzzy'), '"xyzzy" is not a command, and a correlation needs two symbols (corr BTC ETH). Try: help');
  });
});
