import type { Reply } from '../src/domain/reply.js';
import { TYPE_HINT } from './parse.js';
import type { CommandSpec, Surface } from './types.js';
import { offeredOn, usageLine } from './usage.js';

function visibleTo(spec: CommandSpec, isAdmin: boolean, surface: Surface): boolean {
  if (!offeredOn(spec, surface)) return false;
  if (spec.subcommands) return spec.subcommands.some((s) => visibleTo(s, isAdmin, surface));
  return isAdmin || !spec.adminOnly;
}

/** Lines `usage — summary` for a command or each of its subcommands the caller may run. */
export function commandLines(spec: CommandSpec, isAdmin: boolean, surface: Surface): string[] {
  if (!spec.subcommands) return [`${usageLine(spec, surface)} — ${spec.summary}`];
  return spec.subcommands
    .filter((s) => visibleTo(s, isAdmin, surface))
    .map((s) => `${usageLine(s, surface, spec.name + ' ')} — ${s.summary}${s.adminOnly ? ' (admin)' : ''}`);
}

/** Help for one command: usage, each argument with what it takes and its default, examples. */
export function commandHelpReply(spec: CommandSpec, fullName: string, isAdmin: boolean, surface: Surface): Reply {
  const lines: string[] = [];
  if (spec.subcommands) {
    lines.push(...commandLines(spec, isAdmin, surface));
  } else {
    lines.push(`usage: ${usageLine({ ...spec, name: fullName }, surface)}`);
    const args = spec.args.filter((a) => surface === 'cli' || !a.cliOnly);
    if (args.length) lines.push('', 'arguments:');
    for (const a of args) {
      const label = a.positional ? a.name.toUpperCase() : surface === 'cli' ? `--${a.name}` : `${a.name}:`;
      const what = a.flag ? '' : ` (${a.choices ? a.choices.join(' | ') : TYPE_HINT[a.type]})`;
      const def = a.default !== undefined ? ` [default: ${a.default}]` : a.required ? ' [required]' : '';
      lines.push(`  ${label.padEnd(14)} ${a.description}${what}${def}`);
    }
    if (spec.adminOnly) lines.push('', 'admins only');
  }
  // Only examples the caller may run (a non-admin is not shown `basket create ...`).
  const examples = spec.examples.filter((e) => {
    const sub = spec.subcommands?.find((s) => s.name === e.split(/\s+/)[1]);
    return !sub || visibleTo(sub, isAdmin, surface);
  });
  if (examples.length) lines.push('', 'examples:', ...examples.map((e) => `  ${e}`));
  return { title: `help: ${fullName}`, text: lines.join('\n'), ephemeral: true, severity: 'info' };
}

/** The command list, showing only what this caller may run. */
export function overviewHelpReply(commands: CommandSpec[], isAdmin: boolean, surface: Surface): Reply {
  const lines = commands.filter((c) => visibleTo(c, isAdmin, surface)).flatMap((c) => commandLines(c, isAdmin, surface));
  lines.push('', surface === 'cli' ? 'corrwatch <command> --help for details.' : 'help <command> for details.');
  return { title: 'corrwatch commands', text: lines.join('\n'), ephemeral: true, severity: 'info' };
}

/** The commands a newcomer is shown first in chat, each with one example (`{basket}`: a basket that exists). */
const FIRST_COMMANDS: { name: string; short: string; example: string; withoutBasket: string }[] = [
  { name: 'corr', short: 'corr A B [WINDOW]', example: 'corr BTC ETH 30d', withoutBasket: 'corr BTC ETH 30d' },
  { name: 'regime', short: 'regime [BASKET]', example: 'regime {basket}', withoutBasket: 'regime' },
  { name: 'matrix', short: 'matrix BASKET | SYMBOLS...', example: 'matrix {basket}', withoutBasket: 'matrix BTC ETH SOL' },
];

/**
 * `/corr help` in chat: the three most useful commands with one example each, the baskets that exist, and how to
 * get the full list (`help all`) or one command's options (`help <command>`).
 */
export function teachingHelpReply(commands: CommandSpec[], basketNames: string[], isAdmin: boolean): Reply {
  const basket = basketNames[0];
  const lines = ['Start with these:'];
  for (const f of FIRST_COMMANDS) {
    const spec = commands.find((c) => c.name === f.name && visibleTo(c, isAdmin, 'chat'));
    if (!spec) continue;
    lines.push(`  ${f.short} — ${spec.summary}`, `      e.g. ${basket ? f.example.replace('{basket}', basket) : f.withoutBasket}`);
  }
  lines.push('', basketNames.length ? `Baskets: ${basketNames.join(', ')}` : 'No baskets yet' + (isAdmin ? ': basket create NAME SYMBOLS...' : ' (an admin creates them).'));
  lines.push('', 'help all for every command · help <command> for its options and examples');
  return { title: 'corrwatch: correlation regimes of crypto baskets', text: lines.join('\n'), ephemeral: true, severity: 'info' };
}
