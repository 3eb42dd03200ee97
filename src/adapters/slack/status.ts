import { SLACK_LIMITS } from './limits.js';

/** Status lines under an alert (who acknowledged, who snoozed) are context blocks with this block_id prefix. */
export const STATUS_PREFIX = 'cw-status-';
const MAX_STATUS_LINES = 5;

type AnyBlock = { type?: unknown; block_id?: unknown; elements?: unknown[] } & Record<string, unknown>;

const isStatus = (b: AnyBlock) => b.type === 'context' && typeof b.block_id === 'string' && b.block_id.startsWith(STATUS_PREFIX);

/**
 * The blocks of a posted alert (as Slack sends them back with a click) with one more status line, placed above
 * the buttons, and without the button `removeActionId` (Acknowledge, once used). Keeps at most 5 status lines
 * and never more than 50 blocks. Pure: returns new blocks.
 */
export function withStatus(blocks: unknown[], line: string, opts: { removeActionId?: string; stamp?: string } = {}): unknown[] {
  let out = blocks.filter((b): b is AnyBlock => typeof b === 'object' && b !== null).map((b) => ({ ...b }));
  if (opts.removeActionId) {
    out = out
      .map((b) => (b.type === 'actions' && Array.isArray(b.elements) ? { ...b, elements: b.elements.filter((e) => (e as { action_id?: unknown }).action_id !== opts.removeActionId) } : b))
      .filter((b) => b.type !== 'actions' || (Array.isArray(b.elements) && b.elements.length > 0));
  }
  const status: AnyBlock = {
    type: 'context',
    block_id: `${STATUS_PREFIX}${opts.stamp ?? Date.now().toString(36)}-${out.filter(isStatus).length}`.slice(0, SLACK_LIMITS.blockId),
    elements: [{ type: 'mrkdwn', text: line.slice(0, SLACK_LIMITS.contextText) }],
  };
  const actionsAt = out.findIndex((b) => b.type === 'actions');
  out.splice(actionsAt === -1 ? out.length : actionsAt, 0, status);
  const dropOldestStatus = () => {
    const i = out.findIndex(isStatus);
    if (i === -1 || out[i] === status) return false;
    out.splice(i, 1);
    return true;
  };
  while (out.filter(isStatus).length > MAX_STATUS_LINES && dropOldestStatus());
  while (out.length > SLACK_LIMITS.blocksPerMessage) {
    // Make room by dropping the last body section: the header, who did what, and the buttons matter more.
    const i = out.map((b) => b.type).lastIndexOf('section');
    if (i !== -1) out.splice(i, 1);
    else if (!dropOldestStatus()) break;
  }
  return out;
}
