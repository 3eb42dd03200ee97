import { describe, expect, it } from 'vitest';
import { resolveCommand } from '../../../commands/dispatch.js';
import { commands } from '../../../commands/index.js';
import { parseArgs } from '../../../commands/parse.js';
import type { CommandSpec } from '../../../commands/types.js';
import { isDiscordAdmin } from '../../../src/adapters/discord/admin.js';
import { matchChoices } from '../../../src/adapters/discord/autocomplete.js';
import { discordCommandJson, DISCORD_LIMITS as L, readDiscordEnv } from '../../../src/adapters/discord/index.js';
import { optionsToTokens, resolveLeaf } from '../../../src/adapters/discord/options.js';

type Opt = { type: number; name: string; description: string; required?: boolean; autocomplete?: boolean; choices?: { name: string; value: string }[]; options?: Opt[] };
const json = discordCommandJson(commands) as unknown as (Opt & { default_member_permissions?: string; contexts?: number[] })[];
const byName = (name: string) => json.find((c) => c.name === name)!;

describe('discordCommandJson', () => {
  it('offers the chat commands only (no CLI-only command)', () => {
    expect(json.map((c) => c.name)).toEqual(['corr', 'matrix', 'regime', 'forecast', 'compare', 'basket', 'alerts', 'export', 'audit', 'help']);
    for (const c of json) expect(c.contexts).toEqual([0]);
  });

  it('/corr: a and b required with symbol autocomplete, window, method with choices, no CLI-only option', () => {
    const corr = byName('corr');
    expect(corr.options!.map((o) => [o.name, o.type, o.required ?? false])).toEqual([
      ['a', 3, true],
      ['b', 3, true],
      ['window', 3, false],
      ['method', 3, false],
      ['at', 3, false],
      ['timeframe', 3, false],
      ['calendar', 3, false],
    ]);
    expect(corr.options![0].autocomplete).toBe(true);
    expect(corr.options!.find((o) => o.name === 'calendar')!.choices!.map((c) => c.value)).toEqual(['continuous', 'weekdays', 'data']);
    expect(corr.options![3].choices).toEqual([
      { name: 'pearson', value: 'pearson' },
      { name: 'spearman', value: 'spearman' },
    ]);
    expect(corr.options!.find((o) => o.name === 'at')!.description).not.toContain('--');
  });

  it('/basket and /alerts: subcommands, admin ones marked, lists as one string option', () => {
    const basket = byName('basket');
    expect(basket.options!.map((o) => [o.name, o.type])).toEqual(['list', 'show', 'create', 'add', 'remove', 'delete', 'set'].map((n) => [n, 1]));
    const create = basket.options!.find((o) => o.name === 'create')!;
    expect(create.description).toMatch(/\(admins\)$/);
    expect(create.options!.find((o) => o.name === 'symbols')).toMatchObject({ type: 3, required: true, autocomplete: true });
    expect(create.options!.find((o) => o.name === 'symbols')!.description).toContain('separate with spaces or commas');
    expect(basket.options!.find((o) => o.name === 'list')!.description).not.toContain('(admins)');
    expect(byName('alerts').options!.map((o) => o.name)).toEqual(['subscribe', 'unsubscribe', 'snooze', 'unsnooze', 'ack', 'status', 'history', 'outbox']);
    expect(byName('alerts').options!.find((o) => o.name === 'history')!.options!.find((o) => o.name === 'limit')!.type).toBe(4);
    // Mixed commands are visible to everyone; the server checks each admin subcommand.
    expect(basket.default_member_permissions).toBeUndefined();
  });

  it('puts Manage Server on commands that are admin-only as a whole', () => {
    const leaf = (name: string, adminOnly: boolean): CommandSpec => ({ name, summary: name, adminOnly, args: [], examples: [] });
    const out = discordCommandJson([leaf('purge', true), { ...leaf('ops', false), subcommands: [leaf('a', true), leaf('b', true)] }, { ...leaf('mixed', false), subcommands: [leaf('a', true), leaf('b', false)] }]);
    expect(out.map((c) => c.default_member_permissions)).toEqual(['32', '32', undefined]);
  });

  it('stays within Discord limits, required options first', () => {
    const check = (o: Opt) => {
      expect(o.name).toMatch(/^[-_a-z0-9]{1,32}$/);
      expect(o.description.length).toBeGreaterThan(0);
      expect(o.description.length).toBeLessThanOrEqual(L.commandDescription);
      expect((o.options ?? []).length).toBeLessThanOrEqual(L.options);
      expect((o.choices ?? []).length).toBeLessThanOrEqual(L.optionChoices);
      const req = (o.options ?? []).map((x) => Boolean(x.required));
      expect(req).toEqual([...req].sort((a, b) => Number(b) - Number(a)));
      for (const x of o.options ?? []) check(x);
    };
    json.forEach(check);
  });

  it('refuses names Discord would reject', () => {
    expect(() => discordCommandJson([{ name: 'Corr', summary: 's', adminOnly: false, args: [], examples: [] }])).toThrow(/not a valid Discord/);
  });
});

