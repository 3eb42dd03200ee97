import type { Reply, ReplyAction } from '../../domain/reply.js';
import { markedTitle } from '../../domain/severity.js';
import type { ActionsBlock, ButtonElement, ContextBlock, ImageBlock, Mrkdwn, SectionBlock, SlackBlock, SlackMessage } from './blocks.js';
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

/** The block_id of the chart's image block (tests and the fallback find it by this). */
export const CHART_BLOCK_ID = 'corrwatch_chart';

/** The image block showing a chart uploaded as the Slack file `fileId`. */
export function chartBlock(fileId: string, alt: string): ImageBlock {
  const text = alt.replace(/\s+/g, ' ').trim() || 'chart';
  return {
    type: 'image',
    block_id: CHART_BLOCK_ID,
    slack_file: { id: fileId },
    alt_text: clampText(text, SLACK_LIMITS.imageAltText),
    title: { type: 'plain_text', text: clampText(text, SLACK_LIMITS.imageTitle), emoji: true },
  };
}

export interface SlackRenderOptions {
  /** The Slack file id of the reply's chart, uploaded beforehand: the chart is shown inside the message. */
  chartFileId?: string;
  /** A context line after the body (e.g. why the chart or the export is not there). */
  note?: string;
}

/**
 * A Reply as a Block Kit message: header (severity marker and title, `🔴 Critical · majors: stressed`), sections
 * (text, split at 3,000 characters without breaking code fences), fields, the chart as an image block when its
 * uploaded file id is given, a note, a context footer and the buttons. Anything over Slack's limits
 * (SLACK_LIMITS) is cut with a visible note rather than sent and rejected.
 */
export function renderSlackReply(reply: Reply, opts: SlackRenderOptions = {}): SlackMessage {
  const title = markedTitle(reply.title.replace(/\s+/g, ' ').trim(), reply.severity);
  const head: SlackBlock[] = title ? [{ type: 'header', text: { type: 'plain_text', text: clampText(title, SLACK_LIMITS.headerText), emoji: true } }] : [];
  const tail: SlackBlock[] = [];
  if (opts.chartFileId && reply.chart) tail.push(chartBlock(opts.chartFileId, reply.chart.alt));
  if (opts.note?.trim()) tail.push(contextLine(escapeMrkdwn(opts.note.trim())));
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
