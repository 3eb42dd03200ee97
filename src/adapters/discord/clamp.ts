import { clampText } from '../../render/clamp.js';

const FENCE = '```';
const CLOSE_FENCE = '\n```';

function fences(text: string): number {
  return text.split(FENCE).length - 1;
}

/**
 * clampText (src/render/clamp.ts) for Markdown: when the cut falls inside a ``` code block, the block is closed, so a long table
 * does not turn the rest of the message into code.
 */
export function clampMarkdown(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = clampText(text, max);
  if (fences(cut) % 2 === 0 || max <= CLOSE_FENCE.length + 1) return cut;
  const shorter = clampText(text, max - CLOSE_FENCE.length);
  return fences(shorter) % 2 === 1 ? shorter + CLOSE_FENCE : shorter;
}

/** Discord rejects empty field names and values: a zero-width space stands in. */
export function nonEmpty(text: string): string {
  return text.trim().length > 0 ? text : '\u200b';
}
