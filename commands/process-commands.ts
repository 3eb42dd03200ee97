import { moveAside } from '../src/store/move-aside.js';
import { sourceArg } from './common-args.js';
import type { CommandSpec } from './types.js';

/**
 * Commands that run the process itself (the CLI starts them; they are declared here so help and parsing come from
 * the same specs as every other command).
 */
export const startCommand: CommandSpec = {
  name: 'start',
  summary: 'run the watcher on its schedule, with Slack/Discord when their tokens are set, else the console',
  adminOnly: true,
  surfaces: ['cli'],
  args: [
    sourceArg,
    { name: 'schedule', type: 'text', description: 'cron expression for ticks (5 or 6 fields)', default: 'config schedule (auto: a minute after each bar closes)' },
    { name: 'speed', type: 'int', description: 'run the clock this many times faster (demos on sim sources)', default: '8640 for sim: with --schedule, else 1' },
    { name: 'no-console', type: 'word', flag: true, description: 'do not open the interactive console (print alerts only)' },
  ],
  examples: ['start', 'start --source sim:42 --schedule "*/5 * * * * *"'],
};

export const storeCommand: CommandSpec = {
  name: 'store',
  summary: 'maintenance of the data file',
  adminOnly: true,
  surfaces: ['cli'],
  args: [],
  examples: ['store move-aside'],
  subcommands: [
    {
      name: 'move-aside',
      summary: 'rename a corrupt or unreadable data file so corrwatch can start fresh (nothing is deleted)',
      adminOnly: true,
      surfaces: ['cli'],
      args: [],
      examples: ['store move-aside'],
      async handler(ctx) {
        const moved = await moveAside(ctx.config.dataDir);
        return moved
          ? { title: 'Data file moved aside', text: `The old file is now ${moved}. corrwatch will create a new one at the next start.`, data: { movedTo: moved } }
          : { title: 'Nothing to move', text: `There is no data file in ${ctx.config.dataDir}.`, data: { movedTo: null } };
      },
    },
  ],
};
