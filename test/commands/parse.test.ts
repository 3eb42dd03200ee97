import { describe, expect, it } from 'vitest';
import { parseArgs, tokenize } from '../../commands/parse.js';
import { resolveCommand } from '../../commands/dispatch.js';
import type { CommandSpec } from '../../commands/types.js';
import { UserError } from '../../src/domain/errors.js';
import { corrCommand } from '../../commands/corr.js';
import { matrixCommand } from '../../commands/matrix.js';
import { commands } from '../../commands/index.js';
import { editDistance } from '../../src/domain/suggest.js';

function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('tokenize', () => {
  it('splits on whitespace and groups quotes', () => {
    expect(tokenize('  corr  BTC   ETH ')).toEqual(['corr', 'BTC', 'ETH']);
    expect(tokenize('start --schedule "*/5 * * * * *"')).toEqual(['start', '--schedule', '*/5 * * * * *']);
    expect(tokenize("a 'b c' \"\"")).toEqual(['a', 'b c', '']);
  });
  it('refuses unbalanced quotes', () => {
    expect(userError(() => tokenize('corr "BTC ETH'))).toMatch(/unbalanced quote/);
  });
});

describe('parseArgs against the corr spec', () => {
  it('takes required positionals in order and upper-cases symbols', () => {
    expect(parseArgs(corrCommand, ['btc', 'eth'], 'chat')).toMatchObject({ a: 'BTC', b: 'ETH', method: 'pearson' });
  });
  it('matches optional positionals by type: a method where the window could be', () => {
    expect(parseArgs(corrCommand, ['BTC', 'ETH', 'spearman'], 'chat')).toMatchObject({ method: 'spearman' });
    expect(parseArgs(corrCommand, ['BTC', 'ETH', '30d', 'spearman'], 'chat')).toMatchObject({ window: '30d', method: 'spearman' });
    expect(parseArgs(corrCommand, ['BTC', 'ETH', '168'], 'chat')).toMatchObject({ window: '168' });
  });
  it('accepts named options in --name value, --name=value and name:value forms', () => {
    expect(parseArgs(corrCommand, ['BTC', 'ETH', '--window', '60', '--method=spearman'], 'cli')).toMatchObject({ window: '60', method: 'spearman' });
    expect(parseArgs(corrCommand, ['BTC', 'ETH', 'window:60'], 'chat')).toMatchObject({ window: '60' });
    expect(parseArgs(corrCommand, ['BTC', 'ETH', '--at', '2023-06-30'], 'cli').at).toBe(Date.UTC(2023, 5, 30));
  });
  it('explains a bad value and shows the usage', () => {
    const msg = userError(() => parseArgs(corrCommand, ['BTC', 'ETH', 'sevendays'], 'chat'));
    expect(msg).toContain('window or method: "sevendays" is neither a window (a bar count like 168, a duration like 7d, or "all") nor a method (pearson | spearman)');
    expect(userError(() => parseArgs(corrCommand, ['BTC', 'ETH', 'kendall'], 'chat'))).toMatch(/^window or method: "kendall" is neither a window .* nor a method \(pearson \| spearman\)/);
    // a value only a window could be: the window is named alone
    expect(userError(() => parseArgs(corrCommand, ['BTC', 'ETH', '7x'], 'chat'))).toMatch(/^window: expected a bar count like 168, a duration like 7d, or "all", got "7x"/);
    expect(msg).toContain('usage: corr A B [WINDOW] [METHOD]');
  });
  it('names a missing argument', () => {
    expect(userError(() => parseArgs(corrCommand, ['BTC'], 'chat'))).toMatch(/^missing b: a symbol like BTC or ETH\/BTC/);
  });
  it('refuses unknown options, listing the known ones, and extra tokens', () => {
    expect(userError(() => parseArgs(corrCommand, ['BTC', 'ETH', '--windw', '5'], 'cli'))).toMatch(/unknown option "--windw" \(options: .*--window/);
    expect(userError(() => parseArgs(corrCommand, ['BTC', 'ETH', '30d', 'pearson', 'extra'], 'chat'))).toMatch(/unexpected "extra"/);
  });
  it('does not offer CLI-only options in chat', () => {
    expect(userError(() => parseArgs(corrCommand, ['BTC', 'ETH', '--source', 'csv:/etc/passwd'], 'chat'))).toMatch(/unknown option "--source"/);
    expect(parseArgs(corrCommand, ['BTC', 'ETH', '--source', 'sim:1', '--json'], 'cli')).toMatchObject({ source: 'sim:1', json: true });
  });
  it('collects variadic positionals', () => {
    expect(parseArgs(matrixCommand, ['BTC', 'eth', 'SOL'], 'chat').targets).toEqual(['BTC', 'eth', 'SOL']);
  });
  it('a flag takes no value', () => {
    expect(userError(() => parseArgs(corrCommand, ['BTC', 'ETH', '--json=yes'], 'cli'))).toMatch(/--json takes no value/);
  });
});

describe('resolveCommand', () => {
  const names = (t: string) => {
    const r = resolveCommand(commands, tokenize(t), 'chat');
    return [r.fullName, r.rest.join(' ')];
  };
  it('reads /corr BTC ETH as the pair query, exactly as typed', () => {
    expect(names('/corr BTC ETH')).toEqual(['corr', 'BTC ETH']);
    expect(names('BTC ETH')).toEqual(['corr', 'BTC ETH']);
    expect(names('corr BTC ETH 30d')).toEqual(['corr', 'BTC ETH 30d']);
  });
  it('drops the /corr prefix before another command name', () => {
    expect(names('/corr matrix majors')).toEqual(['matrix', 'majors']);
    expect(names('/matrix majors')).toEqual(['matrix', 'majors']);
    expect(names('/corr help')).toEqual(['help', '']);
  });
  it('suggests the nearest command for a typo', () => {
    expect(userError(() => resolveCommand(commands, ['matrx', 'majors'], 'chat'))).toMatch(/unknown command "matrx"; did you mean matrix\?/);
    // on the command line the same suggestions, with the CLI's way to the list
    expect(userError(() => resolveCommand(commands, ['matrx', 'majors'], 'cli'))).toBe('unknown command "matrx"; did you mean matrix? Try: corrwatch help');
    expect(userError(() => resolveCommand(commands, ['hepl'], 'cli'))).toBe('unknown command "hepl"; did you mean help? Try: corrwatch help');
    expect(userError(() => resolveCommand(commands, ['basket', 'lsit'], 'cli'))).toMatch(/^unknown basket subcommand "lsit"; did you mean list\?/);
    expect(userError(() => resolveCommand(commands, ['backtset', '--basket', 'majors'], 'cli'))).toMatch(/did you mean backtest\?/);
    expect(userError(() => resolveCommand(commands, ['xyzzy'], 'cli'))).toBe('"xyzzy" is not a command, and a correlation needs two symbols (corrwatch corr BTC ETH). Try: corrwatch help');
  });
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('lsit', 'list')).toBe(1);
    expect(editDistance('hepl', 'help')).toBe(1);
    expect(editDistance('matrx', 'matrix')).toBe(1);
    expect(editDistance('abc', 'cab')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('Kitten', 'sitting')).toBe(3);
  });
  it('on the command line a lower-case word is a command, never symbols (`corrwatch cache clear`, issue 11)', () => {
    expect(userError(() => resolveCommand(commands, ['cache', 'clear'], 'cli'))).toMatch(/^unknown command "cache". Try: corrwatch help. For a pair of symbols write them in capitals \(corrwatch CACHE CLEAR\) or after corr \(corrwatch corr cache clear\)$/);
    // `db migrate` (issue 13) is a command now, not a query of DB against MIGRATE.
    expect(resolveCommand(commands, ['db', 'migrate'], 'cli')).toMatchObject({ fullName: 'db migrate' });
    expect(resolveCommand(commands, ['BTC', 'ETH'], 'cli')).toMatchObject({ fullName: 'corr', rest: ['BTC', 'ETH'] });
    expect(resolveCommand(commands, ['corr', 'btc', 'eth'], 'cli')).toMatchObject({ fullName: 'corr', rest: ['btc', 'eth'] });
    // in chat the words after /corr are a query whatever their case
    expect(resolveCommand(commands, ['btc', 'eth'], 'chat')).toMatchObject({ fullName: 'corr', rest: ['btc', 'eth'] });
  });
  it('an empty line is help', () => {
    expect(resolveCommand(commands, [], 'chat').fullName).toBe('help');
  });
  it('does not offer CLI-only commands in chat', () => {
    expect(userError(() => resolveCommand(commands, ['backtest', '--basket', 'majors'], 'chat'))).toMatch(/backtest is only available on the command line/);
    expect(resolveCommand(commands, ['backtest', '--basket', 'majors'], 'cli').fullName).toBe('backtest');
  });
  it('routes subcommands and suggests for unknown ones', () => {
    const spec: CommandSpec = {
      name: 'basket',
      summary: '',
      adminOnly: false,
      args: [],
      examples: [],
      subcommands: [{ name: 'list', summary: '', adminOnly: false, args: [], examples: [] }, { name: 'add', summary: '', adminOnly: true, args: [], examples: [] }],
    };
    expect(resolveCommand([spec], ['basket', 'add', 'x'], 'chat')).toMatchObject({ fullName: 'basket add', rest: ['x'] });
    expect(userError(() => resolveCommand([spec], ['basket', 'lst'], 'chat'))).toMatch(/unknown basket subcommand "lst"; did you mean list\?/);
  });
});
