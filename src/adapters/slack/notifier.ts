import type { AlertMessage, Notifier, NotifyResult } from '../../alerts/notifier.js';
import type { Logger } from '../../log.js';
import { formatMessageRef, parseMessageRef } from './message-ref.js';
import type { SlackPoster } from './poster.js';
import { sendWithChart, uploadChart } from './chart-inline.js';
import { classifySlackError, describeFailure } from './slack-errors.js';

/**
 * Alerts into Slack channels: the chart uploaded privately first, then the message with the chart inside it (an
 * image block referencing the upload, see chart-inline.ts) and the Acknowledge/Snooze buttons, threaded under the
 * episode's firing message when `threadRef` names one in this channel. When Slack will not show the chart inside,
 * the message goes without it and the chart is shared in the message's thread. The message ref returned is
 * `channel/ts`. A message that could not be posted is a failure (retryable unless Slack says it never will be); a
 * chart that could not be shared after the message was posted is only logged, so a retry never posts the message
 * twice.
 */
export function slackNotifier(poster: SlackPoster, log: Logger, settle: () => Promise<void> = async () => undefined): Notifier {
  return {
    platform: 'slack',
    async send(channelId: string, message: AlertMessage): Promise<NotifyResult> {
      const { record, reply } = message;
      const thread = parseMessageRef(message.threadRef);
      const threadTs = thread && thread.channel === channelId ? thread.ts : undefined;
      const fileId = await uploadChart(poster, channelId, reply, log, { alert: record.id });
      let ts: string;
      let inline: boolean;
      try {
        ({ result: ts, inline } = await sendWithChart((m) => poster.post(channelId, m, threadTs, record.id), reply, fileId, undefined, settle));
      } catch (e) {
        const f = classifySlackError(e);
        const ctx = { channel: channelId, alert: record.id, slackError: describeFailure(f), retryable: f.retryable };
        if (f.auth) log.error('could not post alert to Slack', ctx);
        else log.warn('could not post alert to Slack', ctx);
        return { ok: false, retryable: f.retryable, error: `slack: ${f.error}`, ...(f.unconfirmed ? { unconfirmed: true } : {}) };
      }
      if (reply.chart && !inline) {
        try {
          await poster.uploadChart(channelId, reply.chart, threadTs ?? ts);
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
