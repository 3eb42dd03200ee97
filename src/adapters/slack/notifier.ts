import type { AlertMessage, Notifier, NotifyResult } from '../../alerts/notifier.js';
import type { Logger } from '../../log.js';
import { formatMessageRef, parseMessageRef } from './message-ref.js';
import type { SlackPoster } from './poster.js';
import { renderSlackReply } from './render.js';
import { classifySlackError, describeFailure } from './slack-errors.js';

/**
 * Alerts into Slack channels: the message (with Acknowledge/Snooze buttons when the reply has them), threaded
 * under the episode's firing message when `threadRef` names one in this channel, then its chart into the same
 * channel or thread. The message ref returned is `channel/ts`. A message that could not be posted is a failure
 * (retryable unless Slack says it never will be); a chart that could not be uploaded after the message was posted
 * is only logged, so a retry never posts the message twice.
 */
export function slackNotifier(poster: SlackPoster, log: Logger): Notifier {
  return {
    platform: 'slack',
    async send(channelId: string, message: AlertMessage): Promise<NotifyResult> {
      const { record, reply } = message;
      const thread = parseMessageRef(message.threadRef);
      const threadTs = thread && thread.channel === channelId ? thread.ts : undefined;
      let ts: string;
      try {
        ts = await poster.post(channelId, renderSlackReply(reply), threadTs, record.id);
      } catch (e) {
        const f = classifySlackError(e);
        const ctx = { channel: channelId, alert: record.id, slackError: describeFailure(f), retryable: f.retryable };
        if (f.auth) log.error('could not post alert to Slack', ctx);
        else log.warn('could not post alert to Slack', ctx);
        return { ok: false, retryable: f.retryable, error: `slack: ${f.error}`, ...(f.unconfirmed ? { unconfirmed: true } : {}) };
      }
      if (reply.chart) {
        try {
          await poster.uploadChart(channelId, reply.chart, threadTs);
        } catch (e) {
          log.warn('could not upload the alert chart to Slack', { channel: channelId, alert: record.id, slackError: describeFailure(classifySlackError(e)) });
        }
      }
      return { ok: true, messageRef: formatMessageRef({ channel: channelId, ts }) };
    },
    /** Looks for the alert's metadata among the channel's (or thread's) messages since a minute before it was decided. */
    async findSent(channelId: string, message: AlertMessage): Promise<string | undefined> {
      const thread = parseMessageRef(message.threadRef);
      const threadTs = thread && thread.channel === channelId ? thread.ts : undefined;
      const oldestSec = Math.floor(message.record.createdAt / 1000) - 60;
      const ts = await poster.findAlert(channelId, message.record.id, oldestSec, threadTs);
      return ts === undefined ? undefined : formatMessageRef({ channel: channelId, ts });
    },
  };
}
