import { createHash } from 'node:crypto';
import type { Client } from 'discord.js';
import type { AlertMessage, Notifier, NotifyResult } from '../../alerts/notifier.js';
import type { Logger } from '../../log.js';
import { classifyDiscordError } from './errors.js';
import { renderDiscordReply } from './render.js';

/** A Discord message reference as stored on a delivery: `channelId/messageId`. */
export function messageRef(channelId: string, messageId: string): string {
  return `${channelId}/${messageId}`;
}

export function parseMessageRef(ref: string | undefined): { channelId: string; messageId: string } | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(ref ?? '');
  return m ? { channelId: m[1], messageId: m[2] } : undefined;
}

/**
 * Discord keeps a nonce for a few minutes and, with `enforce_nonce`, answers a repeated create with the message
 * it already made: a retry after an answer lost on the way back does not post the alert twice. 25 characters
 * at most; the same for the same record and channel.
 */
export function alertNonce(recordId: string, channelId: string): string {
  return createHash('sha256').update(`${recordId}|${channelId}`).digest('hex').slice(0, 25);
}

/**
 * Posts alerts with `channel.send`: the embed, the chart and the buttons. A `resolved`/`escalated` alert replies
 * to the episode's firing message in that channel. Failures say whether a retry may help (Discord down, 5xx,
 * timeouts, not connected yet: yes; unknown channel, missing permissions: no), so the outbox keeps the alert
 * pending meanwhile. `allowUnknownGuild`: a client without a gateway session (no guild in its cache) posts over REST
 * alone (discordRestNotifier).
 */
export function discordNotifier(current: () => Client | undefined, log: Logger, opts: { allowUnknownGuild?: boolean } = {}): Notifier {
  return {
    platform: 'discord',
    async send(channelId: string, message: AlertMessage): Promise<NotifyResult> {
      const client = current();
      if (!client) return { ok: false, retryable: true, error: 'not connected to Discord (yet)' };
      try {
        const channel = await client.channels.fetch(channelId, opts.allowUnknownGuild ? { allowUnknownGuild: true } : undefined);
        if (!channel || !channel.isSendable()) {
          return { ok: false, retryable: false, error: `channel ${channelId} is not a text channel the bot can post in` };
        }
        const thread = parseMessageRef(message.threadRef);
        const sent = await channel.send({
          ...renderDiscordReply(message.reply),
          allowedMentions: { parse: [] },
          nonce: alertNonce(message.record.id, channelId),
          enforceNonce: true,
          ...(thread && thread.channelId === channelId ? { reply: { messageReference: thread.messageId, failIfNotExists: false } } : {}),
        });
        return { ok: true, messageRef: messageRef(channelId, sent.id) };
      } catch (e) {
        const c = classifyDiscordError(e);
        log.warn('discord alert not delivered', { channel: channelId, id: message.record.id, retryable: c.retryable, error: c.message });
        return { ok: false, retryable: c.retryable, error: c.message };
      }
    },
  };
}
