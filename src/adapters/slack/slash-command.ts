import type { ChatRuntime } from '../../domain/chat-runtime.js';
import type { Reply } from '../../domain/reply.js';
import type { Logger } from '../../log.js';
import { slackInvocation, type Respond } from './invocation.js';
import { unescapeSlack } from './mrkdwn.js';
import type { SlackPoster } from './poster.js';
import { renderSlackReply } from './render.js';
import { classifySlackError, describeFailure } from './slack-errors.js';

export interface CommandDeps {
  runtime: ChatRuntime;
  poster: SlackPoster;
  admins: ReadonlySet<string>;
  log: Logger;
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
 * Answer one /corr command after it was acked: run the line like the CLI does, post the reply through
 * response_url (in the channel; errors, refusals and private replies only to the caller), then upload the chart
 * into the channel. Never throws: failures are logged with the channel and Slack's error.
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
  try {
    await respond({ response_type: ephemeral ? 'ephemeral' : 'in_channel', replace_original: false, ...renderSlackReply(reply) });
  } catch (e) {
    log.warn('could not answer a slash command through its response_url', { channel: cmd.channel_id, command: command ?? '?', slackError: describeFailure(classifySlackError(e)) });
    return;
  }
  // A private reply keeps its chart private too: uploading it would show it to the channel.
  if (!reply.chart || ephemeral) return;
  try {
    await deps.poster.uploadChart(cmd.channel_id, reply.chart);
  } catch (e) {
    const f = classifySlackError(e);
    log.warn('could not upload a chart to Slack', { channel: cmd.channel_id, command: command ?? '?', slackError: describeFailure(f) });
    const why = f.error === 'not_in_channel' || f.error === 'channel_not_found' ? 'invite me to this channel first (/invite @corrwatch), then ask again' : `Slack said ${f.error}`;
    await respond(privateNote(`The chart could not be posted here: ${why}.`)).catch(() => undefined);
  }
}
