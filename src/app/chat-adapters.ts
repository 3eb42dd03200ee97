import type { Logger } from '../log.js';
import type { ChatRuntime } from '../domain/chat-runtime.js';
import type { StartedAdapter } from './start.js';
import type { StoreChoice } from './store.js';

type Env = Record<string, string | undefined>;

/** Chat platforms whose token is set in the environment. */
export function chatTokensIn(env: Env): string[] {
  return [env.SLACK_BOT_TOKEN ? 'Slack' : '', env.DISCORD_TOKEN ? 'Discord' : ''].filter(Boolean);
}

/**
 * Start the chat adapters whose tokens are set. Each SDK is loaded only when its platform is used, so a
 * console-only run never loads Bolt or discord.js. If one fails to start, those already started are stopped.
 * With the store in PostgreSQL (`store`) several replicas may run: every one serves Slack's HTTP, and Discord's gateway
 * runs on the one replica holding its advisory lock (discord-gateway.ts).
 */
export async function startChatAdapters(runtime: ChatRuntime, env: Env, log: Logger, store?: StoreChoice): Promise<StartedAdapter[]> {
  const started: StartedAdapter[] = [];
  try {
    if (env.SLACK_BOT_TOKEN) {
      const { startSlackAdapter } = await import('../adapters/slack/index.js');
      const slack = await startSlackAdapter(runtime, env, { port: env.PORT ? Number(env.PORT) : 3000 });
      log.info('Slack adapter listening', { port: slack.port });
      started.push({ name: 'slack', notifier: slack.notifier, stop: () => slack.stop(), servesHttp: true });
    }
    if (env.DISCORD_TOKEN && store?.kind === 'postgres') {
      const { startDiscordReplica } = await import('./discord-gateway.js');
      const discord = await startDiscordReplica(runtime, env, log, store.target);
      started.push({ name: 'discord', notifier: discord.notifier, stop: () => discord.stop() });
    } else if (env.DISCORD_TOKEN) {
      const { startDiscordAdapter } = await import('../adapters/discord/index.js');
      const discord = await startDiscordAdapter(runtime, env);
      log.info('Discord adapter connected');
      started.push({ name: 'discord', notifier: discord.notifier, stop: () => discord.stop() });
    }
  } catch (e) {
    for (const a of started) await a.stop().catch(() => undefined);
    throw e;
  }
  return started;
}
