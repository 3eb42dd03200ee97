import type { Invocation } from '../../domain/invocation.js';

/** The neutral Invocation for a Slack user in a channel; admins are the `admins.slack` user ids of the config. */
export function slackInvocation(user: { id: string; name?: string }, channelId: string, admins: ReadonlySet<string>): Invocation {
  return { platform: 'slack', userId: user.id, userName: user.name, channelId, isAdmin: admins.has(user.id) };
}

/** What Bolt's respond() takes (a response_url message), kept SDK-free for the handlers. */
export type Respond = (message: Record<string, unknown>) => Promise<unknown>;
