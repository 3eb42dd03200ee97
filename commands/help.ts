import { UserError } from '../src/domain/errors.js';
import { nearest } from '../src/domain/suggest.js';
import { commandHelpReply, overviewHelpReply } from './help-text.js';
import type { CommandSpec } from './types.js';
import { offeredOn } from './usage.js';

/** `help [COMMAND]`, generated from the specs; shows only what the caller may run. */
export function helpCommand(all: () => CommandSpec[]): CommandSpec {
  return {
    name: 'help',
    summary: 'list the commands, or explain one',
    adminOnly: false,
    args: [{ name: 'command', type: 'word', positional: true, description: 'a command to explain' }],
    examples: ['help', 'help corr'],
    async handler(ctx, args) {
      const commands = all().filter((c) => offeredOn(c, ctx.surface));
      const name = (args.command as string | undefined)?.toLowerCase().replace(/^\//, '');
      if (!name) return overviewHelpReply(commands, ctx.invocation.isAdmin, ctx.surface);
      const spec = commands.find((c) => c.name === name);
      if (!spec) {
        const guess = nearest(name, commands.map((c) => c.name));
        throw new UserError('unknown_command', `unknown command "${name}"${guess ? `; did you mean ${guess}?` : ''}`);
      }
      return commandHelpReply(spec, spec.name, ctx.invocation.isAdmin, ctx.surface);
    },
  };
}
