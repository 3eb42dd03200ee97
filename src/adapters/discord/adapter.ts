import { Client, Events, GatewayIntentBits } from 'discord.js';
import { commands as allCommands } from '../../../commands/index.js';
import type { CommandSpec } from '../../../commands/types.js';
import type { Notifier } from '../../alerts/notifier.js';
import type { ChatRuntime } from '../../domain/chat-runtime.js';
import { AutocompleteCache, type AutocompleteCacheOptions } from './autocomplete.js';
import { readDiscordEnv } from './env.js';
import { classifyDiscordError } from './errors.js';
import { handleInteraction, type InteractionDeps } from './interactions.js';
import { discordNotifier } from './notifier.js';
import { discordRest, type DiscordRest, type DiscordRestSettings } from './rest.js';

export interface DiscordAdapterOptions extends AutocompleteCacheOptions {
  /** Per-request REST timeout (default 10 s) and retries of 5xx/network errors (default 1). */
  restTimeoutMs?: number;
  restRetries?: number;
  /** How long one connection attempt waits for the gateway to be ready (default 30 s). */
  readyTimeoutMs?: number;
  /** First wait before connecting again when Discord is unreachable at start (default 5 s, doubling to 5 min). */
  reconnectMs?: number;
  /** How long start waits for the first symbol list (autocomplete) before going on without it (default 2 s). */
  warmupMs?: number;
  /** Only for the undici conflict test; see DiscordRestSettings.dispatcher. */
  dispatcher?: DiscordRestSettings['dispatcher'];
  /** The command specs (default: commands/index.ts). */
  commands?: CommandSpec[];
}

export interface DiscordAdapter {
  notifier: Notifier;
  stop(): Promise<void>;
}

const MAX_RECONNECT_MS = 5 * 60_000;

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Errors that waiting cannot fix: start fails with a message saying what to change. */
function fatalLoginError(e: unknown): Error | undefined {
  const code = (e as { code?: string }).code;
  if (code === 'TokenInvalid') return new Error('Discord rejected DISCORD_TOKEN (401 Unauthorized): check the bot token in the Developer Portal');
  if (code === 'DisallowedIntents' || code === 'InvalidIntents') return new Error('Discord refused the gateway intents; corrwatch only asks for Guilds');
  return undefined;
}

/** One connection attempt: a new client, logged in and ready (guilds received), or destroyed and thrown. */
async function connect(token: string, rest: DiscordRest, deps: InteractionDeps, opts: DiscordAdapterOptions, isStopped: () => boolean): Promise<Client> {
  const log = deps.runtime.log;
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: rest.options, allowedMentions: { parse: [] }, failIfNotExists: false });
  client.on(Events.InteractionCreate, (i) => void handleInteraction(i, deps));
  client.on(Events.Error, (e) => log.error('discord client error', { error: e.message }));
  client.on(Events.Warn, (m) => log.warn('discord warning', { message: m }));
  client.on(Events.ShardDisconnect, (ev) => isStopped() || log.warn('discord gateway disconnected', { code: ev.code }));
  client.on(Events.ShardReconnecting, () => isStopped() || log.info('discord gateway reconnecting'));
  client.on(Events.ShardResume, (_id, replayed) => log.info('discord gateway session resumed', { replayed }));
  client.rest.on('rateLimited', (r) => log.warn('discord rate limit: waiting', { route: r.route, retryAfterMs: r.retryAfter, global: r.global }));
  // An unexpected 429 is waited out by @discordjs/rest (its Retry-After) without an event of its own. Only the
  // route is logged: the request options hold the Authorization header.
  client.rest.on('response', (req, res) => {
    if (res.status === 429) log.warn('discord answered 429: retrying after Retry-After', { route: req.route, retryAfterSec: res.headers.get('retry-after'), scope: res.headers.get('x-ratelimit-scope') });
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(token);
    await bounded(ready, opts.readyTimeoutMs ?? 30_000, 'the Discord gateway did not become ready in time');
    return client;
  } catch (e) {
    await client.destroy();
    throw e;
  }
}

/**
 * Start the Discord bot: connect to the gateway (intent Guilds only: slash commands, autocomplete and buttons
 * arrive as interactions and need no message or member intents), answer interactions, and return the notifier
 * that posts alerts. discord.js resumes a lost gateway session by itself. Alerts go over REST and stay pending
 * in the outbox while Discord is unreachable (the notifier says a retry may help); when Discord cannot be
 * reached at start, the adapter keeps trying in the background instead of stopping the watcher and Slack.
 * Throws a clear error for a missing or malformed env variable and for a token Discord rejects.
 */
export async function startDiscordAdapter(
  runtime: ChatRuntime,
  env: Record<string, string | undefined>,
  opts: DiscordAdapterOptions = {},
): Promise<DiscordAdapter> {
  const cfg = readDiscordEnv(env);
  const log = runtime.log;
  const rest = discordRest({ apiUrl: cfg.apiUrl, timeoutMs: opts.restTimeoutMs, retries: opts.restRetries, dispatcher: opts.dispatcher });
  const cache = new AutocompleteCache(runtime, opts);
  const deps: InteractionDeps = { runtime, commands: opts.commands ?? allCommands, cache };
  let client: Client | undefined;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  const isStopped = () => stopped;

  const connected = (c: Client) => {
    client = c;
    if (c.application?.id && c.application.id !== cfg.applicationId) {
      log.warn('DISCORD_APPLICATION_ID does not match the application of DISCORD_TOKEN', { tokenApplication: c.application.id, envApplication: cfg.applicationId });
    }
    log.info('discord connected', { user: c.user?.tag, guilds: c.guilds.cache.size });
  };

  const reconnect = async (waitMs: number) => {
    if (stopped) return;
    try {
      const c = await connect(cfg.token, rest, deps, opts, isStopped);
      if (stopped) await c.destroy();
      else connected(c);
    } catch (e) {
      const fatal = fatalLoginError(e);
      if (fatal) return log.error('discord stays off', { error: fatal.message });
      log.warn('discord still unreachable; trying again later', { error: classifyDiscordError(e).message, retryInMs: Math.min(waitMs * 2, MAX_RECONNECT_MS) });
      retryLater(Math.min(waitMs * 2, MAX_RECONNECT_MS));
    }
  };
  const retryLater = (waitMs: number) => {
    // A timer cannot await: whatever the attempt throws past its own handling is logged, not left unhandled.
    retryTimer = setTimeout(() => {
      reconnect(waitMs).catch((e: unknown) => log.error('discord reconnect failed', { error: e }));
    }, waitMs);
    retryTimer.unref();
  };

  const warm = cache.start();
  try {
    connected(await connect(cfg.token, rest, deps, opts, isStopped));
  } catch (e) {
    const fatal = fatalLoginError(e);
    if (fatal) {
      cache.stop();
      await rest.close();
      throw fatal;
    }
    log.warn('discord unreachable at start; alerts stay pending and commands wait until it connects', { error: classifyDiscordError(e).message });
    retryLater(opts.reconnectMs ?? 5_000);
  }
  await bounded(warm, opts.warmupMs ?? 2_000, 'slow').catch(() => log.warn('symbol list not loaded yet; autocomplete fills in when it is'));

  return {
    notifier: discordNotifier(() => client, log),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(retryTimer);
      cache.stop();
      await client?.destroy();
      client = undefined;
      await rest.close();
    },
  };
}
