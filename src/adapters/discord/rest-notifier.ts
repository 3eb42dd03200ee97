import { Client } from 'discord.js';
import type { Notifier } from '../../alerts/notifier.js';
import type { Logger } from '../../log.js';
import { readDiscordEnv } from './env.js';
import { discordNotifier } from './notifier.js';
import { discordRest } from './rest.js';

export interface DiscordRestNotifier {
  notifier: Notifier;
  stop(): Promise<void>;
}

/**
 * The alert notifier without a gateway session: a discord.js client that never logs in to the gateway, with the bot
 * token set on its REST client, posting exactly what the bot's notifier posts (the same embeds, chart, buttons, nonce
 * and replies). For a replica that does not hold the Discord gateway (issue 13: one gateway session per bot across
 * replicas): it still delivers the alerts the outbox gives it. Throws, as the adapter does, on a bad env variable.
 */
export function discordRestNotifier(env: Record<string, string | undefined>, log: Logger, opts: { restTimeoutMs?: number; restRetries?: number } = {}): DiscordRestNotifier {
  const cfg = readDiscordEnv(env);
  const rest = discordRest({ apiUrl: cfg.apiUrl, timeoutMs: opts.restTimeoutMs, retries: opts.restRetries });
  const client = new Client({ intents: [], rest: rest.options, allowedMentions: { parse: [] }, failIfNotExists: false });
  client.rest.setToken(cfg.token);
  client.rest.on('rateLimited', (r) => log.warn('discord rate limit: waiting', { route: r.route, retryAfterMs: r.retryAfter, global: r.global }));
  return {
    notifier: discordNotifier(() => client, log, { allowUnknownGuild: true }),
    async stop() {
      await client.destroy();
      await rest.close();
    },
  };
}
