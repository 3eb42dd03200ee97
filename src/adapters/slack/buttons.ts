import type { ChatRuntime } from '../../domain/chat-runtime.js';
import { parseActionId } from '../../alerts/alert-reply.js';
import { isoTime } from '../../domain/timeframe.js';
import type { Logger } from '../../log.js';
import type { SlackBlock } from './blocks.js';
import { slackInvocation, type Respond } from './invocation.js';
import { escapeMrkdwn } from './mrkdwn.js';
import type { SlackPoster } from './poster.js';
import { renderSlackReply } from './render.js';
import { classifySlackError, describeFailure } from './slack-errors.js';
import { withStatus } from './status.js';

export interface ButtonDeps {
  runtime: ChatRuntime;
  poster: SlackPoster;
  admins: ReadonlySet<string>;
  log: Logger;
  /** Waits before a message that referenced a just-uploaded chart is sent again (see chart-inline.ts). */
  settle: () => Promise<void>;
}

/** The fields of a block_actions payload that corrwatch uses. */
export interface ClickPayload {
  actionId: string;
  user: { id: string; name?: string };
  channelId?: string;
  /** The message the button is on (Slack sends its blocks back). */
  message?: { ts: string; text?: string; blocks?: unknown[] };
}

function privately(reply: Parameters<typeof renderSlackReply>[0]): Record<string, unknown> {
  return { response_type: 'ephemeral', replace_original: false, ...renderSlackReply(reply) };
}

/**
 * Handle an Acknowledge or Snooze click after it was acked. The runtime decides (anyone may acknowledge; only
 * admins may snooze) and changes the store; on success the alert message is updated with chat.update to show
 * who did what and when (Acknowledge is then removed). Refusals and errors are answered only to the clicker.
 */
export async function handleClick(deps: ButtonDeps, click: ClickPayload, respond: Respond): Promise<void> {
  const { runtime, log } = deps;
  const channelId = click.channelId ?? '';
  const inv = slackInvocation(click.user, channelId, deps.admins);
  try {
    const result = await runtime.handleAction(inv, click.actionId);
    log.info('slack button', { action: click.actionId, outcome: result.outcome, user: click.user.id, channel: channelId });
    if (result.outcome !== 'ok') {
      await respond(privately(result.reply));
      return;
    }
    const action = parseActionId(click.actionId);
    const who = /^[A-Z0-9]+$/i.test(click.user.id) ? `<@${click.user.id}>` : escapeMrkdwn(click.user.name ?? click.user.id);
    const line =
      action?.kind === 'ack'
        ? `✅ Acknowledged by ${who} at ${isoTime(result.acknowledged?.at ?? runtime.clock.now())}`
        : `🔕 Snoozed by ${who}: ${escapeMrkdwn(result.reply.text ?? result.reply.title)}`;
    const msg = click.message;
    if (!msg?.blocks?.length || !channelId) {
      await respond(privately(result.reply));
      return;
    }
    const blocks = withStatus(msg.blocks, line, { removeActionId: action?.kind === 'ack' ? click.actionId : undefined }) as SlackBlock[];
    try {
      await deps.poster.update(channelId, msg.ts, { blocks, text: msg.text || line });
    } catch (e) {
      log.warn('could not update the alert message in Slack', { channel: channelId, ts: msg.ts, slackError: describeFailure(classifySlackError(e)) });
      await respond(privately(result.reply));
    }
  } catch (e) {
    log.error('slack button failed', { action: click.actionId, channel: channelId, error: e });
    await respond(privately({ title: 'Something went wrong', text: 'corrwatch could not handle this click. The details are in the log.', severity: 'error' })).catch(() => undefined);
  }
}
