import { UserError } from '../src/domain/errors.js';
import { nearest } from '../src/domain/suggest.js';
import { commandHelpReply, overviewHelpReply, teachingHelpReply } from './help-text.js';
import { listBaskets } from './basket-lookup.js';
import type { CommandSpec } from './types.js';
import { offeredOn } from './usage.js';

/**
 * `help [COMMAND | all]`, generated from the specs; shows only what the caller may run. In chat a bare `help` teaches
 * (three commands with an example each, the baskets there are); `help all` is the full list, which the CLI and the
 * console show at once.
 */
export function helpCommand(all: () => CommandSpec[]): CommandSpec {
  return {
    name: 'help',
    summary: 'list the commands, or explain one',
    adminOnly: false,
    args: [{ name: 'command', type: 'word', positional: true, description: 'a command to explain, or all for the full list' }],
    examples: ['help', 'help all', 'help corr'],
    async handler(ctx, args) {
      const commands = all().filter((c) => offeredOn(c, ctx.surface));
      const name = (args.command as string | undefined)?.toLowerCase().replace(/^\//, '');
      // The console (a terminal, like the CLI) lists everything at once; Slack and Discord teach first.
      const teach = ctx.surface === 'chat' && ctx.invocation.platform !== 'console';
      if (name === 'all' || (!name && !teach)) return overviewHelpReply(commands, ctx.invocation.isAdmin, ctx.surface);
      if (!name) return teachingHelpReply(commands, (await listBaskets(ctx)).map((b) => b.name), ctx.invocation.isAdmin);
      const spec = commands.find((c) => c.name === name);
      if (!spec) {
        const guess = nearest(name, commands.map((c) => c.name));
        throw new UserError('unknown_command', `unknown command "${name}"${guess ? `; did you mean ${guess}?` : ''} Try: help all`);
      }
      return commandHelpReply(spec, spec.name, ctx.invocation.isAdmin, ctx.surface);
    },
  };
}
