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
    { name: 'speed', type: 'int', description: 'run the clock this many times faster (demos on sim sources)', default: '34560 for sim: with --schedule (two days of 1h bars every 5 s), else 1' },
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

export const slackManifestCommand: CommandSpec = {
  name: 'slack-manifest',
  summary: 'print a Slack app manifest (YAML) for /corr, generated from the command specs',
  adminOnly: true,
  surfaces: ['cli'],
  args: [
    { name: 'url', type: 'word', positional: true, required: true, description: 'public https base URL of this corrwatch (request URLs are <url>/slack/events)' },
    { name: 'socket-mode', type: 'word', flag: true, description: 'Socket Mode (no public URL; needs SLACK_APP_TOKEN at start)' },
  ],
  examples: ['slack-manifest https://corrwatch.example.com'],
};

export const discordRegisterCommand: CommandSpec = {
  name: 'discord-register',
  summary: 'register the slash commands with Discord (globally, or to DISCORD_GUILD_ID)',
  adminOnly: true,
  surfaces: ['cli'],
  args: [],
  examples: ['discord-register'],
};

export const consoleCommand: CommandSpec = {
  name: 'console',
  summary: 'an interactive console: type /corr BTC ETH or corr BTC ETH; charts are saved as PNG files',
  adminOnly: true,
  surfaces: ['cli'],
  args: [sourceArg],
  examples: ['console', 'console --source sim:42'],
};