describe('options to tokens', () => {
  const parse = (tokens: string[]) => {
    const r = resolveCommand(commands, tokens, 'chat');
    return { command: r.fullName, args: parseArgs(r.spec, r.rest, 'chat') };
  };

  it('turns an interaction back into the command line the parser takes', () => {
    const tokens = optionsToTokens('corr', [
      { name: 'a', type: 3, value: 'btc' },
      { name: 'b', type: 3, value: 'ETH' },
      { name: 'method', type: 3, value: 'spearman' },
    ]);
    expect(tokens).toEqual(['corr', '--a', 'btc', '--b', 'ETH', '--method', 'spearman']);
    expect(parse(tokens).args).toMatchObject({ a: 'BTC', b: 'ETH', method: 'spearman' });
  });

  it('subcommands, lists split on spaces and commas, integers and negative values', () => {
    const create = optionsToTokens('basket', [{ name: 'create', type: 1, options: [{ name: 'name', type: 3, value: 'l1s' }, { name: 'symbols', type: 3, value: 'sol, AVAX  ada' }] }]);
    expect(parse(create)).toMatchObject({ command: 'basket create', args: { name: 'l1s', symbols: ['SOL', 'AVAX', 'ADA'] } });
    const history = optionsToTokens('alerts', [{ name: 'history', type: 1, options: [{ name: 'basket', type: 3, value: 'majors' }, { name: 'limit', type: 4, value: 5 }] }]);
    expect(parse(history).args).toMatchObject({ basket: 'majors', limit: 5 });
    const set = optionsToTokens('basket', [{ name: 'set', type: 1, options: [{ name: 'name', type: 3, value: 'majors' }, { name: 'key', type: 3, value: 'decouplez' }, { name: 'value', type: 3, value: '-2' }] }]);
    expect(parse(set).args).toMatchObject({ key: 'decouplez', value: '-2' });
    expect(optionsToTokens('x', [{ name: 'on', type: 5, value: true }, { name: 'off', type: 5, value: false }])).toEqual(['x', '--on']);
  });

  it('every generated option is an arg the parser knows for that command', () => {
    for (const c of json) {
      const leaves = c.options?.every((o) => o.type === 1) && c.options.length ? c.options.map((o) => [c.name, o.name, o.options ?? []] as const) : [[c.name, null, c.options ?? []] as const];
      for (const [name, subName, opts] of leaves) {
        const leaf = resolveLeaf(commands, name, subName)!;
        for (const o of opts) expect(leaf.spec.args.some((a) => a.name === o.name && !a.cliOnly)).toBe(true);
      }
    }
  });
});

describe('autocomplete matching', () => {
  it('prefix, case-insensitive, exact match first, at most 25', () => {
    expect(matchChoices(['ETHW', 'ETH', 'BTC', 'ETC'], 'eth').map((c) => c.value)).toEqual(['ETH', 'ETHW']);
    expect(matchChoices(Array.from({ length: 100 }, (_, i) => `S${i}`), '')).toHaveLength(25);
  });

  it('completes the last word of a list, without repeating listed ones', () => {
    expect(matchChoices(['BTC', 'ETH', 'SOL'], 'btc ', true).map((c) => c.value)).toEqual(['btc ETH', 'btc SOL']);
    expect(matchChoices(['BTC', 'ETH', 'SOL'], 'BTC,E', true).map((c) => c.value)).toEqual(['BTC,ETH']);
    expect(matchChoices(['BTC'], 'x'.repeat(99) + ' ', true)).toEqual([]);
  });
});

describe('admins', () => {
  const admins = { roles: ['Corr Admin', '555'], users: ['42'] };
  const who = (over: Partial<Parameters<typeof isDiscordAdmin>[0]>) => ({ userId: '1', roleIds: [], roleNames: [], canManageGuild: false, ...over });
  it('Manage Server, a listed role (id or name) or a listed user', () => {
    expect(isDiscordAdmin(who({}), admins)).toBe(false);
    expect(isDiscordAdmin(who({ canManageGuild: true }), admins)).toBe(true);
    expect(isDiscordAdmin(who({ roleNames: ['corr admin'] }), admins)).toBe(true);
    expect(isDiscordAdmin(who({ roleIds: ['555'] }), admins)).toBe(true);
    expect(isDiscordAdmin(who({ userId: '42' }), admins)).toBe(true);
    expect(isDiscordAdmin(who({ roleIds: ['556'], roleNames: ['trader'] }), admins)).toBe(false);
  });
});

describe('readDiscordEnv', () => {
  const ok = { DISCORD_TOKEN: 'abc.def.ghi', DISCORD_APPLICATION_ID: '123456789012345678' };
  it('names the missing or malformed variable', () => {
    expect(() => readDiscordEnv({})).toThrow(/^DISCORD_TOKEN is not set/);
    expect(() => readDiscordEnv({ DISCORD_TOKEN: 'x' })).toThrow(/^DISCORD_APPLICATION_ID is not set/);
    expect(() => readDiscordEnv({ ...ok, DISCORD_APPLICATION_ID: 'my-app' })).toThrow(/DISCORD_APPLICATION_ID must be a numeric id/);
    expect(() => readDiscordEnv({ ...ok, DISCORD_GUILD_ID: 'guild' })).toThrow(/DISCORD_GUILD_ID/);
    expect(() => readDiscordEnv({ ...ok, DISCORD_API_URL: 'ftp://x' })).toThrow(/DISCORD_API_URL/);
  });
  it('reads the optional ones and accepts a pasted "Bot <token>"', () => {
    expect(readDiscordEnv({ ...ok, DISCORD_TOKEN: 'Bot abc.def.ghi', DISCORD_GUILD_ID: '223456789012345678', DISCORD_API_URL: 'http://127.0.0.1:9/api/v10/' })).toEqual({
      token: 'abc.def.ghi',
      applicationId: '123456789012345678',
      guildId: '223456789012345678',
      apiUrl: 'http://127.0.0.1:9/api',
    });
  });
});
