import { stringify } from 'yaml';
import { commands as allCommands } from '../../../commands/index.js';
import type { CommandSpec } from '../../../commands/types.js';
import { offeredOn, usageLine } from '../../../commands/usage.js';

/** The slash command every corrwatch command is served under. */
export const SLASH_COMMAND = '/corr';

/** Where Bolt's HTTP receiver listens for commands, button clicks and events. */
export const EVENTS_PATH = '/slack/events';

/**
 * Bot scopes, no more than the adapter uses:
 * - `commands`: the /corr slash command (answers go through its response_url, which needs no scope);
 * - `chat:write`: alerts (chat.postMessage, threaded replies) and the Acknowledge/Snooze update (chat.update);
 * - `files:write`: charts (uploaded privately, shown inside messages) and CSV exports (files.getUploadURLExternal +
 *   files.completeUploadExternal);
 * - `im:write`: an export asked for privately goes to the caller's direct messages (conversations.open);
 * - `channels:history`, `groups:history`: after a restart that lost the confirmation of a post, look for the alert's
 *   own metadata among the channel's recent messages (conversations.history/replies) before posting it again.
 * Not needed: `chat:write.public` (the bot posts only where it was invited, which file uploads need anyway),
 * `users:read` (admins are user ids from the config), any `*:read` scope.
 */
export const BOT_SCOPES = ['commands', 'chat:write', 'files:write', 'im:write', 'channels:history', 'groups:history'] as const;

/** Events that need no scope; logged so an operator learns why Slack calls start failing. */
export const BOT_EVENTS = ['app_uninstalled', 'tokens_revoked'] as const;

/** `A B [WINDOW] [METHOD] | matrix [TARGETS...] | ...`: positional arguments only, from the specs. */
export function usageHint(commands: CommandSpec[] = allCommands): string {
  const parts: string[] = [];
  for (const c of commands.filter((x) => offeredOn(x, 'chat'))) {
    if (c.subcommands) {
      parts.push(`${c.name} ${c.subcommands.filter((s) => offeredOn(s, 'chat')).map((s) => s.name).join('|')}`);
      continue;
    }
    const positional = usageLine({ ...c, args: c.args.filter((a) => a.positional) }, 'chat');
    parts.push(c.name === 'corr' ? positional.slice('corr '.length) : positional);
  }
  return parts.join(' · ').slice(0, 1000);
}

function requestBase(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`slack-manifest needs the public base URL of this server, like https://corrwatch.example.com; got "${baseUrl}"`);
  }
  if (url.protocol !== 'https:') throw new Error(`Slack only calls https:// request URLs; got ${url.protocol}//${url.host}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The Slack app manifest (YAML) for corrwatch, generated from the command specs: the /corr command with its usage
 * hint, interactivity (buttons) and event URLs under `baseUrl` (HTTP mode), and the bot scopes it needs. With
 * `socketMode`, no URL is needed and the base URL is ignored.
 */
export function slackManifest(baseUrl: string, opts: { socketMode?: boolean; commands?: CommandSpec[] } = {}): string {
  const specs = (opts.commands ?? allCommands).filter((c) => offeredOn(c, 'chat'));
  const url = opts.socketMode ? undefined : requestBase(baseUrl) + EVENTS_PATH;
  const manifest = {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: 'corrwatch',
      description: 'Correlation-regime monitor for crypto baskets: queries and alerts.',
      background_color: '#1d2b3a',
    },
    features: {
      bot_user: { display_name: 'corrwatch', always_online: true },
      slash_commands: [
        {
          command: SLASH_COMMAND,
          ...(url ? { url } : {}),
          description: `Correlations of crypto baskets: ${specs.map((c) => c.name).join(', ')}`.slice(0, 2000),
          usage_hint: usageHint(specs),
          // Slack then sends channels as <#C123|name>: `alerts subscribe majors #channel` gets the channel id.
          should_escape: true,
        },
      ],
    },
    oauth_config: { scopes: { bot: [...BOT_SCOPES] } },
    settings: {
      event_subscriptions: { ...(url ? { request_url: url } : {}), bot_events: [...BOT_EVENTS] },
      interactivity: { is_enabled: true, ...(url ? { request_url: url } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: Boolean(opts.socketMode),
      token_rotation_enabled: false,
    },
  };
  return stringify(manifest, { lineWidth: 0 });
}
