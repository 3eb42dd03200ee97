import type { Reply, ReplyAction } from '../../domain/reply.js';
import type { ActionsBlock, ButtonElement, ContextBlock, Mrkdwn, SectionBlock, SlackBlock, SlackMessage } from './blocks.js';
import { SLACK_LIMITS } from './limits.js';
import { clampText } from '../../render/clamp.js';
import { clampMrkdwn, escapeMrkdwn, splitMrkdwn, toMrkdwn } from './mrkdwn.js';

export { SLACK_LIMITS };

const mrkdwn = (text: string): Mrkdwn => ({ type: 'mrkdwn', text });
const section = (text: string): SectionBlock => ({ type: 'section', text: mrkdwn(text) });

/** A context line (footer, truncation note, status under an alert). */
export function contextLine(text: string, blockId?: string): ContextBlock {
  return { type: 'context', ...(blockId ? { block_id: blockId } : {}), elements: [mrkdwn(clampMrkdwn(text, SLACK_LIMITS.contextText))] };
}

function fieldText(name: string, value: string): string {
  const n = escapeMrkdwn(name.trim().replace(/\s+/g, ' '));
  const v = escapeMrkdwn(toMrkdwn(value.trimEnd()));
  return [n && `*${n}*`, v].filter((s) => s.trim().length > 0).join('\n') || '-';
}

/** Buttons with ids Slack accepts; an id that is too long or repeated is left out (a cut id would not parse back). */
function buttons(actions: ReplyAction[]): ActionsBlock | undefined {
  const seen = new Set<string>();
  const elements: ButtonElement[] = [];
  for (const a of actions) {
    if (elements.length === SLACK_LIMITS.actionsElements) break;
    if (!a.id || a.id.length > SLACK_LIMITS.actionId || seen.has(a.id)) continue;
    seen.add(a.id);
    elements.push({
      type: 'button',
      text: { type: 'plain_text', text: clampText(a.label.trim() || a.id.trim() || 'Action', SLACK_LIMITS.buttonText), emoji: true },
      action_id: a.id,
      value: a.id.slice(0, SLACK_LIMITS.buttonValue),
      ...(a.style === 'primary' || a.style === 'danger' ? { style: a.style } : {}),
    });
  }
  return elements.length ? { type: 'actions', elements } : undefined;
}

/** Body blocks: the text in section-sized chunks, then the fields (inline ones side by side, 10 per section). */
function contentBlocks(reply: Reply): SlackBlock[] {
  const out: SlackBlock[] = [];
  if (reply.text?.trim()) {
    for (const chunk of splitMrkdwn(escapeMrkdwn(toMrkdwn(reply.text.trimEnd())), SLACK_LIMITS.sectionText)) out.push(section(chunk));
  }
  let group: Mrkdwn[] = [];
  const flush = () => {
    if (group.length) out.push({ type: 'section', fields: group });
    group = [];
  };
  for (const f of reply.fields ?? []) {
    const text = fieldText(f.name, f.value);
    if (f.inline) {
      group.push(mrkdwn(clampMrkdwn(text, SLACK_LIMITS.fieldText)));
      if (group.length === SLACK_LIMITS.fieldsPerSection) flush();
    } else {
      flush();
      for (const chunk of splitMrkdwn(text, SLACK_LIMITS.sectionText)) out.push(section(chunk));
    }
  }
  flush();
  return out;
}

/**
 * A Reply as a Block Kit message: header (title), sections (text, split at 3,000 characters without breaking
 * code fences), fields, a context footer and the buttons. Anything over Slack's limits (SLACK_LIMITS) is cut
 * with a visible note rather than sent and rejected. The chart is not a block: the adapter uploads it.
 */
export function renderSlackReply(reply: Reply): SlackMessage {
  const title = reply.title.replace(/\s+/g, ' ').trim();
  const head: SlackBlock[] = title ? [{ type: 'header', text: { type: 'plain_text', text: clampText(title, SLACK_LIMITS.headerText), emoji: true } }] : [];
  const tail: SlackBlock[] = [];
  if (reply.footer?.trim()) tail.push(contextLine(escapeMrkdwn(reply.footer.trim())));
  const actions = buttons(reply.actions ?? []);
  if (actions) tail.push(actions);

  let content = contentBlocks(reply);
  const room = SLACK_LIMITS.blocksPerMessage - head.length - tail.length;
  if (content.length > room) {
    const hidden = content.length - (room - 1);
    content = [...content.slice(0, room - 1), contextLine(`_…${hidden} more part${hidden > 1 ? 's' : ''} not shown: a Slack message holds at most ${SLACK_LIMITS.blocksPerMessage} blocks._`)];
  }
  const blocks = [...head, ...content, ...tail];
  const text = clampMrkdwn(escapeMrkdwn([title, reply.text?.trim()].filter(Boolean).join('\n')), SLACK_LIMITS.fallbackText) || 'corrwatch';
  if (blocks.length === 0) blocks.push(section(text));
  return { blocks, text };
}
