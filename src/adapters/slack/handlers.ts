import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { handleClick, type ButtonDeps } from './buttons.js';
import { answerCommand } from './slash-command.js';
import { classifySlackError, describeFailure } from './slack-errors.js';

/** Button ids made by alertActions(): `ack|<record id>`, `snooze|<basket>|<duration>`. */
const ALERT_BUTTON = /^(ack|snooze)\|/;

/**
 * Wire Slack's requests to the handlers: every slash command (the app has one, /corr) and the alert buttons are
 * acked at once and handled after (`track` keeps the work so stop() can wait for it); lifecycle events are
 * logged for the operator.
 */
export function registerHandlers(app: App, deps: ButtonDeps, track: (work: Promise<void>) => void): void {
  const { log } = deps;
  app.command(/.*/, async ({ command, ack, respond }) => {
    await ack();
    track(answerCommand(deps, command, respond));
  });

  app.action<BlockAction<ButtonAction>>({ action_id: ALERT_BUTTON }, async ({ ack, body, action, respond }) => {
    await ack();
    const channelId = body.channel?.id ?? (typeof body.container?.channel_id === 'string' ? body.container.channel_id : undefined);
    const m = body.message;
    const message = m ? { ts: m.ts, text: m.text, blocks: Array.isArray(m.blocks) ? (m.blocks as unknown[]) : undefined } : undefined;
    const user = { id: body.user.id, name: body.user.username ?? body.user.name };
    track(handleClick(deps, { actionId: action.action_id, user, channelId, message }, respond));
  });

  app.event('app_uninstalled', async () => {
    log.error('corrwatch was uninstalled from the Slack workspace: Slack calls will fail until it is reinstalled and SLACK_BOT_TOKEN updated');
  });
  app.event('tokens_revoked', async () => {
    log.error('Slack revoked corrwatch tokens: reinstall the app and update SLACK_BOT_TOKEN');
  });

  app.error(async (e) => {
    log.error('slack request failed', { error: describeFailure(classifySlackError(e)) });
  });
}
