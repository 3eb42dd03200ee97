import type { ChatRuntime } from '../../domain/chat-runtime.js';
import { attachmentTooLarge } from '../../domain/attachment.js';
import type { Reply, ReplyAttachment } from '../../domain/reply.js';
import type { Logger } from '../../log.js';
import { slackInvocation, type Respond } from './invocation.js';
import { unescapeSlack } from './mrkdwn.js';
import type { SlackPoster } from './poster.js';
import { sendWithChart, uploadChart } from './chart-inline.js';
import { classifySlackError, describeFailure } from './slack-errors.js';

export interface CommandDeps {
  runtime: ChatRuntime;
  poster: SlackPoster;
  admins: ReadonlySet<string>;
  log: Logger;
  /** Waits before a message that referenced a just-uploaded chart is sent again (see chart-inline.ts). */
  settle: () => Promise<void>;
}

/** The fields of a slash command payload that corrwatch uses. */
export interface SlashPayload {
  text: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  command?: string;
}

function privateNote(text: string): Record<string, unknown> {
  return { response_type: 'ephemeral', replace_original: false, text };
}

/**
 * Answer one /corr command after it was acked: run the line like the CLI does, upload the chart privately, and post
 * the reply through response_url with the chart inside it (an image block referencing the upload; chart-inline.ts)
 * — in the channel; errors, refusals and private replies only to the caller. An export (reply.attachment, a CSV)
 * is shared in the channel right after the answer, or, for a private answer, in the caller's direct messages with
 * the bot (a file cannot be ephemeral); past MAX_ATTACHMENT_BYTES it is not sent and the answer says why. Never
 * throws: failures are logged with the channel and Slack's error.
 */
export async function answerCommand(deps: CommandDeps, cmd: SlashPayload, respond: Respond): Promise<void> {
  const { runtime, log } = deps;
  const inv = slackInvocation({ id: cmd.user_id, name: cmd.user_name }, cmd.channel_id, deps.admins);
  const started = Date.now();
  let reply: Reply;
  let ephemeral: boolean;
  let command: string | undefined;
  try {
    const result = await runtime.run(inv, unescapeSlack(cmd.text ?? ''));
    reply = result.reply;
    command = result.command;
    ephemeral = reply.ephemeral === true || result.outcome !== 'ok';
    log.info('slack command', { command: command ?? '?', outcome: result.outcome, user: cmd.user_id, channel: cmd.channel_id, ms: Date.now() - started });
  } catch (e) {
    // runtime.run returns errors as replies; this is a last line of defence.
    log.error('slack command failed', { channel: cmd.channel_id, error: e });
    reply = { title: 'Something went wrong', text: 'corrwatch could not answer this. The details are in the log.', ephemeral: true, severity: 'error' };
    ephemeral = true;
  }
  const ctx = { command: command ?? '?' };
  const notes: string[] = [];
  const att = reply.attachment;
  const tooLarge = att ? attachmentTooLarge(att.filename, att.content.length) : undefined;
  if (tooLarge) notes.push(`📎 Not attached: ${tooLarge}`);
  // A private answer cannot carry a file: the export goes to the caller's direct messages with the bot, first, so
  // the answer can say where it is.
  if (att && !tooLarge && ephemeral) notes.push(await shareToDm(deps, cmd.user_id, att, ctx));
  const fileId = await uploadChart(deps.poster, cmd.channel_id, reply, log, { ...ctx });
  const responseType = ephemeral ? 'ephemeral' : 'in_channel';
  let inline: boolean;
  try {
    ({ inline } = await sendWithChart((m) => respond({ response_type: responseType, replace_original: false, ...m }), reply, fileId, notes.join('\n') || undefined, deps.settle));
  } catch (e) {
    log.warn('could not answer a slash command through its response_url', { channel: cmd.channel_id, command: command ?? '?', slackError: describeFailure(classifySlackError(e)) });
    return;
  }
  // The chart could not be shown inside the answer: shared next to it (never for a private answer: that would show
  // it to the channel).
  if (reply.chart && !inline && !ephemeral) {
    try {
      await deps.poster.uploadChart(cmd.channel_id, reply.chart);
    } catch (e) {
      const f = classifySlackError(e);
      log.warn('could not upload a chart to Slack', { channel: cmd.channel_id, command: command ?? '?', slackError: describeFailure(f) });
      const why = f.error === 'not_in_channel' || f.error === 'channel_not_found' ? 'invite me to this channel first (/invite @corrwatch), then ask again' : `Slack said ${f.error}`;
      await respond(privateNote(`The chart could not be posted here: ${why}.`)).catch(() => undefined);
    }
  }
  if (att && !tooLarge && !ephemeral) {
    try {
      await deps.poster.shareFile(cmd.channel_id, { bytes: att.content, filename: att.filename, title: att.title }, `📎 ${att.title}`);
    } catch (e) {
      const f = classifySlackError(e);
      log.warn('could not share an export in the Slack channel', { channel: cmd.channel_id, ...ctx, slackError: describeFailure(f) });
      const where = await shareToDm(deps, cmd.user_id, att, ctx);
      const why = f.error === 'not_in_channel' || f.error === 'channel_not_found' ? 'I am not in this channel (/invite @corrwatch)' : `Slack said ${f.error}`;
      await respond(privateNote(`${att.filename} could not be posted here: ${why}. ${where}`)).catch(() => undefined);
    }
  }
}

/** Share an export in the caller's DM with the bot; the sentence to tell them where it went (or why not). */
async function shareToDm(deps: CommandDeps, user: string, att: ReplyAttachment, ctx: Record<string, unknown>): Promise<string> {
  try {
    const dm = await deps.poster.openDm(user);
    await deps.poster.shareFile(dm, { bytes: att.content, filename: att.filename, title: att.title }, `📎 ${att.title}`);
    return `📎 ${att.filename} is in your direct messages with corrwatch.`;
  } catch (e) {
    const f = classifySlackError(e);
    deps.log.warn('could not send an export to a Slack user', { user, ...ctx, slackError: describeFailure(f) });
    return `📎 ${att.filename} could not be sent to you (Slack said ${f.error}).`;
  }
}
