import type { Reply } from '../../domain/reply.js';
import type { Logger } from '../../log.js';
import type { SlackMessage } from './blocks.js';
import type { SlackPoster } from './poster.js';
import { renderSlackReply } from './render.js';
import { classifySlackError, describeFailure } from './slack-errors.js';

/**
 * Charts inside Slack messages (issue 14). How, and why this way:
 *
 * The chart is uploaded first with files.uploadV2 **without a channel** (getUploadURLExternal, the upload, then
 * completeUploadExternal with no channel_id): the file stays private to the bot, shared nowhere. The message is then
 * posted (chat.postMessage for alerts, the response_url for slash commands) with an `image` block whose
 * `slack_file: { id }` names that file. Slack's Block Kit reference allows this for any image file "the user posting
 * these blocks" can access, which a bot-token upload is for the bot; so the picture is part of the message itself:
 * one message, one ts, the buttons and chat.update (Acknowledge) work as before, and the chart can never drift away
 * from its numbers in a busy channel.
 *
 * Not chosen: sharing the file with completeUploadExternal's `channel_id` + `blocks`/`initial_comment`. That posts
 * the file-share message asynchronously (the call answers before the message exists, with no ts), takes no message
 * metadata (how alerts are found again after a lost answer) and no buttons we could update, and ignores `blocks`
 * when `initial_comment` is set: fine for handing over a CSV, not for an answer or an alert.
 *
 * Slack processes a new upload asynchronously: a message referencing it at once may be refused with
 * `invalid_blocks` ("invalid slack file"), as reported by others (python-slack-sdk#1521, java-slack-sdk#1349).
 * So a refused message is sent again after `settle` (about 1.5 s), then, if still refused, without the image (the
 * caller then shares the chart the old way, next to the message or in its thread).
 */

/** Upload the reply's chart privately; its file id, or undefined (logged) when Slack refused it. */
export async function uploadChart(poster: SlackPoster, channel: string, reply: Reply, log: Logger, ctx: Record<string, unknown>): Promise<string | undefined> {
  const chart = reply.chart;
  if (!chart) return undefined;
  try {
    return await poster.uploadPrivate(channel, { bytes: chart.png, filename: chart.filename, title: chart.alt, alt: chart.alt });
  } catch (e) {
    log.warn('could not upload a chart to Slack', { ...ctx, channel, slackError: describeFailure(classifySlackError(e)) });
    return undefined;
  }
}

/** A refusal that may be the image block's (the file not processed yet, or not visible): worth another try. */
function imageMayBeTheCause(e: unknown): boolean {
  const { error } = classifySlackError(e);
  return error === 'invalid_blocks' || error === 'http_400' || error === 'http_404';
}

export interface InlineResult<T> {
  result: T;
  /** The chart is inside the message. */
  inline: boolean;
}

/**
 * Send `reply` with its chart inside (when `fileId` is given): once, again after `settle` when refused for the
 * image, then without it. Any other failure is thrown to the caller.
 */
export async function sendWithChart<T>(
  send: (message: SlackMessage) => Promise<T>,
  reply: Reply,
  fileId: string | undefined,
  note: string | undefined,
  settle: () => Promise<void>,
): Promise<InlineResult<T>> {
  if (!fileId) return { result: await send(renderSlackReply(reply, { note })), inline: false };
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      return { result: await send(renderSlackReply(reply, { chartFileId: fileId, note })), inline: true };
    } catch (e) {
      if (!imageMayBeTheCause(e)) throw e;
      if (attempt === 1) await settle();
    }
  }
  return { result: await send(renderSlackReply(reply, { note })), inline: false };
}
